"""Certifications as verifiable credentials: issued when awarded (Open Badges 3.0 as a VC-JWT
signed with the issuer's Ed25519 key), verified offline, tampering and revocation detected,
old credentials still verified after a key rotation; the command line and the public verifier."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape
from joserfc import jwt
from joserfc.jwk import OKPKey

from tests.personal_world import Record, make_record
from tremplin.accounts.models import User
from tremplin.credentials import keys
from tremplin.credentials.models import Credential
from tremplin.credentials.services import issue, status_list_token
from tremplin.credentials.verification import Status, verify
from tremplin.enrolment.certifications import award, revoke
from tremplin.enrolment.documents import attestation_pdf
from tremplin.enrolment.models import Certification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.TREMPLIN_HOME = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def record(db: None) -> Record:
    return make_record("CRED-0001", establishment="CD MELUN")


def coordinator() -> User:
    return User.objects.get(username="coordination")


def payload(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_an_awarded_certification_is_issued_as_an_open_badge_and_verifies(record: Record) -> None:
    credential = issue(record.certification)
    claims = payload(credential.token)
    vc = claims["vc"]
    assert isinstance(vc, dict)
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["name"] == record.certification.formation.title
    assert achievement["criteria"]["narrative"]
    # The person by name only: no birth date, no reference.
    text = json.dumps(vc, ensure_ascii=False).replace(record.learner.last_name.upper(), "")
    assert record.learner.reference not in text
    assert record.learner.birth_date.isoformat() not in text
    verdict = verify(credential.token)
    assert verdict.status == Status.VALID
    assert verdict.achievement["name"] == record.certification.formation.title
    assert issue(record.certification) == credential  # issued once


def test_awarding_a_certification_issues_its_credential(record: Record) -> None:
    proposed = Certification.objects.create(
        learner=record.learner,
        formation=record.certification.formation.__class__.objects.exclude(
            pk=record.certification.formation_id
        ).first(),
        status="proposed",
    )
    awarded = award(proposed, by=coordinator())
    assert Credential.objects.filter(certification=awarded).exists()


def test_one_byte_changed_is_reported_tampered(record: Record) -> None:
    token = issue(record.certification).token
    head, body, signature = token.split(".")
    claims = payload(token)
    claims["vc"]["name"] = "Master de physique"  # type: ignore[index]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert verify(f"{head}.{forged}.{signature}").status == Status.TAMPERED
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert verify(f"{head}.{body}.{flipped}").status == Status.TAMPERED


def test_a_revoked_certification_revokes_its_credential_and_the_status_list(
    record: Record,
) -> None:
    credential = issue(record.certification)
    revoke(record.certification, by=coordinator(), reason="Erreur de saisie")
    assert verify(credential.token).status == Status.REVOKED
    status = payload(status_list_token())["vc"]["credentialSubject"]  # type: ignore[index]
    import gzip

    bits = gzip.decompress(base64.urlsafe_b64decode(status["encodedList"][1:] + "=="))
    index = credential.status_index
    assert bits[index // 8] & (0x80 >> (index % 8))


def test_old_credentials_still_verify_after_a_key_rotation(record: Record) -> None:
    old = issue(record.certification)
    new_key = keys.rotate()
    assert verify(old.token).status == Status.VALID
    other = make_record("CRED-0002", establishment="CD MELUN")
    assert issue(other.certification).key == new_key


def test_a_credential_signed_with_another_key_or_not_a_credential_is_refused(
    record: Record,
) -> None:
    claims = payload(issue(record.certification).token)
    stranger = OKPKey.generate_key("Ed25519", parameters={"kid": "cnam-x"}, private=True)
    forged = jwt.encode(
        {"alg": "Ed25519", "kid": "cnam-x"}, claims, stranger, algorithms=["Ed25519"]
    )
    assert verify(forged).status == Status.UNKNOWN_KEY
    assert verify("bonjour").status == Status.MALFORMED
    assert verify("a.b.c").status == Status.MALFORMED


def test_the_command_line_issues_and_verifies_with_no_network(
    record: Record, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cred.json"
    call_command("credentials", "issue", str(record.certification.pk), "-o", str(path))
    call_command("credentials", "verify", str(path), "--format", "json")
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["status"] == "valid"
    document = json.loads(path.read_text())
    document["credential"] = document["credential"][:-3] + "AAA"
    path.write_text(json.dumps(document))
    with pytest.raises(SystemExit) as exit_info:
        call_command("credentials", "verify", str(path))
    assert exit_info.value.code == 1
    assert "altérée" in capsys.readouterr().err
    call_command("credentials", "key")
    assert '"kty": "OKP"' in capsys.readouterr().out


def test_the_public_verifier_reads_a_pasted_credential_without_login(record: Record) -> None:
    credential = issue(record.certification)
    client = Client()
    page = client.post("/verifier/", {"credential": credential.token}).content.decode()
    assert "Attestation valide" in page
    assert escape(record.certification.formation.title) in page
    assert record.learner.last_name.upper() not in page.upper()  # nothing about the person
    by_address = client.get(f"/verifier/{credential.uid}/").content.decode()
    assert "Attestation valide" in by_address
    assert client.post("/verifier/", {"credential": "bonjour"}).status_code == 200
    assert "n'est pas une attestation" in client.post(
        "/verifier/", {"credential": "bonjour"}
    ).content.decode().replace("&#x27;", "'")
    assert client.get("/attestations/cles/").json()["keys"][0]["crv"] == "Ed25519"
    assert client.get("/attestations/statut/").status_code == 200


def test_the_attestation_pdf_carries_the_verification_address(record: Record) -> None:
    pdf = attestation_pdf(record.certification)
    assert pdf.startswith(b"%PDF")
    assert Credential.objects.filter(certification=record.certification).exists()


def test_the_credential_is_downloaded_by_those_who_read_the_certification(
    record: Record, client_as: Callable[[User], Client]
) -> None:
    url = f"/attestations/{record.certification.pk}/telecharger/"
    answer = client_as(coordinator()).get(url)
    assert answer.status_code == 200
    assert verify(answer.json()["credential"]).status == Status.VALID
    outsider = User.objects.get(username="conseil-ml")
    assert client_as(outsider).get(url).status_code == 404


def test_a_credential_signed_under_the_older_name_eddsa_still_verifies(record: Record) -> None:
    import warnings

    credential = issue(record.certification)
    claims = payload(credential.token)
    issuer_key, private = keys.signing_key()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        older = jwt.encode(
            {"alg": "EdDSA", "kid": issuer_key.kid}, claims, private, algorithms=["EdDSA"]
        )
    assert verify(older).status == Status.VALID
