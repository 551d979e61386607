"""Two-factor authentication (TOTP, RFC 6238, with django-otp): mandatory for every role that
reads personal records, enrolment with a QR code and ten recovery codes, verification at each
login, every page but its own closed until then."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.accounts.models import User
from tremplin.accounts.twofactor import current_code
from tremplin.core.models import AuditEvent
from tremplin.core.roles import Role

from .helpers import (
    ENROL,
    RECOVERY,
    VERIFY,
    code_of,
    enrolled,
    make_user,
    password_login,
)

pytestmark = pytest.mark.django_db

PERSONAL_ROLES = [role for role in Role if role != Role.STATISTICIAN]


def security_events(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(action="security", user=user)
        .order_by("id")
        .values_list("summary", flat=True)
    )


@pytest.mark.parametrize("role", PERSONAL_ROLES)
def test_every_role_that_reads_personal_records_must_enrol_before_any_page(
    client: Client, role: Role
) -> None:
    make_user("nouvelle", role)
    response = password_login(client, "nouvelle")
    assert response.status_code == 302
    for url in ("/", "/catalogue/", "/lieux/carte/", "/journal/", "/compte/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(ENROL), url


def test_a_superuser_must_use_two_factor_whatever_their_role(client: Client) -> None:
    make_user("chef", Role.STATISTICIAN, is_superuser=True, is_staff=True)
    password_login(client, "chef")
    assert client.get("/").headers["Location"].startswith(ENROL)
    assert client.get("/admin/").headers["Location"].startswith(ENROL)


def test_the_statistician_works_without_two_factor(client: Client) -> None:
    make_user("chiffres", Role.STATISTICIAN)
    password_login(client, "chiffres")
    response = client.get("/rapports/")
    assert response.status_code == 200
    assert client.get("/compte/").status_code == 200


def test_a_statistician_who_enrolled_anyway_is_asked_for_the_code(client: Client) -> None:
    enrolled(make_user("prudent", Role.STATISTICIAN))
    password_login(client, "prudent")
    assert client.get("/rapports/").headers["Location"].startswith(VERIFY)


def test_an_enrolled_user_is_asked_for_the_code_after_the_password(client: Client) -> None:
    enrolled(make_user("nadia"))
    response = password_login(client, "nadia")
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"


def test_until_verified_only_the_two_factor_pages_public_pages_and_logout_answer(
    client: Client,
) -> None:
    enrolled(make_user("nadia"))
    password_login(client, "nadia")
    for url in ("/apprenants/", "/catalogue/2020-2021/", RECOVERY, "/admin/", "/compte/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
    # A POST is refused the same way: nothing is written.
    response = client.post("/compte/deconnexion-partout/")
    assert response["Location"] == VERIFY
    assert client.get(VERIFY).status_code == 200
    assert client.get("/sources/").status_code == 200
    assert client.get("/sante/").status_code == 200
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/connexion/")


def test_no_menu_is_shown_until_the_code_is_given(client: Client) -> None:
    """Each of its entries led back to the code's page."""
    device, _ = enrolled(make_user("nadia"))
    password_login(client, "nadia")
    page = client.get(VERIFY)
    assert page.context["navigation"] == []
    assert 'id="navigation-principale"' not in page.content.decode()

    client.post(VERIFY, {"code": code_of(device), "next": "/"})
    home = client.get("/")
    assert home.context["navigation"]
    assert 'id="navigation-principale"' in home.content.decode()


def test_the_right_code_opens_the_session_and_goes_to_the_page_asked_for(
    client: Client,
) -> None:
    device, _ = enrolled(make_user("nadia"))
    password_login(client, "nadia")
    response = client.post(VERIFY, {"code": code_of(device), "next": "/catalogue/"})
    assert response["Location"] == "/catalogue/"
    assert client.get("/catalogue/").status_code == 200


def test_the_next_page_must_be_on_this_site(client: Client) -> None:
    device, _ = enrolled(make_user("nadia"))
    password_login(client, "nadia")
    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_and_written_to_the_audit_log(client: Client) -> None:
    device, _ = enrolled(make_user("nadia"))
    password_login(client, "nadia")
    wrong = "000000" if code_of(device) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas le bon" in response.content.decode()
    assert client.get("/").status_code == 302
    user = User.objects.get(username="nadia")
    assert security_events(user) == ["échec de vérification du code de double authentification"]


