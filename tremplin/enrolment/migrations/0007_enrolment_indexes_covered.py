"""The enrolments' own indexes on `learner` and `academic_year` dropped: a learner's enrolments
are read on the unique constraint's index (learner, academic_year, unit), a year's on (academic_year,
result) and the covering index; each further index cost every insert (an import of new rows:
18 % of the enrolments' writes on SQLite).

Only the indexes are dropped (named as Django named them, the same on both databases, with
PostgreSQL's `_like` twin for LIKE on a varchar): Django's own AlterField rebuilds the whole
table on SQLite, a million rows copied, and the year stamps' triggers with the old table."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

import tremplin.catalog.models

INDEXES = {
    "enrolment_enrolment_learner_id_c6fa626d": '("learner_id")',
    "enrolment_enrolment_academic_year_4091e3a3": '("academic_year")',
}


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    names = [*INDEXES]
    if schema_editor.connection.vendor == "postgresql":
        names.append("enrolment_enrolment_academic_year_4091e3a3_like")
    for name in names:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "enrolment_enrolment" {columns}'
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "enrolment_enrolment_academic_year_4091e3a3_like" '
            'ON "enrolment_enrolment" ("academic_year" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0006_certification_list_index"),
        ("learners", "0011_search_words_trigram"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enrolment",
                    name="academic_year",
                    field=models.CharField(
                        max_length=9,
                        validators=[tremplin.catalog.models.validate_academic_year],
                        verbose_name="année universitaire",
                    ),
                ),
                migrations.AlterField(
                    model_name="enrolment",
                    name="learner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="learners.learner",
                        verbose_name="apprenant",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        )
    ]
