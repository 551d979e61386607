"""Passwords: Django's validators (12 characters at least, no common password, not only digits,
not close to the user's attributes), change by the user, reset through a one-time link valid 24
hours that the national coordinator makes and passes on."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent

from .helpers import PASSWORD, make_user, password_login

pytestmark = pytest.mark.django_db


def problems(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [str(e.code) for e in error.error_list]
    return []


def test_a_password_needs_twelve_characters() -> None:
    assert "password_too_short" in problems("Court-2026!")


def test_a_common_password_is_refused() -> None:
    assert "password_too_common" in problems("password1234")


def test_a_password_of_digits_only_is_refused() -> None:
    assert "password_entirely_numeric" in problems("482915736014")


def test_a_password_close_to_the_username_is_refused() -> None:
    user = User(username="nadia.benali", first_name="Nadia", last_name="Benali")
    assert "password_too_similar" in problems("nadia.benali1", user)


def test_a_long_uncommon_password_is_accepted() -> None:
    assert problems("Tremplin-valide-2026") == []


def reset_link(admin: Client, user: User) -> str:
    response = admin.post(f"/compte/comptes/{user.pk}/lien-de-reinitialisation/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce lien n’est affiché qu’une fois" in page
    match = re.search(r"http://testserver(/compte/reinitialisation/[^<\s]+)", page)
    assert match is not None
    return match.group(1)


def test_the_reset_link_made_by_the_coordinator_works_once(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    user = make_user("nadia")
    path = reset_link(client_as(coordinator), user)
    visitor = Client()
    response = visitor.get(path, follow=True)
    assert "Choisir un nouveau mot de passe" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = visitor.post(
        form_url, {"new_password1": "Nouvelle-phrase-2026", "new_password2": "Nouvelle-phrase-2026"}
    )
    assert response["Location"] == "/compte/reinitialisation/terminee/"
    assert password_login(Client(), "nadia", "Nouvelle-phrase-2026").status_code == 302
    assert password_login(Client(), "nadia", PASSWORD).status_code == 200  # the old one is gone
    # Used once: the same link is now refused.
    page = Client().get(path, follow=True).content.decode()
    assert "Ce lien n’est plus valable" in page
    summaries = set(
        AuditEvent.objects.filter(action="security", object_id=str(user.pk)).values_list(
            "summary", flat=True
        )
    )
    assert summaries == {
        "lien de réinitialisation du mot de passe créé pour nadia",
        "mot de passe réinitialisé par lien",
    }


def test_the_reset_form_applies_the_password_policy(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    user = make_user("nadia")
    visitor = Client()
    response = visitor.get(reset_link(client_as(coordinator), user), follow=True)
    response = visitor.post(
        response.redirect_chain[-1][0], {"new_password1": "123456", "new_password2": "123456"}
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()


def test_a_reset_link_expires_after_twenty_four_hours(db: None) -> None:
    user = make_user("nadia")

    class Yesterday(PasswordResetTokenGenerator):
        def _now(self) -> datetime:
            return datetime.now() - timedelta(hours=24, minutes=1)

    token = Yesterday().make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page = Client().get(f"/compte/reinitialisation/{uid}/{token}/", follow=True).content
    assert "Ce lien n’est plus valable" in page.decode()


def test_a_user_changes_their_password_and_their_other_sessions_end(
    client_as: Callable[[User], Client],
) -> None:
    from tests.conftest import login_verified

    user = make_user("nadia")
    client = client_as(user)
    other = login_verified(Client(), user)
    response = client.post(
        "/compte/mot-de-passe/",
        {
            "old_password": PASSWORD,
            "new_password1": "Autre-phrase-de-passe-2027",
            "new_password2": "Autre-phrase-de-passe-2027",
        },
    )
    assert response["Location"] == "/compte/"
    assert client.get("/").status_code == 200
    assert other.get("/").headers["Location"].startswith("/connexion/")
    assert AuditEvent.objects.filter(user=user, summary="mot de passe changé").exists()
