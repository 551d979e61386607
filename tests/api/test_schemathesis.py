"""Schemathesis against the committed OpenAPI schema: requests generated from every operation,
sent in-process to the application with a national coordinator's read-write token: no request
ever gets a server error (5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.personal_world import make_record
from tremplin.accounts.models import User

from .conftest import token_for

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
schema = schemathesis.openapi.from_path(SCHEMA)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """The requests run in the test's transaction: like Django's test client, the handler must
    not close the database connection at the end of each request (PostgreSQL would lose the
    test's data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def authorization(db: None) -> dict[str, str]:
    make_record("ST-MELUN-0001", establishment="CD MELUN")
    make_record("ST-YOUTH-0002", mission_locale="DEMO-ML-STMALO")
    token = token_for(User.objects.get(username="coordination"), read_only=False)
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case: Any, authorization: dict[str, str]) -> None:
    response = case.call_and_validate(headers=authorization, checks=[not_a_server_error])
    assert response.status_code != 401, "the token must be accepted: the requests reach the views"
