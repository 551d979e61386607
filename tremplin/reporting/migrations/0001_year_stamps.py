"""Year stamps and the triggers that keep them (see tremplin/reporting/models.py).

PostgreSQL: statement-level triggers with transition tables (one update per statement, so a COPY
of a million rows touches each year's stamp once). SQLite: row-level triggers (SQLite has no
other kind; an update in place of one row of a small table).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import migrations, models

FIRST_YEAR = 1990
LAST_YEAR = 2100

#: table → the condition selecting the stamps (alias `s`) that a written row `r` touches.
WATCHED = {
    "enrolment_enrolment": "s.year = r.academic_year",
    "enrolment_certification": "r.awarded_on BETWEEN s.starts_on AND s.ends_on",
    "followup_interview": "r.date BETWEEN s.starts_on AND s.ends_on",
    # The placement in force on a day decides the scope of that day's interviews, until the
    # learner's next placement: every year from the placement's on.
    "learners_placement": "s.ends_on >= r.date",
    # Émergence: a cohort counts in its year and the two after; the programme order of the
    # establishments draws on every earlier cohort.
    "emergence_cohort": "s.year >= r.academic_year",
    "emergence_participant": (
        "s.year >= (SELECT c.academic_year FROM emergence_cohort c WHERE c.id = r.cohort_id)"
    ),
    "orientation_referral": "r.sent_at >= s.wide_start AND r.sent_at < s.wide_end",
}
#: Reference data that every year's figures name or group by: a change touches every year.
EVERY_YEAR = [
    "places_commune",
    "places_disp",
    "places_establishment",
    "places_region",
    "places_cnamcentre",
    "places_missionlocale",
    "catalog_sector",
    "catalog_teachingunit",
    "catalog_formation",
]
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
#: A learner's own establishment and mission locale place the learners without a placement
#: history (the conventions' indicators): changing either touches every year. Other changes to
#: a learner (names, status) touch no figure.
LEARNER_FIELDS = ("establishment_id", "mission_locale_id")


def fill_years(apps, schema_editor, model="YearStamp"):  # type: ignore[no-untyped-def]
    YearStamp = apps.get_model("reporting", model)
    rows = []
    for start in range(FIRST_YEAR, LAST_YEAR + 1):
        starts_on, ends_on = date(start, 9, 1), date(start + 1, 8, 31)
        rows.append(
            YearStamp(
                year=f"{start}-{start + 1}",
                starts_on=starts_on,
                ends_on=ends_on,
                wide_start=starts_on - timedelta(days=1),
                wide_end=ends_on + timedelta(days=2),
                token=0,
            )
        )
    YearStamp.objects.bulk_create(rows, ignore_conflicts=True)


def _sqlite(
    table: str, condition: str | None, stamps: str = "reporting_yearstamp", after: str = ""
) -> list[str]:
    """The triggers that give `stamps`' rows touched by a write of `table` a new token
    (`stamps` and `after`: another table of stamps, reporting 0002, whose triggers' names end
    with `after`, so that PostgreSQL, which fires a table's triggers in the order of their
    names, updates the year stamps first: every writer locks them in the same order)."""
    statements = []
    for op in OPERATIONS:
        sides = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[op]
        updates = []
        for side in sides:
            if condition is None:
                where = ""
            else:
                # SQLite has no row alias in a trigger: `r.` becomes NEW. or OLD.
                where = " WHERE " + re.sub(r"\bs\.", "", re.sub(r"\br\.", f"{side}.", condition))
            updates.append(f"UPDATE {stamps} SET token = random(){where};")
            if condition is None:
                break
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_stamp_{op.lower()}{after} AFTER {op} ON {table} "
            f"FOR EACH ROW BEGIN {' '.join(updates)} END;"
        )
    return statements


def _postgresql(
    table: str, condition: str | None, stamps: str = "reporting_yearstamp", after: str = ""
) -> list[str]:
    token = "(floor(random() * 9000000000000000000))::bigint"
    statements = []
    for op in OPERATIONS:
        function = f"{table}_stamp_{op.lower()}{after}"
        if condition is None:
            body = f"UPDATE {stamps} SET token = {token};"
            referencing = ""
        else:
            tables = {"INSERT": ["new_rows"], "UPDATE": ["new_rows", "old_rows"], "DELETE": ["old_rows"]}[op]
            rows = " UNION ALL ".join(f"SELECT * FROM {t}" for t in tables)
            body = (
                f"UPDATE {stamps} s SET token = {token} "
                f"WHERE EXISTS (SELECT 1 FROM ({rows}) r WHERE {condition});"
            )
            referencing = {
                "INSERT": "REFERENCING NEW TABLE AS new_rows",
                "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "REFERENCING OLD TABLE AS old_rows",
            }[op]
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$;",
            f"DROP TRIGGER IF EXISTS {function} ON {table};",
            f"CREATE TRIGGER {function} AFTER {op} ON {table} {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
        ]
    # TRUNCATE fires no row trigger: it touches every year.
    function = f"{table}_stamp_truncate{after}"
    statements += [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN UPDATE {stamps} SET token = {token}; RETURN NULL; END $$;",
        f"DROP TRIGGER IF EXISTS {function} ON {table};",
        f"CREATE TRIGGER {function} AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
    ]
    return statements


def _learner_trigger(postgres: bool) -> list[str]:
    name = "learners_learner_stamp_update"
    if postgres:
        changed = " OR ".join(f"n.{f} IS DISTINCT FROM o.{f}" for f in LEARNER_FIELDS)
        token = "(floor(random() * 9000000000000000000))::bigint"
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE reporting_yearstamp SET token = {token} WHERE EXISTS (SELECT 1 FROM "
            f"new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}); RETURN NULL; END $$;",
            f"DROP TRIGGER IF EXISTS {name} ON learners_learner;",
            f"CREATE TRIGGER {name} AFTER UPDATE ON learners_learner REFERENCING OLD TABLE AS "
            f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();",
        ]
    changed = " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in LEARNER_FIELDS)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER UPDATE OF {', '.join(LEARNER_FIELDS)} "
        f"ON learners_learner FOR EACH ROW WHEN {changed} "
        "BEGIN UPDATE reporting_yearstamp SET token = random(); END;"
    ]


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    build = _postgresql if postgres else _sqlite
    watched = [*WATCHED.items(), *((table, None) for table in EVERY_YEAR)]
    for table, condition in watched:
        for statement in build(table, condition):
            schema_editor.execute(statement)
    for statement in _learner_trigger(postgres):
        schema_editor.execute(statement)


def drop_table_triggers(schema_editor, tables, after=""):  # type: ignore[no-untyped-def]
    """The triggers `_sqlite` / `_postgresql` made on `tables` with `after`, dropped."""
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in tables:
        for op in (*OPERATIONS, "TRUNCATE"):
            name = f"{table}_stamp_{op.lower()}{after}"
            if postgres:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    drop_table_triggers(schema_editor, [*WATCHED, *EVERY_YEAR])
    name = "learners_learner_stamp_update"
    if postgres:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON learners_learner;")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("enrolment", "0003_bilan_covering_index"),
        ("followup", "0003_bilan_covering_index"),
        ("learners", "0003_search_trigram"),
        ("emergence", "0002_session_attendance"),
        ("orientation", "0002_stats_indexes"),
        ("places", "0001_initial"),
        ("catalog", "0002_alter_edition_year_alter_formation_code_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="YearStamp",
            fields=[
                ("year", models.CharField(max_length=9, primary_key=True, serialize=False, verbose_name="année universitaire")),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField()),
                ("wide_start", models.DateField()),
                ("wide_end", models.DateField()),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "état d'une année universitaire"},
        ),
        migrations.RunPython(fill_years, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
