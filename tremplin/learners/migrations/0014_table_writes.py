"""PostgreSQL: the stamps of the tables a learner list counts (0013 gave SQLite theirs), kept by
statement triggers (tremplin/core/stamps.py)."""

from django.db import migrations

from tremplin.core.stamps import stamp, unstamp

STAMPED = ("learners_learner", "learners_reach", "places_establishment")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in STAMPED:
        stamp(schema_editor, table, vendors=("postgresql",))


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in STAMPED:
        unstamp(schema_editor, table, vendors=("postgresql",))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_table_writes"),
        ("learners", "0013_table_stamps"),
    ]

    operations = [migrations.RunPython(create, drop)]
