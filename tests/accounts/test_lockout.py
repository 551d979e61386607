"""Lock-out after repeated login failures (django-axes): five failures lock an account (from
anywhere, and from the address that failed) for fifteen minutes, never a whole address; behind a
trusted proxy the client's address is the proxy's header; the national coordinator can unlock
before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
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


def test_five_failures_of_different_usernames_from_one_address_lock_no_one_out(
    client: Client,
) -> None:
    for name in ("un", "deux", "trois", "quatre", "cinq"):
        password_login(client, name, "mauvais", ip="192.0.2.7")
    make_user("nadia")
    assert password_login(Client(), "nadia", ip="192.0.2.7").status_code == 302
    assert password_login(Client(), "un", "mauvais", ip="192.0.2.7").status_code == 200


def test_five_failures_of_one_username_from_one_address_lock_that_username(
    client: Client,
) -> None:
    make_user("nadia")
    make_user("karim")
    for _ in range(5):
        password_login(client, "nadia", "mauvais", ip="192.0.2.7")
    assert password_login(Client(), "nadia", ip="192.0.2.7").status_code == 429
    assert password_login(Client(), "karim", ip="192.0.2.7").status_code == 302


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


def test_the_national_coordinator_sees_and_unlocks_an_account(
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
    assert "Débloquer l’adresse" not in page  # an address alone is never locked
    admin.post("/compte/comptes/deblocage/", {"username": "nadia"})
    assert password_login(Client(), "nadia", ip="192.0.2.11").status_code == 302
    assert password_login(Client(), "nadia", ip="192.0.2.10").status_code == 302
    summaries = set(
        AuditEvent.objects.filter(user=coordinator, action="security").values_list(
            "summary", flat=True
        )
    )
    assert summaries == {"compte débloqué : nadia"}


# ---------------------------------------------------------------------------------------------
# Behind a reverse proxy (docs/scaling.md): TRUSTED_PROXIES


PROXY = "10.0.0.5"


def through_proxy(username: str, client_ip: str, *, peer: str = PROXY) -> Any:
    return Client().post(
        "/connexion/",
        {"username": username, "password": "mauvais"},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=f"{client_ip}, {peer}" if peer != PROXY else client_ip,
    )


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_behind_a_trusted_proxy_the_lock_and_the_audit_use_the_forwarded_address() -> None:
    user = make_user("nadia")
    for attempt in range(5):
        through_proxy("nadia", f"203.0.113.{attempt + 1}")
        through_proxy(f"inconnu-{attempt}", "203.0.113.50")
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert PROXY not in addresses and "203.0.113.50" in addresses
    make_user("karim")
    assert password_login(Client(), "karim", ip=PROXY).status_code == 302  # the proxy: not locked
    event = AuditEvent.objects.filter(action="security", object_id=str(user.pk)).get()
    assert event.ip == "203.0.113.5"  # the fifth failure's client, not the proxy


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_forwarded_header_from_an_untrusted_peer_is_ignored() -> None:
    make_user("nadia")
    for attempt in range(5):
        through_proxy("nadia", f"203.0.113.{attempt + 1}", peer="198.51.100.9")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}
