"""Sessions: they end after 30 minutes without activity, 12 hours after the login, and all at
once with « Se déconnecter de tous les appareils »."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import login_verified
from tremplin.accounts.middleware import LOGIN_AT, SEEN_AT
from tremplin.accounts.models import User
from tremplin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _queries_of(client: Client, path: str) -> list[dict[str, str]]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return list(captured.captured_queries)


def test_a_session_expires_after_thirty_minutes_without_activity(
    client_as: Callable[[User], Client], referent: User
) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_as(referent)
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    # Thirty-one minutes later, without a request in between:
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_a_request_a_minute_after_the_last_write_pushes_the_expiry_back(
    client_as: Callable[[User], Client], referent: User
) -> None:
    client = client_as(referent)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    session = client.session
    session[SEEN_AT] = int(time.time()) - settings.TREMPLIN_SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=2))
    assert client.get("/").status_code == 200
    remaining = Session.objects.get(pk=key).expire_date - timezone.now()
    assert remaining > timedelta(minutes=29)


def test_pages_within_the_minute_do_not_write_the_session_back(
    client_as: Callable[[User], Client], referent: User
) -> None:
    client = client_as(referent)
    assert client.get("/").status_code == 200  # the first page after the login writes it
    key = client.session.session_key
    written = Session.objects.get(pk=key).expire_date
    for path in ("/", "/apprenants/", "/catalogue/"):
        assert client.get(path).status_code == 200
    assert Session.objects.get(pk=key).expire_date == written
    assert not any(
        query["sql"].startswith("UPDATE") and "django_session" in query["sql"]
        for query in _queries_of(client, "/")
    )


def test_a_session_ends_twelve_hours_after_the_login_however_active(
    client_as: Callable[[User], Client], referent: User
) -> None:
    client = client_as(referent)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - 12 * 3600 - 60
    session.save()
    response = client.get("/catalogue/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=%2Fcatalogue%2F"


def test_logout_everywhere_ends_every_session_of_the_user_only(
    client_as: Callable[[User], Client], referent: User, coordinator: User
) -> None:
    here = client_as(referent)
    elsewhere = login_verified(Client(), referent)
    colleague = login_verified(Client(), coordinator)
    assert elsewhere.get("/").status_code == 200
    response = here.post("/compte/deconnexion-partout/", follow=True)
    assert "Vous êtes déconnecté de tous les appareils." in response.content.decode()
    for client in (here, elsewhere):
        assert client.get("/").headers["Location"].startswith("/connexion/")
    assert colleague.get("/").status_code == 200
    assert AuditEvent.objects.filter(
        user=referent, action="security", summary="déconnexion de tous les appareils"
    ).exists()
    # A new login works again.
    referent.refresh_from_db()
    assert login_verified(Client(), referent).get("/").status_code == 200


def test_the_account_page_offers_the_logout_everywhere(
    client_as: Callable[[User], Client], referent: User
) -> None:
    page = client_as(referent).get("/compte/").content.decode()
    assert "Se déconnecter de tous les appareils" in page
    assert "30 minutes sans activité" in page
    assert "La double authentification est activée" in page


def test_a_short_idle_limit_is_refreshed_often_enough_to_keep_an_active_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import runpy

    import tremplin.settings

    monkeypatch.setenv("TREMPLIN_HOME", str(tmp_path))
    for minutes, refresh in (("1", 30), ("2", 60), ("30", 60)):
        monkeypatch.setenv("SESSION_IDLE_MINUTES", minutes)
        values = runpy.run_path(tremplin.settings.__file__)
        assert values["SESSION_COOKIE_AGE"] == int(minutes) * 60
        assert values["TREMPLIN_SESSION_REFRESH_SECONDS"] == refresh
