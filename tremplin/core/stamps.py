"""Counts read once per state of the tables they read.

A list page counts its rows at every request: the learners of a region (51,000 at national
scale) were counted again for each page a coordinator turned, 64 ms of a 110 ms page on
SQLite, and the referrals of the young people whose names start with « ma » (110,379) took
43 ms on PostgreSQL. `count(queryset)` stores the count under the query's SQL and the tokens of
every table the SQL reads, which the database changes on every write to the table:

- the same list, by the same scope, is counted once per change of what it reads, whoever the
  writer (a form, an import, the API, a synchronisation, raw SQL);
- a stale count can never be read: a write gives its tables new tokens, a rolled-back write
  leaves the old ones, and entries under old tokens age out of the cache;
- a query reading a table without a stamp is counted each time.

SQLite, the embedded default (an establishment's copy behind the walls): its writers take
turns, so each table has one stamp row (`TableStamp`) whose token a row trigger changes to a new
random number on every written row. The tokens are read before the count: a write committed
between the two is counted under the old tokens, which no later reader has.

PostgreSQL: a stamp row updated by its writers would be locked by each of them until it commits
(writers queueing on it, one more lock to take in some order beside the years' stamps, a
deadlock risk). Instead a table's statement trigger inserts one row per writing transaction
(`TableWrite`: the table, the transaction, a random token), which no other writer touches. A
table's token is its stamp's XOR the tokens of the writes a reader sees, i.e. of the committed
transactions that wrote it, and as a snapshot sees every transaction that an earlier one saw,
two reads with the same token saw the same writes (two different sets with the same XOR of
random 62-bit numbers: one chance in 4.6 × 10^18). So:

- the tokens are read before and after the count, and the count is stored only when they are
  the same (the count's snapshot then saw the same writes);
- a transaction that has written anything counts afresh and stores nothing (it sees its own
  uncommitted writes, which no other reader does);
- a reader outside any transaction folds a table's committed writes into one row when they are
  more than `FOLD_AT` (the same XOR; rows another reader is folding are skipped).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar, cast

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, router
from django.db.models import QuerySet

from .models import TableStamp, TableWrite

logger = logging.getLogger(__name__)
T = TypeVar("T")

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


#: A table's committed writes (PostgreSQL) are folded into one row past this many.
FOLD_AT = 64
#: A random token of 62 bits, positive: two draws of 31 bits (a float of random() holds 52).
PG_RANDOM = "((floor(random() * 2147483648)::bigint << 31) | floor(random() * 2147483648)::bigint)"
#: Each stamped table's token (its stamp's XOR its visible writes'), how many write rows it has,
#: and whether this transaction has written anything.
_PG_STATE = """
SELECT s."table", s.token # coalesce(bit_xor(w.token), 0), count(w.id),
       pg_current_xact_id_if_assigned() IS NOT NULL
FROM core_tablestamp s LEFT JOIN core_tablewrite w ON w."table" = s."table"
WHERE s."table" = ANY(%s) GROUP BY s."table", s.token
"""
#: A table's committed writes, but those another reader is folding, replaced by one row with
#: the XOR of their tokens (a negative `xid`, which no writer's transaction has).
_PG_FOLD = """
WITH gone AS (
    DELETE FROM core_tablewrite WHERE id IN (
        SELECT id FROM core_tablewrite WHERE "table" = %s FOR UPDATE SKIP LOCKED
    ) RETURNING token
)
INSERT INTO core_tablewrite ("table", xid, token)
SELECT %s, -txid_current(), bit_xor(token) FROM gone HAVING count(*) > 0
"""


class _State(NamedTuple):
    """What a reader sees of the stamped tables among those it asked for."""

    tokens: dict[str, int]
    rows: dict[str, int]  # PostgreSQL: the write rows of each table
    writing: bool  # PostgreSQL: this transaction has written something


def _state(tables: Iterable[str], using: str) -> _State:
    names = sorted(set(tables))
    if connections[using].vendor != "postgresql":
        return _State(tokens(names, using), {}, False)
    with connections[using].cursor() as cursor:
        cursor.execute(_PG_STATE, [names])
        found = cursor.fetchall()
    return _State(
        {table: token for table, token, _, _ in found},
        {table: rows for table, _, rows, _ in found},
        any(writing for *_, writing in found),
    )


def tokens(tables: Iterable[str], using: str = "default") -> dict[str, int]:
    """The current token of each table that has a stamp."""
    names = sorted(set(tables))
    if connections[using].vendor == "postgresql":
        return _state(names, using).tokens
    return dict(
        TableStamp.objects.using(using).filter(table__in=names).values_list("table", "token")
    )


def fold(table: str, using: str = "default") -> None:
    """PostgreSQL: `table`'s committed writes folded into one row, its token kept. Outside any
    transaction only (the fold is a transaction of its own, whose row no later write of the
    same transaction could be mistaken for), and on the database written (a read replica's
    counts read the rows its primary folds)."""
    connection = connections[using]
    if (
        connection.vendor != "postgresql"
        or not connection.get_autocommit()
        or connection.in_atomic_block
        or router.db_for_write(TableWrite) != using
    ):
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(_PG_FOLD, [table, table])
    except DatabaseError as exc:
        # One statement in autocommit: nothing is left half done, the rows wait for the next
        # fold (a database that refuses writes, two folds racing at a stricter isolation).
        logger.warning("Writes of %s not folded: %s", table, exc)


def entry_name(sql: str, params: Any, tokens: dict[str, int], using: str = "default") -> str:
    """The cache entry of a count: its statement, its parameters, its tables' tokens."""
    database = str(connections[using].settings_dict["NAME"])
    described = repr((SHAPE, database, sql, tuple(params), sorted(tokens.items())))
    return f"tremplin:count:{hashlib.sha256(described.encode()).hexdigest()}"


