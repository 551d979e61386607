"""The stamps of the catalogue's tables that a formation's requirements read (the formations,
their mandatory UEs, their choice groups and their UEs, the UEs, the sectors): the record page
and the rules engine read the whole catalogue once per state of these tables (core.stamps.kept).
Written rarely (an edit of the catalogue), so SQLite's row triggers cost nothing that counts."""

from django.db import migrations

from tremplin.core.stamps import stamp, unstamp

STAMPED = (
    "catalog_formation",
    "catalog_formation_mandatory_units",
    "catalog_choicegroup",
    "catalog_choicegroup_units",
    "catalog_teachingunit",
    "catalog_sector",
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in STAMPED:
        stamp(schema_editor, table)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in STAMPED:
        unstamp(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_table_writes"),
        ("catalog", "0004_ordering_without_joins"),
    ]

    operations = [migrations.RunPython(create, drop)]
