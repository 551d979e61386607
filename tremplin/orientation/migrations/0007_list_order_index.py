from django.db import migrations, models

# `sent_at`'s own index gives way to the list's (sent_at, id, centre, mission_locale), which
# serves every reading by date. Dropped by name rather than by altering the field: SQLite would
# rebuild the table of a million referrals, dropping its triggers (the year stamps).
SENT_AT_INDEX = "orientation_referral_sent_at_1b5de766"


class Migration(migrations.Migration):
    dependencies = [
        ("orientation", "0006_list_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="sent_at",
                    field=models.DateTimeField(verbose_name="envoyée le"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{SENT_AT_INDEX}"',
                    f'CREATE INDEX "{SENT_AT_INDEX}" ON "orientation_referral" ("sent_at")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["sent_at", "id", "centre", "mission_locale"], name="referral_list_order"
            ),
        ),
    ]
