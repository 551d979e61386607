"""A list's count is read once per state of the tables it reads (tremplin/core/stamps.py): the
database's triggers change a table's token on every write, whoever the writer."""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tremplin.accounts.models import User
from tremplin.catalog.models import Edition
from tremplin.core import stamps
from tremplin.core.models import TableStamp, TableWrite
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
    connection.vendor != "sqlite", reason="SQLite's stamps (row triggers)"
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's stamps (writes of transactions)"
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
    return value, sum(
        "COUNT(" in q["sql"].upper() and "core_table" not in q["sql"]  # not the stamps'
        for q in queries.captured_queries
    )


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
    editions = Edition.objects.all()
    assert "catalog_edition" not in stamps.tokens(["catalog_edition"])
    for _ in range(2):
        assert counts_run(lambda: stamps.count(editions)) == (editions.count(), 1)


def test_an_empty_list_is_counted_without_a_stamp() -> None:
    assert stamps.count(Learner.objects.filter(pk__in=[])) == 0


def test_another_way_of_counting_the_same_rows_is_asked_once_per_state_of_its_tables() -> None:
    asked: list[int] = []

    referrals = Referral.objects.filter(status=Referral.Status.SENT)

    def counter() -> int:
        asked.append(1)
        return referrals.count()

    assert stamps.count(referrals, counter) == stamps.count(referrals, counter)
    assert len(asked) == 1


def test_a_value_kept_per_state_of_its_tables_is_computed_again_after_a_write() -> None:
    computed: list[int] = []

    def labels() -> list[str]:
        computed.append(1)
        return list(Establishment.objects.order_by("label").values_list("label", flat=True))

    first = stamps.kept("test.labels", ["places_establishment"], labels)
    assert stamps.kept("test.labels", ["places_establishment"], labels) is first
    assert len(computed) == 1
    Establishment.objects.filter(label="CD MELUN").update(short_name="Melun")
    assert stamps.kept("test.labels", ["places_establishment"], labels) == first
    assert len(computed) == 2  # a new token (SQLite), a transaction that has written (PostgreSQL)


def test_a_value_reading_a_table_without_a_stamp_is_computed_each_time() -> None:
    computed: list[int] = []

    def formations() -> int:
        computed.append(1)
        return 0

    stamps.kept("test.none", ["catalog_edition"], formations)
    stamps.kept("test.none", ["catalog_edition"], formations)
    assert len(computed) == 2


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


# --- PostgreSQL: a row per writing transaction ----------------------------------------------
#
# A test's own transaction has written its data, so it counts afresh (the rule tested below):
# the stored counts are tested with committed writes, in a committed copy of the test database
# (tests/core/conftest.py).

#: Every table stamped on PostgreSQL, as the migrations that stamp them name them.
STAMPED = (
    *import_module("tremplin.learners.migrations.0014_table_writes").STAMPED,
    import_module("tremplin.orientation.migrations.0009_table_writes").TABLE,
    *import_module("tremplin.catalog.migrations.0005_table_stamps").STAMPED,
)


def seen(table: str) -> int:
    return stamps.tokens([table])[table]


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_counts_a_list_once_until_a_committed_transaction_writes_its_tables(
    coordinator: User,
) -> None:
    learner = add_learner("ST-0101")
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    assert counts_run(lambda: stamps.count(listed)) == (1, 1)
    assert counts_run(lambda: stamps.count(listed)) == (1, 0)
    add_learner("ST-0102")
    assert counts_run(lambda: stamps.count(listed)) == (2, 1)
    before = seen("learners_learner")
    with connection.cursor() as cursor:  # raw SQL, no row changed: a write all the same
        cursor.execute("UPDATE learners_learner SET status = status WHERE id = %s", [learner.pk])
    assert seen("learners_learner") != before
    assert counts_run(lambda: stamps.count(listed)) == (2, 1)
    Learner.objects.filter(pk=learner.pk).delete()
    assert counts_run(lambda: stamps.count(listed)) == (1, 1)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_counts_afresh_in_a_transaction_that_has_written_and_stores_nothing(
    coordinator: User,
) -> None:
    add_learner("ST-0103")
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    assert counts_run(lambda: stamps.count(listed)) == (1, 1)
    before = seen("learners_learner")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert counts_run(lambda: stamps.count(listed)) == (1, 0)  # nothing written yet
        add_learner("ST-0104")
        assert counts_run(lambda: stamps.count(listed)) == (2, 1)  # its own write
        assert counts_run(lambda: stamps.count(listed)) == (2, 1)
        raise RuntimeError("rolled back")
    assert seen("learners_learner") == before
    assert counts_run(lambda: stamps.count(listed)) == (1, 0)


