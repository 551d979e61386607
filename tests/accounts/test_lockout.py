"""Lock-out after repeated login failures (django-axes): five failures lock an account, or an
address, for fifteen minutes; the national coordinator can unlock before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent

from .helpers import PASSWORD, make_user, password_login

pytestmark = pytest.mark.django_db

LOCKED = "Trop de tentatives de connexion ont échoué"


def test_five_failures_lock_the_account_even_with_the_right_password_from_elsewhere(
    client: Client,
) -> None:
    make_user("nadia")
    for attempt in range(5):
        response = password_login(client, "nadia", "mauvais", ip=f"10.0.0.{attempt + 1}")
    assert response.status_code == 429
    locked = Client()
    response = password_login(locked, "nadia", PASSWORD, ip="10.0.1.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "pendant 15 minutes" in page
    assert "coordination nationale" in page
    assert "_auth_user_id" not in locked.session


def test_four_failures_still_let_the_right_password_in(client: Client) -> None:
    make_user("nadia")
    for _ in range(4):
        password_login(client, "nadia", "mauvais")
    assert password_login(client, "nadia")["Location"] == "/"


def test_five_failures_from_one_address_lock_that_address_for_every_account(
    client: Client,
) -> None:
    for name in ("un", "deux", "trois", "quatre", "cinq"):
        password_login(client, name, "mauvais", ip="192.0.2.7")
    make_user("nadia")
    assert password_login(Client(), "nadia", ip="192.0.2.7").status_code == 429
    assert password_login(Client(), "nadia", ip="192.0.2.8").status_code == 302


def test_the_lock_ends_after_the_cool_off(client: Client) -> None:
    make_user("nadia")
    for _ in range(5):
        password_login(client, "nadia", "mauvais")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert password_login(Client(), "nadia").status_code == 302


def test_the_lock_out_is_written_to_the_audit_log(client: Client) -> None:
    user = make_user("nadia")
    for _ in range(5):
        password_login(client, "nadia", "mauvais", ip="192.0.2.9")
    event = AuditEvent.objects.filter(action="security", object_id=str(user.pk)).get()
    assert event.summary == ("connexion bloquée après des échecs répétés : nadia depuis 192.0.2.9")
    assert event.ip == "192.0.2.9"


def test_the_national_coordinator_sees_and_unlocks_an_account_and_an_address(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    make_user("nadia")
    for attempt in range(5):
        password_login(Client(), "nadia", "mauvais", ip=f"198.51.100.{attempt + 1}")
        password_login(Client(), f"inconnu-{attempt}", "mauvais", ip="192.0.2.10")
    assert password_login(Client(), "nadia", ip="192.0.2.11").status_code == 429
    admin = client_as(coordinator)
    page = admin.get("/compte/comptes/").content.decode()
    assert "Débloquer le compte nadia" in page
    assert "Débloquer l’adresse 192.0.2.10" in page
    admin.post("/compte/comptes/deblocage/", {"username": "nadia"})
    assert password_login(Client(), "nadia", ip="192.0.2.11").status_code == 302
    assert password_login(Client(), "nadia", ip="192.0.2.10").status_code == 429
    admin.post("/compte/comptes/deblocage/", {"ip": "192.0.2.10"})
    assert password_login(Client(), "nadia", ip="192.0.2.10").status_code == 302
    summaries = set(
        AuditEvent.objects.filter(user=coordinator, action="security").values_list(
            "summary", flat=True
        )
    )
    assert summaries == {"compte débloqué : nadia", "adresse débloquée : 192.0.2.10"}
