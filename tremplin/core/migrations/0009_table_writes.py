"""The writes of stamped tables on PostgreSQL (core.stamps): one row per table and writing
transaction, and the function that the tables' statement triggers run. Nothing else on SQLite,
where the stamps are row triggers (0008)."""

from django.db import migrations, models

from tremplin.core.stamps import DROP_FUNCTION, FUNCTION_STATEMENTS


def create_function(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in FUNCTION_STATEMENTS:
            schema_editor.execute(statement)


def drop_function(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_table_stamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="TableWrite",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("table", models.CharField(max_length=63, verbose_name="table")),
                ("xid", models.BigIntegerField(verbose_name="transaction")),
                ("token", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "écriture d'une table",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("table", "xid"), name="core_tablewrite_once_per_xact"
                    )
                ],
            },
        ),
        migrations.RunPython(create_function, drop_function),
    ]