def count(queryset: QuerySet[Any], compute: Callable[[], int] | None = None) -> int:
    """`queryset.count()`, or `compute()` when given (another way to count the same rows), read
    once per state of the tables the queryset reads (see the module)."""
    counter = compute or queryset.count
    using = queryset.db
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        return counter()
    # What decides the count: the rows' conditions, without the page's order and joined rows.
    rows = queryset.order_by().select_related(None).values("pk")
    try:
        sql, params = rows.query.get_compiler(using).as_sql()
    except EmptyResultSet:
        return counter()
    tables = tables_read(sql)
    before = _state(tables, using)
    if not tables or set(before.tokens) != tables or before.writing:
        return counter()
    name = entry_name(sql, params, before.tokens, using)
    cache = caches["default"]
    value = cache.get(name)
    if value is not None:
        return int(value)
    value = counter()
    if _still(before, tables, using):
        cache.set(name, value, TIMEOUT)
    return int(value)


def _still(before: _State, tables: set[str], using: str) -> bool:
    """Whether what was read after `before` may be kept under its tokens: on PostgreSQL only
    when the tokens read again agree (see the module); then the tables' many writes are
    folded."""
    if connections[using].vendor != "postgresql":
        return True
    if _state(tables, using).tokens != before.tokens:
        return False
    for table, written in before.rows.items():
        if written > FOLD_AT:
            fold(table, using)
    return True


#: What `kept` holds in this process: (database, name) -> (the tokens it was read under, it).
_KEPT: dict[tuple[str, str], tuple[dict[str, int], Any]] = {}


def kept(name: str, tables: Iterable[str], compute: Callable[[], T], using: str = "default") -> T:
    """`compute()` (what `tables` hold, read whole: the catalogue's formations with their
    requirements), kept in this process once per state of `tables`, by the same rules as a
    count (see the module): read afresh where one of the tables has no stamp, in a transaction
    that has written (PostgreSQL), and kept only when the tokens read before and after it agree
    (PostgreSQL). The value is shared by the requests that follow: they must not change it."""
    names = set(tables)
    before = _state(names, using)
    if set(before.tokens) != names or before.writing:
        return compute()
    key = (str(connections[using].settings_dict["NAME"]), name)
    found = _KEPT.get(key)
    if found is not None and found[0] == before.tokens:
        return cast(T, found[1])
    value = compute()
    if _still(before, names, using):
        _KEPT[key] = (before.tokens, value)
    return value


# --- the triggers ---------------------------------------------------------------------------

OPERATIONS = ("INSERT", "UPDATE", "DELETE")
VENDORS = ("sqlite", "postgresql")
#: PostgreSQL: the function every stamped table's statement trigger runs (core migration 0009).
#: A row already there for the table and transaction (the transaction's earlier statement, or a
#: row restored from another server's dump under the same number) is given a new token, so that
#: no write can leave the table's token as it was. `search_path` is the migration's: a session
#: with another one (a restore, an administrator's script) writes the same table.
FUNCTION_STATEMENTS = [
    f"""CREATE OR REPLACE FUNCTION core_table_write() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO core_tablewrite ("table", xid, token)
    VALUES (TG_TABLE_NAME, txid_current(), {PG_RANDOM})
    ON CONFLICT ("table", xid) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$;""",  # noqa: S608 # nosec B608 - constants
]
DROP_FUNCTION = "DROP FUNCTION IF EXISTS core_table_write();"


def trigger_name(table: str, operation: str) -> str:
    return f"{table}_table_stamp_{operation.lower()}"


def _checked(table: str) -> str:
    """A plain SQL name (it is written into the statements)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"Not a table name: {table!r}")
    return table


def create_statements(table: str, vendor: str = "sqlite") -> list[str]:
    """The stamp of `table` and the triggers that change it: on SQLite one row updated per row
    written (about 2 µs), on PostgreSQL one row inserted per writing transaction."""
    name = _checked(table)
    if vendor == "postgresql":
        return [
            f"INSERT INTO core_tablestamp (\"table\", token) VALUES ('{name}', {PG_RANDOM}) "  # noqa: S608 # nosec B608 - checked name
            'ON CONFLICT ("table") DO UPDATE SET token = EXCLUDED.token;',
            f"CREATE OR REPLACE TRIGGER {name}_table_write AFTER INSERT OR UPDATE OR DELETE "
            f"OR TRUNCATE ON {name} FOR EACH STATEMENT EXECUTE FUNCTION core_table_write();",
        ]
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


def drop_statements(table: str, vendor: str = "sqlite") -> list[str]:
    name = _checked(table)
    forget = f"DELETE FROM core_tablestamp WHERE \"table\" = '{name}';"  # noqa: S608 # nosec B608 - checked name
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}_table_write ON {name};", forget]
    return [*(f"DROP TRIGGER IF EXISTS {trigger_name(name, op)};" for op in OPERATIONS), forget]


def stamp(schema_editor: Any, table: str, vendors: Iterable[str] = VENDORS) -> None:
    """For a migration: give `table` its stamp, on the databases of `vendors` (PostgreSQL's
    needs core migration 0009)."""
    vendor = schema_editor.connection.vendor
    if vendor in vendors:
        for statement in create_statements(table, vendor):
            schema_editor.execute(statement)


def unstamp(schema_editor: Any, table: str, vendors: Iterable[str] = VENDORS) -> None:
    vendor = schema_editor.connection.vendor
    if vendor in vendors:
        for statement in drop_statements(table, vendor):
            schema_editor.execute(statement)
