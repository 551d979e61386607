"""PostgreSQL: the stamp of the referrals' table (0008 gave SQLite its), kept by a statement
trigger (tremplin/core/stamps.py)."""

from django.db import migrations

from tremplin.core.stamps import stamp, unstamp

TABLE = "orientation_referral"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    stamp(schema_editor, TABLE, vendors=("postgresql",))


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    unstamp(schema_editor, TABLE, vendors=("postgresql",))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_table_writes"),
        ("orientation", "0008_table_stamps"),
    ]

    operations = [migrations.RunPython(create, drop)]