def test_the_same_code_is_not_accepted_twice(client: Client) -> None:
    device, _ = enrolled(make_user("nadia"))
    code = code_of(device)
    password_login(client, "nadia")
    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    client.post("/deconnexion/")
    password_login(client, "nadia")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_repeated_wrong_codes_are_throttled(client: Client) -> None:
    device, _ = enrolled(make_user("nadia"))
    password_login(client, "nadia")
    client.post(VERIFY, {"code": "000000" if code_of(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"code": code_of(device)})  # within the back-off delay
    assert "Trop d&#x27;essais successifs" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once_and_its_use_is_recorded(client: Client) -> None:
    _, codes = enrolled(make_user("nadia"))
    password_login(client, "nadia")
    typed = f"{codes[0][:4]}-{codes[0][4:]}".upper()  # as printed, in capitals: accepted
    response = client.post(VERIFY, {"code": typed}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Il vous en reste 9." in response.content.decode()
    client.post("/deconnexion/")
    password_login(client, "nadia")
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert client.get("/").status_code == 302
    user = User.objects.get(username="nadia")
    assert security_events(user) == [
        "code de secours utilisé (9 restants)",
        "échec de vérification d'un code de secours",
    ]


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms_a_code(client: Client) -> None:
    user = make_user("nouvelle")
    password_login(client, "nouvelle")
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert '<svg viewBox="' in page and 'class="tr-qr"' in page
    assert "Clé à saisir" in page
    # A reload shows the same secret: the pending device is kept.
    assert client.get(ENROL).content.decode().count("<svg viewBox") == 1
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = client.post(ENROL, {"code": code_of(device), "next": "/catalogue/"})
    assert response.status_code == 302
    assert response["Location"].startswith(RECOVERY)
    device.refresh_from_db()
    assert device.confirmed
    assert security_events(user) == ["double authentification activée"]

    page = client.get(response["Location"]).content.decode()
    tokens = StaticToken.objects.filter(device__user=user)
    assert tokens.count() == 10
    for token in tokens:
        assert f"{token.token[:4]}-{token.token[4:]}" in page
    assert 'href="/catalogue/"' in page
    # Shown once: the next visit of the page no longer prints them.
    again = client.get(RECOVERY).content.decode()
    assert tokens[0].token[:4] + "-" not in again
    assert "Il vous reste 10 codes de secours" in again
    assert client.get("/catalogue/").status_code == 200


def test_enrolment_refuses_a_wrong_code(client: Client) -> None:
    user = make_user("nouvelle")
    password_login(client, "nouvelle")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    wrong = "000000" if code_of(device) != "000000" else "111111"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert security_events(user) == ["échec de vérification du code à l'activation"]
    assert client.get("/").headers["Location"].startswith(ENROL)


def test_an_enrolled_user_cannot_enrol_a_second_authenticator_without_the_first(
    client: Client,
) -> None:
    enrolled(make_user("nadia"))
    password_login(client, "nadia")
    assert client.get(ENROL).headers["Location"].startswith(VERIFY)


def test_new_recovery_codes_replace_the_old_ones(
    client_as: Callable[[User], Client],
) -> None:
    user = make_user("nadia")
    _, old = enrolled(user)
    client = client_as(user)
    response = client.post("/compte/double-authentification/codes-de-secours/nouveaux/")
    page = client.get(response["Location"]).content.decode()
    new = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(f"{t[:4]}-{t[4:]}" in page for t in new)
    assert "nouveaux codes de secours générés" in security_events(user)


def test_the_national_coordinator_resets_a_lost_authenticator(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    user = make_user("nadia")
    enrolled(user)
    lost = Client()
    password_login(lost, "nadia")
    response = client_as(coordinator).post(f"/compte/comptes/{user.pk}/double-authentification/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert lost.get("/").headers["Location"].startswith("/connexion/")  # sessions closed
    password_login(lost, "nadia")
    assert lost.get("/").headers["Location"].startswith(ENROL)
    assert AuditEvent.objects.filter(
        user=coordinator, summary="double authentification réinitialisée pour nadia"
    ).exists()


def test_only_the_national_coordinator_administers_accounts(
    client_as: Callable[[User], Client], referent: User
) -> None:
    client = client_as(referent)
    assert client.get("/compte/comptes/").status_code == 403
    assert client.post(f"/compte/comptes/{referent.pk}/double-authentification/").status_code == 403
    assert (
        client.post(f"/compte/comptes/{referent.pk}/lien-de-reinitialisation/").status_code == 403
    )
    assert client.post("/compte/comptes/deblocage/", {"username": "x"}).status_code == 403


def test_an_api_call_with_a_token_is_left_to_the_api(client: Client) -> None:
    enrolled(make_user("nadia"))
    password_login(client, "nadia")
    unverified = client.get("/api/v1/regions/")
    assert unverified.status_code == 401
    assert "Double authentification requise" in unverified.json()["detail"]
    with_token = client.get("/api/v1/regions/", headers={"Authorization": "Bearer trm_nope"})
    assert with_token.status_code == 401
    assert with_token.json()["code"] == "token_invalid"  # judged as a token, not as the session


def test_demo_accounts_share_the_documented_demo_secret() -> None:
    from tremplin.demo.accounts import DEMO_TOTP_KEY

    for username in ("coordination", "referent", "enseignant"):
        device = TOTPDevice.objects.get(user__username=username)
        assert device.key == DEMO_TOTP_KEY and device.confirmed
    assert not TOTPDevice.objects.filter(user__username="statistique").exists()
    assert len(current_code(DEMO_TOTP_KEY)) == 6
