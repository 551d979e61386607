"""The stamp of the referrals' table, which their lists count (tremplin/core/stamps.py). SQLite
only here; PostgreSQL's came later (0009)."""

from django.db import migrations

from tremplin.core.stamps import stamp, unstamp

TABLE = "orientation_referral"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    stamp(schema_editor, TABLE, vendors=("sqlite",))


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    unstamp(schema_editor, TABLE, vendors=("sqlite",))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_table_stamps"),
        ("orientation", "0007_list_order_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
