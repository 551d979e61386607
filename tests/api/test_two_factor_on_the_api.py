"""Issue 17, item 1: a session reaches the API only once its second factor is verified, and an
`Authorization` header, whatever it holds, is the credential (never a fallback to the session).
One test per combination of header and session, for reads, writes (with the CSRF token), the
documentation page and the schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import login_verified
from tremplin.accounts.models import User
from tremplin.learners.models import Learner
from tremplin.orientation.models import CentreOffer, Referral
from tremplin.orientation.services import send_referral

from .conftest import Api, token_for
from .test_bulk import young_person  # noqa: F401  (fixture)

LEARNERS = "/api/v1/learners/"
DOCS = "/api/docs/"
SCHEMA = "/api/schema/"


def password_only(user: User, **client: Any) -> Client:
    """A session opened with the password alone: the second factor was never checked."""
    session = Client(**client)
    session.force_login(user)
    return session


def refused(response: Any, code: str) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    if response.wsgi_request.path == DOCS:  # a page: the French reason, and no Swagger UI
        page = response.content.decode()
        assert "accès refusé" in page and "swagger-ui" not in page
        return
    if response.wsgi_request.path == SCHEMA:  # JSON, or the schema format (YAML) from DRF
        text = response.content.decode()
        assert code in text and "paths" not in text
        return
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert "results" not in body and "openapi" not in body


@pytest.fixture
def centre_user(db: None) -> User:
    return User.objects.get(username="centre-rennes")


@pytest.fixture
def referral(young_person: Learner) -> Referral:  # noqa: F811
    offer = CentreOffer.objects.get(centre__code="DEMO-BRE", formation__code="CPN58")
    return send_referral(
        young_person,
        offer=offer,
        message="",
        by=User.objects.get(username="conseil-ml"),
        now=timezone.now() - timezone.timedelta(days=2),
    )


def move(client: Client, referral: Referral, **headers: str) -> Any:
    return client.post(
        f"/api/v1/referrals/{referral.pk}/move/",
        {"move": "contact"},
        content_type="application/json",
        headers=headers,
    )


def status_of(referral: Referral) -> str:
    return str(Referral.objects.values_list("status", flat=True).get(pk=referral.pk))


def csrf_of(client: Client) -> str:
    """The CSRF token a page of the web interface gives the signed-in user."""
    client.get("/compte/")
    return str(client.cookies["csrftoken"].value)


# Reads ---------------------------------------------------------------------------------------


def test_no_header_and_no_session_is_a_401(db: None) -> None:
    refused(Client().get(LEARNERS), "not_authenticated")


def test_a_session_with_its_second_factor_verified_reads_the_api(referent: User) -> None:
    assert login_verified(Client(), referent).get(LEARNERS).status_code == 200


def test_a_session_signed_in_with_the_password_alone_is_a_401(referent: User) -> None:
    refused(password_only(referent).get(LEARNERS), "two_factor_required")


def test_an_empty_authorization_header_with_an_unverified_session_is_a_401(
    referent: User,
) -> None:
    client = password_only(referent, headers={"Authorization": ""})
    response = client.get(LEARNERS)
    refused(response, "token_invalid")
    assert "En-tête Authorization vide" in response.json()["detail"]


def test_an_empty_authorization_header_is_a_401_even_with_a_verified_session(
    referent: User,
) -> None:
    client = login_verified(Client(headers={"Authorization": " "}), referent)
    refused(client.get(LEARNERS), "token_invalid")


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Bearer a b", "trm_sans_mot_cle", "Bearer\ttrm_x y"]
)
def test_a_malformed_authorization_header_is_a_401_even_with_a_session(
    referent: User, header: str
) -> None:
    client = password_only(referent, headers={"Authorization": header})
    response = client.get(LEARNERS)
    refused(response, "token_invalid")
    assert "Authorization" in response.json()["detail"]


@pytest.mark.parametrize("keyword", ["Basic", "Digest", "Session"])
def test_another_keyword_than_bearer_is_a_401(referent: User, keyword: str) -> None:
    secret = token_for(referent)
    client = login_verified(Client(headers={"Authorization": f"{keyword} {secret}"}), referent)
    refused(client.get(LEARNERS), "token_invalid")


def test_a_valid_token_reads_as_its_owner_whatever_the_session(
    referent: User, coordinator: User
) -> None:
    secret = token_for(referent)
    client = password_only(coordinator, headers={"Authorization": f"Bearer {secret}"})
    assert client.get(LEARNERS).status_code == 200
    assert client.get("/api/v1/learners/").wsgi_request.user == referent


def test_a_session_whose_authenticator_was_reset_is_refused(referent: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = login_verified(Client(), referent)
    assert client.get(LEARNERS).status_code == 200
    TOTPDevice.objects.filter(user=referent).delete()  # the device the session was verified with
    refused(client.get(LEARNERS), "two_factor_required")
    refused(Client(headers={"Authorization": ""}).get(LEARNERS), "token_invalid")


def test_the_coordinators_reset_of_an_authenticator_ends_the_api_session(
    referent: User, coordinator: User
) -> None:
    session = login_verified(Client(), referent)
    admin = login_verified(Client(), coordinator)
    admin.post(f"/compte/comptes/{referent.pk}/double-authentification/")
    refused(session.get(LEARNERS), "not_authenticated")
    referent.refresh_from_db()
    refused(password_only(referent).get(LEARNERS), "two_factor_required")


def test_a_statistician_who_never_enrolled_reads_the_figures_by_session(
    statistician: User,
) -> None:
    """The two-factor rule is the web's: a role without personal data that never enrolled has
    no second factor to verify (and the API gives it no personal record)."""
    client = password_only(statistician)
    assert client.get("/api/v1/regions/").status_code == 200
    assert client.get(LEARNERS).status_code == 403


# The documentation page and the schema ------------------------------------------------------


def test_the_schema_refuses_an_unverified_session_and_an_empty_header(referent: User) -> None:
    refused(password_only(referent).get(SCHEMA), "two_factor_required")
    refused(password_only(referent, headers={"Authorization": ""}).get(SCHEMA), "token_invalid")


@pytest.mark.parametrize("header", [{}, {"Authorization": ""}, {"Authorization": "Bearer"}])
def test_the_documentation_page_sends_an_unverified_session_to_the_code(
    referent: User, header: dict[str, str]
) -> None:
    response = password_only(referent, headers=header).get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/double-authentification/verification/")


def test_the_documentation_page_refuses_an_empty_header_in_french(referent: User) -> None:
    refused(login_verified(Client(headers={"Authorization": ""}), referent).get(DOCS), "")


@pytest.mark.parametrize("path", [DOCS, SCHEMA])
def test_the_documentation_and_schema_open_to_a_verified_session(referent: User, path: str) -> None:
    assert login_verified(Client(), referent).get(path).status_code == 200


# Writes with the CSRF token -------------------------------------------------------------------


def test_an_unverified_session_with_the_csrf_token_cannot_write(
    centre_user: User, referral: Referral
) -> None:
    client = password_only(centre_user, enforce_csrf_checks=True)
    client.get("/compte/double-authentification/verification/")  # the page asking the code
    token = str(client.cookies["csrftoken"].value)
    refused(move(client, referral, **{"X-CSRFToken": token}), "two_factor_required")
    refused(move(client, referral, **{"X-CSRFToken": token, "Authorization": ""}), "token_invalid")
    assert status_of(referral) == Referral.Status.SENT


def test_a_verified_session_writes_with_the_csrf_token_and_not_without(
    centre_user: User, referral: Referral
) -> None:
    client = login_verified(Client(enforce_csrf_checks=True), centre_user)
    without = move(client, referral)
    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    assert status_of(referral) == Referral.Status.SENT
    response = move(client, referral, **{"X-CSRFToken": csrf_of(client)})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "contacted"


def test_a_token_writes_without_csrf_and_a_session_cannot_stand_in_for_a_bad_one(
    api: Api, centre_user: User, referral: Referral
) -> None:
    session = login_verified(Client(enforce_csrf_checks=True), centre_user)
    token = csrf_of(session)
    refused(move(session, referral, **{"X-CSRFToken": token, "Authorization": ""}), "token_invalid")
    response = move(api("centre-rennes", read_only=False), referral)
    assert response.status_code == 200, response.json()
