from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def refresh_statistics(using: str = "default", **kwargs: Any) -> None:
    """After the migrations, SQLite's planner statistics for what they changed in a database
    already analysed: without them the planner may prefer a new index and sort a million rows
    (an index added on the national demo turned a 40 ms list into 2 s until ANALYZE), or,
    for a table the migration rebuilt (SQLite rebuilds a table to alter a column, and its
    statistics go with the old one), read the referrals through the formations (20 ms → 1.9 s).
    A rebuilt table is analysed whole, a new index alone, whole (a sample gave estimates 30
    times off, and as bad a plan). PostgreSQL keeps its own statistics (autovacuum), and a
    never-analysed SQLite database keeps the planner's defaults."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return
        cursor.execute(
            "SELECT t.name FROM sqlite_master t WHERE t.type = 'table' "
            "AND t.name NOT LIKE 'sqlite%' AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%' "
            "AND t.name NOT IN (SELECT tbl FROM sqlite_stat1) "
            "AND EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' "
            "AND i.tbl_name = t.name)"
        )
        for (name,) in cursor.fetchall():
            _analyse(cursor, name)
        cursor.execute(
            "SELECT i.name FROM sqlite_master i WHERE i.type = 'index' "
            "AND i.tbl_name IN (SELECT tbl FROM sqlite_stat1) "
            "AND i.name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
        )
        missing = [name for (name,) in cursor.fetchall()]
        for name in missing:
            _analyse(cursor, name)


def _analyse(cursor: Any, name: str) -> None:
    quoted = name.replace('"', '""')
    cursor.execute(f'ANALYZE "{quoted}"')


class CoreConfig(AppConfig):
    name = "tremplin.core"
    verbose_name = "Tremplin"

    def ready(self) -> None:
        from . import audit, journal

        # The changes that come without a request (the establishment copy's bundles) are
        # audited from the journal.
        journal.subscribe(journal.ANY, audit.from_journal)
        post_migrate.connect(refresh_statistics, sender=self)
