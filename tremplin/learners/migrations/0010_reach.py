"""The learners' reach (tremplin/learners/models.py, Reach) and the triggers that keep it.

A learner's areas are recomputed whenever what decides them is written: the learner's
establishment or mission locale, a placement (made, moved to another file by a merge, deleted),
an establishment's DISP, a mission locale's commune, a commune's region. PostgreSQL:
statement-level triggers with transition tables (a COPY of 300,000 learners recomputes them in
one statement). SQLite: row-level triggers. A later migration that rebuilds one of these tables
on SQLite (which drops its triggers) calls `create_triggers` again.
"""

from __future__ import annotations

from django.db import migrations, models

AREAS = """
SELECT l.id, 'd:' || e.disp_id FROM learners_learner l
  JOIN places_establishment e ON e.id = l.establishment_id
  WHERE e.disp_id IS NOT NULL{learners}
UNION SELECT p.learner_id, 'd:' || e.disp_id FROM learners_placement p
  JOIN places_establishment e ON e.id = p.establishment_id
  WHERE e.disp_id IS NOT NULL{placements}
UNION SELECT l.id, 'r:' || c.region_id FROM learners_learner l
  JOIN places_missionlocale m ON m.id = l.mission_locale_id
  JOIN places_commune c ON c.code = m.commune_id
  WHERE c.region_id IS NOT NULL{learners}
"""


def refresh(ids: str) -> str:
    """Statements recomputing the areas of the learners `ids` (an SQL list or subquery)."""
    areas = AREAS.format(
        learners=f" AND l.id IN ({ids})", placements=f" AND p.learner_id IN ({ids})"
    )
    return (
        f"DELETE FROM learners_reach WHERE learner_id IN ({ids}); "
        f"INSERT INTO learners_reach (learner_id, area) {areas};"
    )


#: The learners touched by a change of an establishment, a mission locale, a commune (`{rows}`:
#: the changed rows, NEW in a SQLite row trigger, the transition table on PostgreSQL).
AT_ESTABLISHMENT = (
    "SELECT id FROM learners_learner WHERE establishment_id IN ({ids}) "
    "UNION SELECT learner_id FROM learners_placement WHERE establishment_id IN ({ids})"
)
AT_MISSION_LOCALE = "SELECT id FROM learners_learner WHERE mission_locale_id IN ({ids})"
AT_COMMUNE = (
    "SELECT l.id FROM learners_learner l JOIN places_missionlocale m "
    "ON m.id = l.mission_locale_id WHERE m.commune_id IN ({ids})"
)


def _sqlite() -> list[str]:
    def trigger(name: str, event: str, table: str, body: str) -> str:
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} "
            f"FOR EACH ROW BEGIN {body} END;"
        )

    return [
        trigger("learners_reach_learner_insert", "INSERT", "learners_learner", refresh("NEW.id")),
        trigger(
            "learners_reach_learner_update",
            "UPDATE OF establishment_id, mission_locale_id",
            "learners_learner",
            refresh("NEW.id"),
        ),
        trigger(
            "learners_reach_learner_delete",
            "DELETE",
            "learners_learner",
            "DELETE FROM learners_reach WHERE learner_id = OLD.id;",
        ),
        trigger(
            "learners_reach_placement_insert",
            "INSERT",
            "learners_placement",
            refresh("NEW.learner_id"),
        ),
        trigger(
            "learners_reach_placement_update",
            "UPDATE OF learner_id, establishment_id",
            "learners_placement",
            refresh("OLD.learner_id, NEW.learner_id"),
        ),
        trigger(
            "learners_reach_placement_delete",
            "DELETE",
            "learners_placement",
            refresh("OLD.learner_id"),
        ),
        trigger(
            "learners_reach_establishment_update",
            "UPDATE OF disp_id",
            "places_establishment",
            refresh(AT_ESTABLISHMENT.format(ids="NEW.id")),
        ),
        trigger(
            "learners_reach_missionlocale_update",
            "UPDATE OF commune_id",
            "places_missionlocale",
            refresh(AT_MISSION_LOCALE.format(ids="NEW.id")),
        ),
        trigger(
            "learners_reach_commune_update",
            "UPDATE OF region_id",
            "places_commune",
            refresh(AT_COMMUNE.format(ids="NEW.code")),
        ),
    ]


def _changed(key: str, *fields: str) -> str:
    """The keys of the rows of an UPDATE whose `fields` changed (PostgreSQL transition tables)."""
    differ = " OR ".join(f"n.{f} IS DISTINCT FROM o.{f}" for f in fields)
    return f"SELECT n.{key} FROM new_rows n JOIN old_rows o ON o.{key} = n.{key} WHERE {differ}"


def _postgresql() -> list[str]:
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
    }
    triggers = [
        ("learner_insert", "INSERT", "learners_learner", refresh("SELECT id FROM new_rows")),
        (
            "learner_update",
            "UPDATE",
            "learners_learner",
            refresh(_changed("id", "establishment_id", "mission_locale_id")),
        ),
        (
            "learner_delete",
            "DELETE",
            "learners_learner",
            "DELETE FROM learners_reach WHERE learner_id IN (SELECT id FROM old_rows);",
        ),
        (
            "placement_insert",
            "INSERT",
            "learners_placement",
            refresh("SELECT learner_id FROM new_rows"),
        ),
        (
            "placement_update",
            "UPDATE",
            "learners_placement",
            refresh("SELECT learner_id FROM new_rows UNION SELECT learner_id FROM old_rows"),
        ),
        (
            "placement_delete",
            "DELETE",
            "learners_placement",
            refresh("SELECT learner_id FROM old_rows"),
        ),
        (
            "establishment_update",
            "UPDATE",
            "places_establishment",
            refresh(AT_ESTABLISHMENT.format(ids=_changed("id", "disp_id"))),
        ),
        (
            "missionlocale_update",
            "UPDATE",
            "places_missionlocale",
            refresh(AT_MISSION_LOCALE.format(ids=_changed("id", "commune_id"))),
        ),
        (
            "commune_update",
            "UPDATE",
            "places_commune",
            refresh(AT_COMMUNE.format(ids=_changed("code", "region_id"))),
        ),
    ]
    statements = []
    for name, event, table, body in triggers:
        function = f"learners_reach_{name}"
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$;",
            f"DROP TRIGGER IF EXISTS {function} ON {table};",
            f"CREATE TRIGGER {function} AFTER {event} ON {table} {referencing[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
        ]
    return statements


TRIGGERS = {
    "learners_learner": ("learner_insert", "learner_update", "learner_delete"),
    "learners_placement": ("placement_insert", "placement_update", "placement_delete"),
    "places_establishment": ("establishment_update",),
    "places_missionlocale": ("missionlocale_update",),
    "places_commune": ("commune_update",),
}


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in _postgresql() if postgres else _sqlite():
        schema_editor.execute(statement)


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every learner's areas, once."""
    schema_editor.execute("DELETE FROM learners_reach")
    schema_editor.execute(
        "INSERT INTO learners_reach (learner_id, area) "
        + AREAS.format(learners="", placements="")
    )


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, names in TRIGGERS.items():
        for name in names:
            function = f"learners_reach_{name}"
            if postgres:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {function} ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}();")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {function};")


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0009_list_indexes"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reach",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("learner_id", models.BigIntegerField()),
                ("area", models.CharField(max_length=16)),
            ],
            options={
                "verbose_name": "périmètre régional d'un apprenant",
                "indexes": [models.Index(fields=["learner_id"], name="reach_learner")],
                "constraints": [models.UniqueConstraint(fields=("area", "learner_id"), name="reach_once")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