def another_connection() -> Any:
    """A second connection to the test database, in autocommit."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_stores_no_count_under_the_tokens_read_before_a_write_committed_meanwhile(
    coordinator: User,
) -> None:
    """A reader whose snapshot is older than the write (a long transaction) still reads the
    tokens read before the count: the newer count must not be found under them."""
    kone = add_learner("ST-0105")
    other = add_learner("ST-0109")
    other.last_name = "Dupont"
    other.save()
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    sql, params = listed.order_by().select_related(None).values("pk").query.sql_with_params()
    tables = stamps.tables_read(sql)
    before = stamps.tokens(tables)

    def counted_after_another_writes() -> int:
        with another_connection() as writer:
            writer.execute(
                "UPDATE learners_learner SET last_name = %s, search_key = %s WHERE id = %s",
                [kone.last_name, kone.search_key, other.pk],
            )
        return listed.count()

    assert stamps.count(listed, counted_after_another_writes) == 2
    assert caches["default"].get(stamps.entry_name(sql, params, before)) is None
    assert stamps.tokens(tables) != before
    assert counts_run(lambda: stamps.count(listed)) == (2, 1)  # counted again, then stored
    assert counts_run(lambda: stamps.count(listed)) == (2, 0)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_changes_a_token_on_truncate_and_on_copy_even_of_no_row() -> None:
    before = seen("learners_reach")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE learners_reach")
    assert seen("learners_reach") != before
    before = seen("places_establishment")
    with (
        another_connection() as writer,
        writer.cursor().copy("COPY places_establishment (label) FROM STDIN"),
    ):
        pass
    assert seen("places_establishment") != before


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_a_write_row_restored_under_a_later_transaction_number_swallows_no_write(
    coordinator: User,
) -> None:
    """A row restored from another server's dump may bear the number of a transaction still to
    come here: that transaction's write gives the row a new token."""
    learner = add_learner("ST-0110")
    with another_connection() as writer:
        now = writer.execute("SELECT txid_current()").fetchone()[0]
        with writer.transaction():  # one transaction: the next ones are numbered after it
            for xid in range(now + 1, now + 20):
                writer.execute(
                    'INSERT INTO core_tablewrite ("table", xid, token) '
                    "VALUES ('learners_learner', %s, 12345)",
                    [xid],
                )
        before = seen("learners_learner")
        with writer.transaction():
            xid = writer.execute("SELECT txid_current()").fetchone()[0]
            writer.execute(
                "UPDATE learners_learner SET status = 'released' WHERE id = %s", [learner.pk]
            )
    assert now < xid < now + 20  # the write's transaction has a restored row's number
    assert seen("learners_learner") != before


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_sees_another_transaction_s_write_once_it_is_committed(
    coordinator: User,
) -> None:
    kone = add_learner("ST-0106")
    other = add_learner("ST-0107")
    other.last_name = "Dupont"
    other.save()
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    assert counts_run(lambda: stamps.count(listed)) == (1, 1)
    with another_connection() as writer, writer.transaction():
        writer.execute(
            "UPDATE learners_learner SET last_name = %s, search_key = %s WHERE id = %s",
            [kone.last_name, kone.search_key, other.pk],
        )
        assert counts_run(lambda: stamps.count(listed)) == (1, 0)  # not committed: not seen
    assert counts_run(lambda: stamps.count(listed)) == (2, 1)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_database")
def test_postgresql_folds_a_table_s_committed_writes_into_one_row_with_the_same_token(
    coordinator: User,
) -> None:
    learner = add_learner("ST-0108")
    for _ in range(stamps.FOLD_AT + 1):
        Learner.objects.filter(pk=learner.pk).update(status="placed")
    written = TableWrite.objects.filter(table="learners_learner")
    assert written.count() > stamps.FOLD_AT
    before = seen("learners_learner")
    listed = search_learners(coordinator, LearnerFilters(q="kone"))
    assert counts_run(lambda: stamps.count(listed)) == (1, 1)  # then folds
    assert written.count() == 1
    assert written.get().xid < 0
    assert seen("learners_learner") == before
    assert counts_run(lambda: stamps.count(listed)) == (1, 0)
    Learner.objects.filter(pk=learner.pk).update(status="released")
    assert written.count() == 2
    assert seen("learners_learner") != before


@postgresql_only
def test_a_postgresql_stamp_is_one_statement_trigger_per_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table, action_orientation, count(*) "
            "FROM information_schema.triggers WHERE trigger_name LIKE '%%_table_write' "
            "GROUP BY 1, 2 ORDER BY 1"
        )
        found = cursor.fetchall()
    # One trigger by insert, update and delete (TRUNCATE is not listed there).
    assert found == [(table, "STATEMENT", 3) for table in sorted(STAMPED)]
