"""The stamps of the tables a learner list counts (tremplin/core/stamps.py): the learners (their
full-text index, which their own triggers keep, goes by theirs: apps.py), their reach, the
establishments (a filter on a DISP goes through them). SQLite only here; PostgreSQL's came
later (0014)."""

from django.db import migrations

from tremplin.core.stamps import stamp, unstamp

STAMPED = ("learners_learner", "learners_reach", "places_establishment")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in STAMPED:
        stamp(schema_editor, table, vendors=("sqlite",))


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in STAMPED:
        unstamp(schema_editor, table, vendors=("sqlite",))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_table_stamps"),
        ("learners", "0012_name_order_index"),
        ("places", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
