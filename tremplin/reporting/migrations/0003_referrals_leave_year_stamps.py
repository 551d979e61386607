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
before this one; a later one must call `create_triggers` below after it.
"""

from __future__ import annotations

import importlib

from django.db import migrations

year_stamps = importlib.import_module("tremplin.reporting.migrations.0001_year_stamps")

TABLE = "orientation_referral"
ROWS = {"insert": ["new_rows"], "update": ["new_rows", "old_rows"], "delete": ["old_rows"]}


def _locking() -> list[str]:
    """PostgreSQL: the functions of the referrals' year-stamp triggers, locking the stamps."""
    condition = year_stamps.WATCHED[TABLE]
    statements = []
    for op, tables in ROWS.items():
        rows = " UNION ALL ".join(f"SELECT * FROM {t}" for t in tables)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {TABLE}_stamp_{op}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN PERFORM 1 FROM reporting_yearstamp s WHERE EXISTS (SELECT 1 FROM "
            f"({rows}) r WHERE {condition}) FOR UPDATE OF s; RETURN NULL; END $$;"
        )
    statements.append(
        f"CREATE OR REPLACE FUNCTION {TABLE}_stamp_truncate() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN PERFORM 1 FROM reporting_yearstamp FOR UPDATE; RETURN NULL; END $$;"
    )
    return statements


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in _locking():
            schema_editor.execute(statement)
    else:
        year_stamps.drop_table_triggers(schema_editor, [TABLE])


def restore_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    build = year_stamps._postgresql if postgres else year_stamps._sqlite
    for statement in build(TABLE, year_stamps.WATCHED[TABLE]):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0002_referral_stamps"),
        ("catalog", "0003_lheo_domains"),
        ("learners", "0007_person_once"),
    ]

    operations = [
        migrations.RunPython(create_triggers, restore_triggers),
    ]
