"""Issuing a certification as an Open Badges 3.0 credential (the W3C Verifiable Credentials
data model), secured as a VC-JWT signed with the issuer's Ed25519 key (JOSE algorithm
"Ed25519", the fully-specified name of EdDSA over Ed25519, RFC 9864). Nothing is fetched at run
time: a JWT is verified without processing the JSON-LD contexts it names."""

from __future__ import annotations

import base64
import gzip
import uuid
from datetime import UTC, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from joserfc import jwt

from tremplin.core.models import DomainEvent
from tremplin.enrolment.documents import counted_lines
from tremplin.enrolment.models import Certification

from . import keys
from .models import Credential

ALGORITHM = "Ed25519"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "Conservatoire national des arts et métiers"
ACHIEVEMENT_TYPES = {
    "rncp_title": "Certification",
    "institution_diploma": "Diploma",
}


def public_url(path: str) -> str:
    return settings.TREMPLIN_PUBLIC_URL.rstrip("/") + path


def issuer_id() -> str:
    return public_url("/attestations/emetteur/")


def status_list_url() -> str:
    return public_url("/attestations/statut/")


def verification_url(credential: Credential) -> str:
    """The address printed (as a QR code) on the attestation: anyone can check it there."""
    return public_url(f"/verifier/{credential.uid}/")


def _achievement(certification: Certification) -> dict[str, Any]:
    formation = certification.formation
    units = [f"{line.code} {line.title}" for line in counted_lines(certification)]
    achievement: dict[str, Any] = {
        "id": public_url(f"/attestations/formations/{formation.code}/"),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES.get(formation.kind, "Certificate"),
        "name": formation.title,
        "description": f"{formation.get_kind_display()} du Cnam ({formation.code}).",
        "criteria": {
            "narrative": "Unités d'enseignement validées : " + " ; ".join(units) + "."
            if units
            else "Conditions de délivrance de la formation remplies."
        },
        "creditsAvailable": float(formation.min_credits),
        "tag": [formation.get_level_display()],
        "humanCode": formation.code,
    }
    if formation.rncp_code:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": formation.rncp_code,
                "targetUrl": "https://www.francecompetences.fr/recherche/rncp/"
                + formation.rncp_code.removeprefix("RNCP")
                + "/",
                "targetFramework": "Répertoire national des certifications professionnelles",
            }
        ]
    return achievement


def credential_document(certification: Certification, uid: uuid.UUID, index: int) -> dict[str, Any]:
    """The credential itself: the achievement (formation, level, UEs), the date, the issuer;
    the person by name only (no birth date, no reference, nothing of their path)."""
    learner = certification.learner
    assert certification.awarded_on is not None
    valid_from = datetime.combine(certification.awarded_on, time(0, 0), tzinfo=UTC)
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{uid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": valid_from.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": certification.formation.title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": f"{learner.first_name} {learner.last_name.upper()}",
                }
            ],
            "achievement": _achievement(certification),
            "creditsEarned": float(certification.credits),
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_list_url(),
        },
    }


def _sign(claims: dict[str, Any]) -> tuple[Any, str]:
    issuer_key, private = keys.signing_key()
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": issuer_key.kid}
    return issuer_key, jwt.encode(header, claims, private, algorithms=[ALGORITHM])


@transaction.atomic
def issue(certification: Certification) -> Credential:
    """The credential of an awarded certification (made once; the same one afterwards)."""
    existing = Credential.objects.filter(certification=certification).first()
    if existing is not None:
        return existing
    if certification.status != Certification.Status.AWARDED:
        raise ValidationError(
            "Seule une certification délivrée donne lieu à une attestation vérifiable "
            f"(celle-ci est « {certification.get_status_display().lower()} »)."
        )
    for attempt in range(5):
        index = (Credential.objects.aggregate(top=Max("status_index"))["top"] or 0) + 1
        uid = uuid.uuid4()
        document = credential_document(certification, uid, index)
        claims = {
            "iss": issuer_id(),
            "jti": document["id"],
            "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp()),
            "vc": document,
        }
        issuer_key, token = _sign(claims)
        try:
            with transaction.atomic():
                return Credential.objects.create(
                    certification=certification,
                    uid=uid,
                    status_index=index,
                    key=issuer_key,
                    token=token,
                )
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def issue_awarded(events: list[DomainEvent], certifications: list[Any]) -> None:
    """Journal subscriber: each certification awarded gets its credential."""
    for certification in certifications:
        issue(certification)


def forget_erased(events: list[DomainEvent], learners: list[Any]) -> None:
    """Journal subscriber: an erased person's credentials (which name them) are deleted; their
    verification address then answers that the attestation is unknown."""
    Credential.objects.filter(certification__learner__in=[lr.pk for lr in learners]).delete()


def status_list_token() -> str:
    """The revocation list (Bitstring Status List, signed like the credentials): bit i is set
    when the credential of rank i belongs to a revoked certification."""
    revoked = Credential.objects.filter(
        certification__status=Certification.Status.REVOKED
    ).values_list("status_index", flat=True)
    size = max(131_072, (Credential.objects.aggregate(top=Max("status_index"))["top"] or 0) + 8)
    bits = bytearray(size // 8 + 1)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip(
        "="
    )
    document = {
        "@context": CONTEXTS[:1],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "credentialSubject": {
            "id": status_list_url() + "#liste",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return _sign({"iss": issuer_id(), "jti": status_list_url(), "vc": document})[1]


__all__ = [
    "ALGORITHM",
    "credential_document",
    "issue",
    "issue_awarded",
    "status_list_token",
    "verification_url",
]
