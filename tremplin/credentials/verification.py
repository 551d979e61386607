"""Verifying a credential: the signature against the issuer's published keys (every key ever
used), then its revocation. Works with no network: the keys and the statuses are local."""

from __future__ import annotations

import json
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from tremplin.enrolment.models import Certification

from . import keys
from .models import Credential, IssuerKey
from .services import ALGORITHM

#: The JOSE names of Ed25519 signatures: the fully-specified one Tremplin issues, and "EdDSA",
#: which other Open Badges issuers and verifiers still use.
ACCEPTED = (ALGORITHM, "EdDSA")


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    TAMPERED = "tampered"
    UNKNOWN_KEY = "unknown_key"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"


MESSAGES = {
    Status.VALID: "Attestation authentique, délivrée par le Cnam et non révoquée.",
    Status.REVOKED: "Attestation authentique mais révoquée : la certification a été retirée.",
    Status.TAMPERED: "Attestation altérée : sa signature ne correspond pas à son contenu.",
    Status.UNKNOWN_KEY: "Attestation signée par une clé que le Cnam n'a pas publiée.",
    Status.MALFORMED: "Ce texte n'est pas une attestation vérifiable (VC-JWT).",
    Status.UNKNOWN: "Attestation signée par le Cnam mais absente de son registre : à ne pas "
    "retenir sans confirmation du Cnam.",
}


@dataclass
class Verdict:
    status: Status
    #: What the credential attests, shown whatever the status but « altérée »: the formation,
    #: its code, the date, the issuer. Never the person.
    achievement: dict[str, Any] = field(default_factory=dict)

    @property
    def issued_on(self) -> date | None:
        try:
            return date.fromisoformat(self.achievement.get("issued", ""))
        except ValueError:
            return None

    @property
    def valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def message(self) -> str:
        return MESSAGES[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "valid": self.valid,
            "message": self.message,
            "achievement": self.achievement,
        }


def token_of(text: str) -> str:
    """The compact JWT in what was pasted or read from a file: the token itself, or a JSON
    object holding it (`{"credential": "eyJ…"}`), or a JSON string."""
    text = text.strip()
    if text.startswith("{") or text.startswith('"'):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(data, str):
            return data.strip()
        if isinstance(data, dict):
            value = data.get("credential") or data.get("jwt") or data.get("token") or ""
            return str(value).strip()
    return text


def _achievement(claims: dict[str, Any]) -> dict[str, Any]:
    vc = claims.get("vc") or {}
    achievement = (vc.get("credentialSubject") or {}).get("achievement") or {}
    return {
        "name": achievement.get("name", ""),
        "code": achievement.get("humanCode", ""),
        "issued": str(vc.get("validFrom", ""))[:10],
        "issuer": (vc.get("issuer") or {}).get("name", ""),
    }


def verify(text: str) -> Verdict:
    token = token_of(text)
    if token.count(".") != 2:
        return Verdict(Status.MALFORMED)
    try:
        header = extract_compact(token.encode()).protected
    except (JoseError, ValueError, UnicodeDecodeError):
        return Verdict(Status.MALFORMED)
    kid, alg = header.get("kid"), header.get("alg")
    if alg not in ACCEPTED or not IssuerKey.objects.filter(kid=kid).exists():
        return Verdict(Status.UNKNOWN_KEY)
    try:
        with warnings.catch_warnings():
            # "EdDSA" is the older name of the same algorithm (RFC 9864): accepted, not issued.
            warnings.simplefilter("ignore")
            decoded = jwt.decode(token, keys.public_keys(), algorithms=[alg])
    except (JoseError, ValueError):
        return Verdict(Status.TAMPERED)
    claims = dict(decoded.claims)
    achievement = _achievement(claims)
    uid = str(claims.get("jti", "")).removeprefix("urn:uuid:")
    credential = (
        Credential.objects.filter(uid=uid).select_related("certification").first()
        if _is_uuid(uid)
        else None
    )
    if credential is None:
        return Verdict(Status.UNKNOWN, achievement)
    if credential.certification.status == Certification.Status.REVOKED:
        return Verdict(Status.REVOKED, achievement)
    return Verdict(Status.VALID, achievement)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


__all__ = ["MESSAGES", "Status", "Verdict", "token_of", "verify"]
