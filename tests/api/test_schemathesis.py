"""Schemathesis against the committed OpenAPI schema, with every check (as `--checks all`):
requests generated from every operation, valid ones and invalid ones (positive and negative
modes, examples, coverage and fuzzing phases), a fixed seed, sent in-process with a national
coordinator's read-write token. Every answer is documented (status, content type, headers,
body), every valid request is accepted, every invalid one refused."""

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
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from tests.personal_world import make_record
from tremplin.accounts.models import User

from .conftest import token_for

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
#: Examples per operation and phase: about a minute per database for the whole schema.
EXAMPLES = 15

# The schema's own format for academic years (a pattern cannot say "two consecutive years").
schemathesis.openapi.format(
    "academic-year", st.integers(1900, 2199).map(lambda start: f"{start}-{start + 1}")
)
# The rows of the bulk endpoints and the bilan's scope name records (a learner, a UE, a DISP)
# that only the database knows: a well-formed request naming an unknown one is refused (400,
# documented, naming the row and the field), which is the contract, not a breach of it.
NAMING_RECORDS = [
    "POST /api/v1/results/bulk/",
    "POST /api/v1/referrals/bulk/",
    "GET /api/v1/bilan/{year}/",
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260131,
        "operations": [
            {
                "include-name": label,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for label in NAMING_RECORDS
        ],
    }
)
schema = schemathesis.openapi.from_path(SCHEMA, config=CONFIG)
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
    # In-process, nothing decompresses what GZipMiddleware would compress for a real client.
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_generated_request_gets_the_answer_the_schema_documents(
    case: Any, authorization: dict[str, str]
) -> None:
    case.call_and_validate(headers=authorization)
