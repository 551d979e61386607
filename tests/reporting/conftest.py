"""The demo history and the Émergence cohorts, loaded once for a test module inside a
transaction that is rolled back when the module is done: every test of the module runs in a
savepoint of it, and the other modules never see these rows."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import transaction

from tremplin.demo.emergence import load_emergence
from tremplin.demo.learners import load_learners


@pytest.fixture(scope="module")
def demo_history(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[list[str]]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        started = time.perf_counter()
        lines = load_learners() + load_emergence()
        print(f"\ndemo history + Émergence: {time.perf_counter() - started:.2f} s")
        yield lines
        transaction.set_rollback(True)
