"""New journal events get a time-ordered uid (UUID version 7): a default of Python's only, so
the database is left as it is (an AlterField would rebuild the table on SQLite, and with it drop
the triggers that keep the journal append-only)."""

import uuid6
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_origin_sync"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="domainevent",
                    name="uid",
                    field=models.UUIDField(
                        default=uuid6.uuid7, editable=False, unique=True, verbose_name="identifiant"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
