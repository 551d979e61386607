"""The enrolments' index on `establishment` replaced by one on (establishment, academic_year,
result, learner), which serves the foreign key as well.

SQLite's planner counts the bilan's learners per DISP and per establishment by walking the
establishments and looking up each one's enrolments. With the foreign key's own index it read
every year's enrolments of each establishment, a million rows on the national demo, to keep one
year's: the dashboard of a year just changed spent 0.23 s on a year of ten enrolments, and 0.15
to 0.38 s on each of three queries for a full year. With the year in the index, it reads that
year's rows and nothing else, from the index alone.

Only the index is dropped (named as Django named it, the same on both databases): Django's own
AlterField rebuilds the whole table on SQLite, a million rows copied, and the year stamps'
triggers with the old table (as in 0007)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

FOREIGN_KEY_INDEX = "enrolment_enrolment_establishment_id_5116763b"


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f'DROP INDEX IF EXISTS "{FOREIGN_KEY_INDEX}"')


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{FOREIGN_KEY_INDEX}" '
        'ON "enrolment_enrolment" ("establishment_id")'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0007_enrolment_indexes_covered"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(
                fields=["establishment", "academic_year", "result", "learner"],
                name="enrolment_by_establishment",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enrolment",
                    name="establishment",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="places.establishment",
                        verbose_name="établissement",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
