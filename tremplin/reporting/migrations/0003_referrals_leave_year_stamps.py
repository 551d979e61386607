"""The year stamps stop watching the referrals: the referral stamps (migration 0002) do.

Of a bilan, only its orientation rows read the referrals, and they are drawn from the
orientation statistics, stored per referral stamp (`reporting/stored.py`); the conventions'
indicator of referrals is stored under both stamps. With the year stamps' triggers on
`orientation_referral`, each referral sent or moved (the orientation flow's everyday writes)
gave its year a new state, and the bilan of the year was computed again at the next request
(about 0.5 s for a national year as the coordinator, 2.3 s as the statistician).

SQLite: the triggers are dropped. PostgreSQL: they keep their names and still lock the year
stamps that the written referrals' dates select, without changing their tokens, so that every
writer still takes a year's stamp before its referral stamp (migration 0002: the order a merge
or an erasure takes them in; in the opposite order two such writers could deadlock).

The migrations that call 0001's `create_triggers` again (catalog 0003, learners 0007) run
before this one; a later one must call `create_triggers` below (and 0004's) after it. Reversing
it gives every year stamp a new token: the referrals written meanwhile changed none.
"""

from __future__ import annotations

import importlib

from django.db import migrations

year_stamps = importlib.import_module("tremplin.reporting.migrations.0001_year_stamps")

TABLE = "orientation_referral"
ROWS = {"insert": ["new_rows"], "update": ["new_rows", "old_rows"], "delete": ["old_rows"]}


def locking(table: str, condition: str) -> list[str]:
    """PostgreSQL: the functions of `table`'s year-stamp triggers, locking the year stamps the
    written rows select (`condition`, as in 0001's `WATCHED`) without changing their tokens."""
    statements = []
    for op, tables in ROWS.items():
        rows = " UNION ALL ".join(f"SELECT * FROM {t}" for t in tables)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {table}_stamp_{op}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN PERFORM 1 FROM reporting_yearstamp s WHERE EXISTS (SELECT 1 FROM "
            f"({rows}) r WHERE {condition}) FOR UPDATE OF s; RETURN NULL; END $$;"
        )
    statements.append(
        f"CREATE OR REPLACE FUNCTION {table}_stamp_truncate() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN PERFORM 1 FROM reporting_yearstamp FOR UPDATE; RETURN NULL; END $$;"
    )
    return statements


def leave(schema_editor, table: str) -> None:  # type: ignore[no-untyped-def]
    """The year stamps stop watching `table`: SQLite's triggers dropped, PostgreSQL's locking."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in locking(table, year_stamps.WATCHED[table]):
            schema_editor.execute(statement)
    else:
        year_stamps.drop_table_triggers(schema_editor, [table])


def watch(schema_editor, table: str) -> None:  # type: ignore[no-untyped-def]
    """The year stamps watch `table` again, as migration 0001 made them."""
    postgres = schema_editor.connection.vendor == "postgresql"
    build = year_stamps._postgresql if postgres else year_stamps._sqlite
    for statement in build(table, year_stamps.WATCHED[table]):
        schema_editor.execute(statement)


def renew(schema_editor, stamps: str) -> None:  # type: ignore[no-untyped-def]
    """Every row of `stamps` gets a new random token: figures stored under the former ones
    are never read again (a stamp that watched nothing for a while, or a table just filled)."""
    postgres = schema_editor.connection.vendor == "postgresql"
    token = "(floor(random() * 9000000000000000000))::bigint" if postgres else "random()"
    schema_editor.execute(f"UPDATE {stamps} SET token = {token};")


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    leave(schema_editor, TABLE)


def restore_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    watch(schema_editor, TABLE)
    # The referrals written while the year stamps did not watch them changed no token.
    renew(schema_editor, "reporting_yearstamp")


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0002_referral_stamps"),
        ("catalog", "0003_lheo_domains"),
        ("learners", "0007_person_once"),
    ]

    operations = [
        migrations.RunPython(create_triggers, restore_triggers),
    ]
