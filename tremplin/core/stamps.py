"""Counts read once per state of the tables they read.

A list page counts its rows at every request: the learners of a region (51,000 at national
scale) were counted again for each page a coordinator turned, 64 ms of a 110 ms page on
SQLite. `count(queryset)` stores the count under the query's SQL and the tokens of every table
the SQL reads (`TableStamp`, changed by the database's triggers on every write to the table):

- the same list, by the same scope, is counted once per change of what it reads, whoever the
  writer (a form, an import, the API, a synchronisation, raw SQL);
- a stale count can never be read: a write gives its tables new tokens, a rolled-back write
  leaves the old ones, and entries under old tokens age out of the cache;
- the tokens are read before the count: a write committed between the two is counted under the
  old tokens, which no later reader has;
- a query reading a table without a stamp is counted each time.

The stamps are kept on SQLite only, the embedded default (an establishment's copy behind the
walls, on modest machines): its writers take turns, so a stamp costs a row update per written
row and nothing else. On PostgreSQL a stamp row would be locked by every transaction writing the
table until it commits, one more lock to take in some order beside the years' stamps
(reporting.models.YearStamp): concurrent writers would queue on it and could deadlock. There the
counts are read each time (45 ms at most, docs/scaling.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from .models import TableStamp

#: Entries unread for this long leave the cache (a count is a few bytes).
TIMEOUT = 24 * 3600
#: Change it when what is stored changes: older entries are then never read.
SHAPE = 1
#: The tables a statement reads: every name after FROM or JOIN (Django writes no other form;
#: a subquery's tables are found the same way, a subquery itself starts with a parenthesis).
_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)


#: Tables kept from another by triggers of their own (a full-text index): they change with it
#: and go by its stamp. Declared by their app (`derived_from`).
_SOURCES: dict[str, str] = {}


def derived_from(table: str, source: str) -> None:
    """`table` is written only with `source` (in the same statements): its stamp is the
    source's."""
    _SOURCES[table] = source


def tables_read(sql: str) -> set[str]:
    """Every table a statement reads (a derived table by its source's name)."""
    return {_SOURCES.get(name.lower(), name.lower()) for name in _TABLES.findall(sql)}


def tokens(tables: Iterable[str], using: str = "default") -> dict[str, int]:
    """The current token of each table that has a stamp."""
    return dict(
        TableStamp.objects.using(using)
        .filter(table__in=sorted(set(tables)))
        .values_list("table", "token")
    )


def count(queryset: QuerySet[Any], compute: Callable[[], int] | None = None) -> int:
    """`queryset.count()`, or `compute()` when given (another way to count the same rows), read
    once per state of the tables the queryset reads (see the module)."""
    counter = compute or queryset.count
    if connections[queryset.db].vendor != "sqlite":
        return counter()  # no stamps there (see the module)
    # What decides the count: the rows' conditions, without the page's order and joined rows.
    rows = queryset.order_by().select_related(None).values("pk")
    try:
        sql, params = rows.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return counter()
    tables = tables_read(sql)
    found = tokens(tables, queryset.db)
    if not tables or set(found) != tables:
        return counter()
    database = str(connections[queryset.db].settings_dict["NAME"])
    described = repr((SHAPE, database, sql, tuple(params), sorted(found.items()))).encode()
    name = f"tremplin:count:{hashlib.sha256(described).hexdigest()}"
    cache = caches["default"]
    value = cache.get(name)
    if value is None:
        value = counter()
        cache.set(name, value, TIMEOUT)
    return int(value)


# --- the triggers (SQLite) ---------------------------------------------------------------

OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def trigger_name(table: str, operation: str) -> str:
    return f"{table}_table_stamp_{operation.lower()}"


def _checked(table: str) -> str:
    """A plain SQL name (it is written into the statements)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"Not a table name: {table!r}")
    return table


def create_statements(table: str) -> list[str]:
    """The stamp of `table` and the triggers that change it (one row updated per row written:
    about 2 µs on SQLite)."""
    name = _checked(table)
    return [
        # A new token even where the stamp was there: a migration that rebuilt the table (and
        # lost its triggers) may have written rows before giving them back.
        f"INSERT INTO core_tablestamp (\"table\", token) VALUES ('{name}', random()) "  # noqa: S608 # nosec B608 - checked name
        'ON CONFLICT ("table") DO UPDATE SET token = random();',
        *(
            f"CREATE TRIGGER IF NOT EXISTS {trigger_name(name, operation)} AFTER {operation} "  # noqa: S608 # nosec B608 - checked name
            f"ON {name} FOR EACH ROW BEGIN UPDATE core_tablestamp SET token = random() "
            f"WHERE \"table\" = '{name}'; END;"
            for operation in OPERATIONS
        ),
    ]


def drop_statements(table: str) -> list[str]:
    name = _checked(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {trigger_name(name, op)};" for op in OPERATIONS),
        f"DELETE FROM core_tablestamp WHERE \"table\" = '{name}';",  # noqa: S608 # nosec B608 - checked name
    ]


def stamp(schema_editor: Any, table: str) -> None:
    """For a migration: give `table` its stamp (SQLite only, see the module)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in create_statements(table):
        schema_editor.execute(statement)


def unstamp(schema_editor: Any, table: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in drop_statements(table):
        schema_editor.execute(statement)
