"""A list's count is read once per state of the tables it reads (tremplin/core/stamps.py): the
database's triggers change a table's token on every write, whoever the writer."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation
from tremplin.core import stamps
from tremplin.core.models import TableStamp
from tremplin.learners.models import Learner
from tremplin.learners.selectors import LearnerFilters, search_learners
from tremplin.orientation.models import Referral
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_count_stored_by_another_test() -> None:
    """A count stored by an earlier test under the same tokens (nothing written since the
    session's data) would be read here without counting."""
    caches["default"].clear()


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the stamps are kept on SQLite only"
)


def add_learner(reference: str, establishment: str = "CD MELUN") -> Learner:
    return Learner.objects.create(
        reference=reference,
        last_name="Koné",
        first_name="Éloïse",
        birth_date=date(1995, 3, 2),
        kind="detained",
        status="placed",
        establishment=Establishment.objects.get(label=establishment),
    )


def counts_run(call: object) -> tuple[int, int]:
    """(the count, how many COUNT queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        value = call()  # type: ignore[operator]
    return value, sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def token(table: str) -> int:
    return TableStamp.objects.get(table=table).token


@sqlite_only
def test_the_same_list_is_counted_once_until_a_learner_is_written(coordinator: User) -> None:
    add_learner("ST-0001")
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    first, counted = counts_run(lambda: stamps.count(listed))
    assert (first, counted) == (1, 1)
    assert counts_run(lambda: stamps.count(listed)) == (1, 0)
    add_learner("ST-0002")
    assert counts_run(lambda: stamps.count(listed)) == (2, 1)


@sqlite_only
def test_a_write_by_raw_sql_or_in_bulk_changes_the_token_of_what_it_writes() -> None:
    learner = add_learner("ST-0003")
    before = token("learners_learner")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE learners_learner SET status = 'released' WHERE id = %s", [learner.pk]
        )
    assert token("learners_learner") != before
    before_reach = token("learners_reach")
    Learner.objects.filter(pk=learner.pk).update(
        establishment=Establishment.objects.get(label="CP FRESNES")
    )
    assert token("learners_reach") != before_reach  # its triggers rewrote the learner's reach
    before_delete = token("learners_learner")
    Learner.objects.filter(pk=learner.pk).delete()
    assert token("learners_learner") != before_delete


@sqlite_only
def test_a_rolled_back_write_leaves_the_old_token_and_its_count(coordinator: User) -> None:
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    before = token("learners_learner")
    counted = stamps.count(listed)
    with pytest.raises(RuntimeError), transaction.atomic():
        add_learner("ST-0004")
        assert stamps.count(listed) == counted + 1  # the transaction reads its own write
        raise RuntimeError("rolled back")
    assert token("learners_learner") == before
    assert counts_run(lambda: stamps.count(listed)) == (counted, 0)


@sqlite_only
def test_each_scope_has_its_own_count(coordinator: User, referent: User) -> None:
    add_learner("ST-0005", "CD MELUN")
    add_learner("ST-0006", "CP FRESNES")
    filters = LearnerFilters(q="kone")
    everywhere = stamps.count(search_learners(coordinator, filters))
    assert everywhere == search_learners(coordinator, filters).count() == 2
    assert stamps.count(search_learners(referent, filters)) == (
        search_learners(referent, filters).count()
    )


def test_a_list_reading_a_table_without_a_stamp_is_counted_each_time() -> None:
    formations = Formation.objects.all()
    assert "catalog_formation" not in stamps.tokens(["catalog_formation"])
    for _ in range(2):
        assert counts_run(lambda: stamps.count(formations)) == (formations.count(), 1)


def test_an_empty_list_is_counted_without_a_stamp() -> None:
    assert stamps.count(Learner.objects.filter(pk__in=[])) == 0


def test_another_way_of_counting_the_same_rows_is_asked_once_per_state_of_its_tables() -> None:
    asked: list[int] = []

    referrals = Referral.objects.filter(status=Referral.Status.SENT)

    def counter() -> int:
        asked.append(1)
        return referrals.count()

    assert stamps.count(referrals, counter) == stamps.count(referrals, counter)
    assert len(asked) == (1 if connection.vendor == "sqlite" else 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_keeps_no_stamp_and_counts_each_time(coordinator: User) -> None:
    assert not TableStamp.objects.exists()
    add_learner("ST-0007")
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    assert counts_run(lambda: stamps.count(listed))[1] == 1
    assert counts_run(lambda: stamps.count(listed))[1] == 1


def test_the_tables_a_statement_reads_include_its_subqueries_and_raw_parts() -> None:
    sql = (
        'SELECT "learners_learner"."id" FROM "learners_learner" INNER JOIN '
        '"places_establishment" ON (1 = 1) WHERE "learners_learner"."id" IN (SELECT rowid FROM '
        'learner_search WHERE learner_search MATCH %s) AND id IN (SELECT U0."learner_id" '
        'FROM "learners_reach" U0)'
    )
    assert stamps.tables_read(sql) == {
        "learners_learner",  # learner_search goes by the learners' stamp
        "places_establishment",
        "learners_reach",
    }


def test_a_search_of_the_full_text_index_goes_by_the_learners_stamp() -> None:
    sql = "SELECT id FROM learners_learner WHERE id IN (SELECT rowid FROM learner_search)"
    assert stamps.tables_read(sql) == {"learners_learner"}


@sqlite_only
def test_stamping_a_table_again_gives_it_a_new_token() -> None:
    """A migration that rebuilt a table (SQLite drops its triggers) stamps it again, after
    rows may have been written without them."""
    before = token("learners_reach")
    with connection.cursor() as cursor:
        for statement in stamps.create_statements("learners_reach"):
            cursor.execute(statement)
    assert token("learners_reach") != before


def test_a_stamp_is_given_to_plain_table_names_only() -> None:
    with pytest.raises(ValueError, match="Not a table name"):
        stamps.create_statements("learners_learner; DROP TABLE x")
