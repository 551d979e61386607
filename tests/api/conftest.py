"""The API's tests drive it as a partner system would: a personal token in the Authorization
header, JSON in and out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.personal_world import Record, make_record
from tremplin.accounts.models import User
from tremplin.api.tokens import create_token

Api = Callable[..., Client]


def token_for(user: User, *, read_only: bool = True, days: int = 30) -> str:
    _, secret = create_token(
        user,
        name="Logiciel partenaire",
        expires_at=timezone.now() + timedelta(days=days),
        read_only=read_only,
    )
    return secret


@pytest.fixture
def api(db: None) -> Api:
    """A client that calls the API with a new token of `username` (or with `token`)."""

    def make(username: str = "", *, read_only: bool = True, token: str = "") -> Client:
        if not token:
            token = token_for(User.objects.get(username=username), read_only=read_only)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def world(db: None) -> dict[str, Record]:
    """A learner at CD MELUN (DISP Paris), one at MA ST MALO (DISP Rennes), a young person of
    the Saint-Malo mission locale: each with an application, an enrolment, a certification and
    an interview."""
    return {
        "melun": make_record("API-MELUN-0001", establishment="CD MELUN"),
        "stmalo": make_record("API-STMALO-0002", establishment="MA ST MALO"),
        "youth": make_record("API-YOUTH-0003", mission_locale="DEMO-ML-STMALO"),
    }


def results_of(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    assert response.status_code == 200, body
    return list(body["results"])
