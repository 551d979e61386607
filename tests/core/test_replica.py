"""Tremplin with a read replica configured (docs/scaling.md): the reports read from the
`replica` alias, everything else and every write goes to `default`.

In tests the replica is the default test database (`TEST = {"MIRROR": "default"}`, as the
settings declare it): here a second connection wrapper, under the alias `replica`, on the very
connection of `default`, so that it sees the test's own rows inside its transaction."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tremplin.accounts.models import User
from tremplin.core.routers import REPLICA, ReplicaRouter, read_alias, reporting_reads
from tremplin.enrolment.models import Enrolment
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.orientation.stats import referral_stats
from tremplin.reporting.bilan import compute_bilan

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def replica(db: None) -> Iterator[BaseDatabaseWrapper]:
    default = connections["default"]
    default.ensure_connection()
    connections.settings[REPLICA] = {
        **default.settings_dict,
        "TEST": {**default.settings_dict["TEST"], "MIRROR": "default"},
    }
    wrapper = connections.create_connection(REPLICA)
    wrapper.connection = default.connection  # the same database, the same transaction
    connections[REPLICA] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.connection = None  # never close the default's connection
        del connections[REPLICA]
        del connections.settings[REPLICA]


def _tables(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def _some_enrolment() -> Learner:
    from tremplin.catalog.models import TeachingUnit
    from tremplin.places.models import Establishment

    learner = Learner.objects.create(
        reference="REPLICA-1",
        last_name="Test",
        first_name="Réplique",
        birth_date=date(1990, 1, 1),
        kind="detained",
        status="placed",
        establishment=Establishment.objects.get(label="CD MELUN"),
    )
    Enrolment.objects.create(
        learner=learner,
        academic_year="2019-2020",
        unit=TeachingUnit.objects.order_by("code").first(),
        establishment=learner.establishment,
        result="validated",
        grade=12,
    )
    return learner


def test_without_replica_the_router_has_no_opinion() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Enrolment) is None
    assert router.db_for_write(Enrolment) is None
    with reporting_reads():
        assert read_alias() == "default"


def test_bilan_reads_from_the_replica(replica: BaseDatabaseWrapper) -> None:
    _some_enrolment()  # written before: on default
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(replica) as on_replica,
    ):
        bilan = compute_bilan("2019-2020")
    assert bilan.enrolled_learners >= 1  # the replica sees the primary's rows
    assert _tables(on_replica, "enrolment_enrolment")
    assert not on_default.captured_queries


def test_writes_go_to_the_primary_even_inside_the_reports(replica: BaseDatabaseWrapper) -> None:
    learner = _some_enrolment()
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(replica) as on_replica,
        reporting_reads(),
    ):
        read = Learner.objects.get(pk=learner.pk)  # a read: the replica
        Interview.objects.create(learner=read, date=date(2020, 1, 6), kind="training_followup")
    assert _tables(on_replica, "learners_learner")
    assert not _tables(on_replica, "INSERT")
    assert _tables(on_default, "INSERT INTO")
    # Outside the reports every read is the primary's.
    assert ReplicaRouter().db_for_read(Learner) == "default"


def test_orientation_statistics_read_from_the_replica(replica: BaseDatabaseWrapper) -> None:
    caches["reports"].clear()  # computed, not read from an earlier test's stored figures
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(replica) as on_replica,
    ):
        referral_stats(year=2026)
    assert _tables(on_replica, "orientation_referral")
    assert not _tables(on_default, "orientation_referral")


def test_the_pages_run_with_a_replica(
    replica: BaseDatabaseWrapper, client_as: Callable[[User], Client]
) -> None:
    _some_enrolment()
    client = client_as(User.objects.get(username="statistique"))
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(replica) as on_replica,
    ):
        page = client.get("/rapports/", {"year": "2019-2020"})
        export = client.get("/rapports/export/json/", {"year": "2019-2020"})
    assert page.status_code == 200
    assert export.status_code == 200, export.content[:300]
    # The statistician gets published figures: one learner reads « < 5 ».
    assert json.loads(export.content)["enrolled_learners"] == "< 5"
    assert _tables(on_replica, "enrolment_enrolment")
    assert not _tables(on_default, "enrolment_enrolment")
    assert _tables(on_default, "django_session")  # the session: the primary


def test_settings_declare_the_replica() -> None:
    """DATABASE_REPLICA_URL adds the `replica` alias, a test mirror of `default`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tremplin.settings",
        "DATABASE_URL": "postgres://tremplin@primary.invalid:5432/tremplin",
        "DATABASE_REPLICA_URL": "postgres://tremplin@replica.invalid:5432/tremplin",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "r = s.DATABASES['replica']; "
        "print(json.dumps([r['HOST'], r['TEST'], s.DATABASE_ROUTERS]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    host, test, routers = json.loads(out.stdout)
    assert host == "replica.invalid"
    assert test["MIRROR"] == "default"
    assert routers == ["tremplin.core.routers.ReplicaRouter"]
