"""Issue 17, item 6: an API token never outlives the account's security events (logout from
every device, second-factor reset, password change by its owner, by a reset link or by an
administrator, deactivation), and creating one asks for the password again."""

from __future__ import annotations

import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.helpers import PASSWORD, make_user
from tests.conftest import login_verified
from tremplin.accounts.models import User
from tremplin.accounts.services import REAUTHENTICATED_AT
from tremplin.api.models import ApiToken

from .conftest import token_for

NEW_PASSWORD = "Une-autre-phrase-2027"
TOKENS = "/integrations/jetons/"


@pytest.fixture
def nadia(db: None) -> User:
    return make_user("nadia")


def revoked_with(secret: str, reason: str) -> None:
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/regions/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_revoked"
    assert body["detail"].endswith(f"\u00a0: {reason}.")


def test_logging_out_of_every_device_revokes_the_tokens(nadia: User, coordinator: User) -> None:
    secret, other = token_for(nadia), token_for(coordinator)
    login_verified(Client(), nadia).post("/compte/deconnexion-partout/")
    revoked_with(secret, "déconnexion de tous les appareils")
    assert (
        Client(headers={"Authorization": f"Bearer {other}"}).get("/api/v1/regions/").status_code
        == 200
    )


def test_the_reset_of_the_second_factor_revokes_the_tokens(nadia: User, coordinator: User) -> None:
    secret = token_for(nadia)
    login_verified(Client(), coordinator).post(
        f"/compte/comptes/{nadia.pk}/double-authentification/"
    )
    revoked_with(secret, "double authentification réinitialisée")


def test_changing_ones_password_revokes_the_tokens(nadia: User) -> None:
    secret = token_for(nadia)
    response = login_verified(Client(), nadia).post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    revoked_with(secret, "mot de passe changé")


def test_a_password_chosen_through_a_reset_link_revokes_the_tokens(nadia: User) -> None:
    secret = token_for(nadia)
    uid = urlsafe_base64_encode(force_bytes(nadia.pk))
    link = f"/compte/reinitialisation/{uid}/{default_token_generator.make_token(nadia)}/"
    client = Client()
    form = client.get(link, follow=True)  # Django moves the token out of the address
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)
    revoked_with(secret, "mot de passe changé")


def test_a_password_set_by_an_administrator_or_a_command_revokes_the_tokens(nadia: User) -> None:
    secret = token_for(nadia)
    nadia.set_password(NEW_PASSWORD)
    nadia.save()
    revoked_with(secret, "mot de passe changé")


def test_deactivating_the_account_revokes_the_tokens(nadia: User) -> None:
    secret = token_for(nadia)
    nadia.is_active = False
    nadia.save(update_fields=["is_active"])
    revoked_with(secret, "compte désactivé")
    nadia.is_active = True
    nadia.save(update_fields=["is_active"])
    revoked_with(secret, "compte désactivé")  # reactivated: the old tokens stay revoked


def test_other_changes_of_the_account_keep_the_tokens(nadia: User) -> None:
    secret = token_for(nadia)
    nadia.first_name = "Nadia"
    nadia.save()
    login_verified(Client(), nadia)  # a login writes last_login
    assert (
        Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/regions/").status_code
        == 200
    )
    assert ApiToken.objects.get(user=nadia).revoked_at is None


# Creating a token asks for the password again ------------------------------------------------


def create(client: Client, **extra: str) -> tuple[int, str]:
    response = client.post(TOKENS, {"name": "Scolarité", "lifetime": "30", **extra})
    return response.status_code, response.content.decode()


def test_creating_a_token_asks_for_the_password(nadia: User) -> None:
    client = login_verified(Client(), nadia)
    assert 'name="password"' in client.get(TOKENS).content.decode()
    status, page = create(client)
    assert status == 400 and "Ce champ est obligatoire" in page
    assert not ApiToken.objects.exists()


def test_a_wrong_password_creates_nothing_and_counts_as_a_failed_login(nadia: User) -> None:
    status, page = create(login_verified(Client(), nadia), password="pas-le-bon")
    assert status == 400
    assert "Mot de passe incorrect : le jeton n’est pas créé" in page
    assert not ApiToken.objects.exists()
    assert AccessAttempt.objects.filter(username="nadia").get().failures_since_start == 1


def test_the_right_password_creates_the_token_and_is_not_asked_again_for_ten_minutes(
    nadia: User,
) -> None:
    client = login_verified(Client(), nadia)
    status, page = create(client, password=PASSWORD)
    assert status == 200 and re.search(r"trm_[\w-]+", page)
    assert 'name="password"' not in client.get(TOKENS).content.decode()
    assert create(client)[0] == 200
    assert ApiToken.objects.filter(user=nadia).count() == 2
    session = client.session
    session[REAUTHENTICATED_AT] = time.time() - 11 * 60
    session.save()
    assert create(client)[0] == 400  # eleven minutes later: asked again
    assert ApiToken.objects.filter(user=nadia).count() == 2
