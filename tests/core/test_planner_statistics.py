"""After the migrations, SQLite's planner has statistics for the indexes they added
(tremplin/core/apps.py): without them it chose a new index and sorted a million referrals."""

from __future__ import annotations

import pytest
from django.db import connection

from tremplin.core.apps import refresh_statistics

pytestmark = pytest.mark.django_db


def stats_of(index: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = %s", [index])
        return [stat for (stat,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its own statistics")
def test_an_index_added_to_an_analysed_table_is_analysed_after_the_migrations() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE places_commune")
        cursor.execute("CREATE INDEX test_new_index ON places_commune (name)")
    assert stats_of("test_new_index") == []
    refresh_statistics()
    assert len(stats_of("test_new_index")) == 1


def test_nothing_is_analysed_where_nothing_was() -> None:
    refresh_statistics()  # no statistics yet on the test database: nothing to keep current
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone() == (0,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its own statistics")
def test_a_table_rebuilt_by_a_migration_is_analysed_again_after_the_migrations() -> None:
    """SQLite rebuilds a table to alter one of its columns: its statistics go with the old
    table, and the planner read the national demo's referrals through the formations."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE places_commune")
        cursor.execute("ANALYZE places_region")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'places_commune'")  # rebuilt
    assert stats_of("sqlite_autoindex_places_commune_1") == []
    refresh_statistics()
    assert len(stats_of("sqlite_autoindex_places_commune_1")) == 1
