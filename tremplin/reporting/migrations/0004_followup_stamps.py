"""Follow-up stamps (see tremplin/reporting/models.py, `FollowupStamp`): one row per academic
year, its token changed by triggers on the writes the bilan's follow-up figures read: the year's
interviews, the placements (every year from the placement's on), and every year's on a change to
the establishments or the DISPs. The year stamps stop watching the interviews and the
placements, as migration 0003 made them stop watching the referrals: SQLite's triggers are
dropped, PostgreSQL's keep their names and only lock the year stamps, so that every writer takes
a year's stamp before its follow-up stamp (`<table>_stamp_<operation>_followup`: PostgreSQL fires
a table's triggers in the order of their names).

The new stamps start with random tokens, and reversing this migration gives every year stamp a
new one (the writes made meanwhile changed none): figures stored under an earlier token are
never read again. A later migration that makes SQLite rebuild one of the watched tables calls
`create_triggers` below again (0001's would watch the interviews and placements again).

The interviews are the referents' everyday writes (about 180,000 a year at national scale):
each one made the next dashboard compute the whole bilan of its year again.
"""

from __future__ import annotations

import importlib

from django.db import migrations, models

year_stamps = importlib.import_module("tremplin.reporting.migrations.0001_year_stamps")
leaving = importlib.import_module("tremplin.reporting.migrations.0003_referrals_leave_year_stamps")

STAMPS = "reporting_followupstamp"
AFTER = "_followup"
#: The tables the year stamps stop watching.
LEFT = ("followup_interview", "learners_placement")
#: table → the condition selecting the stamps (alias `s`) a written row `r` touches (None: all).
WATCHED = {
    **{table: year_stamps.WATCHED[table] for table in LEFT},
    "places_establishment": None,
    "places_disp": None,
}


def fill_years(apps, schema_editor):  # type: ignore[no-untyped-def]
    year_stamps.fill_years(apps, schema_editor, model="FollowupStamp")
    # Random tokens, not 0: a table filled again (this migration reversed, then applied)
    # never gives back a token that figures were stored under.
    leaving.renew(schema_editor, STAMPS)


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    build = year_stamps._postgresql if postgres else year_stamps._sqlite
    for table, condition in WATCHED.items():
        for statement in build(table, condition, stamps=STAMPS, after=AFTER):
            schema_editor.execute(statement)
    for table in LEFT:
        leaving.leave(schema_editor, table)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in LEFT:
        leaving.watch(schema_editor, table)
    year_stamps.drop_table_triggers(schema_editor, list(WATCHED), after=AFTER)
    # The interviews and placements written while the year stamps did not watch them.
    leaving.renew(schema_editor, "reporting_yearstamp")


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0003_referrals_leave_year_stamps"),
        ("followup", "0003_bilan_covering_index"),
        ("learners", "0014_table_writes"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FollowupStamp",
            fields=[
                ("year", models.CharField(max_length=9, primary_key=True, serialize=False, verbose_name="année universitaire")),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField()),
                ("wide_start", models.DateField()),
                ("wide_end", models.DateField()),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "état du suivi d'une année universitaire",
            },
        ),
        migrations.RunPython(fill_years, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
