"""Referral stamps (see tremplin/reporting/models.py, `ReferralStamp`): one row per academic year,
its token changed by triggers on the writes the orientation statistics read: the year's
referrals, and every year's on a change to the centres, the missions locales or the regions.

The triggers are built as the year stamps' (migration 0001), on their own table and under their
own names (`<table>_stamp_<operation>_referrals`): PostgreSQL fires a table's triggers in the
order of their names, so a write updates the year stamps first, then these, as every other
writer does (a merge locks year stamps before it moves referrals): no two transactions lock
them in opposite orders. A later migration that makes SQLite rebuild one
of these tables (which drops its triggers) calls `create_triggers` below again, as others call
0001's.
"""

from __future__ import annotations

import importlib

from django.db import migrations, models

year_stamps = importlib.import_module("tremplin.reporting.migrations.0001_year_stamps")

STAMPS = "reporting_referralstamp"
AFTER = "_referrals"
#: table → the condition selecting the stamps (alias `s`) a written row `r` touches (None: all).
WATCHED = {
    "orientation_referral": year_stamps.WATCHED["orientation_referral"],
    "places_cnamcentre": None,
    "places_missionlocale": None,
    "places_region": None,
}


def fill_years(apps, schema_editor):  # type: ignore[no-untyped-def]
    year_stamps.fill_years(apps, schema_editor, model="ReferralStamp")


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    build = year_stamps._postgresql if postgres else year_stamps._sqlite
    for table, condition in WATCHED.items():
        for statement in build(table, condition, stamps=STAMPS, after=AFTER):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    year_stamps.drop_table_triggers(schema_editor, list(WATCHED), after=AFTER)


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0001_year_stamps"),
        ("orientation", "0009_table_writes"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferralStamp",
            fields=[
                ("year", models.CharField(max_length=9, primary_key=True, serialize=False, verbose_name="année universitaire")),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField()),
                ("wide_start", models.DateField()),
                ("wide_end", models.DateField()),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "état des orientations d'une année universitaire",
            },
        ),
        migrations.RunPython(fill_years, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
