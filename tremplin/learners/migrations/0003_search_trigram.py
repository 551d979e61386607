"""PostgreSQL only: trigram indexes for the learner search (any word of the names from its
start, `LIKE '% WORD%'`, or the reference's beginning, case-insensitive), so that a search reads
the matching rows instead of the whole table (benchmarks/README.md). pg_trgm is a trusted
extension (PostgreSQL 13+): the database's owner may create it. Without it, nothing changes:
the search works, by a scan. SQLite has no such index: nothing to do there."""

from django.db import DatabaseError, migrations, transaction

INDEXES = (
    "CREATE INDEX IF NOT EXISTS learner_search_key_trgm "
    "ON learners_learner USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS learner_reference_upper_trgm "
    'ON learners_learner USING gin ((UPPER("reference"::text)) gin_trgm_ops)',
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # no privilege for the extension: the search still works
        return
    with connection.cursor() as cursor:
        for statement in INDEXES:
            cursor.execute(statement)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS learner_search_key_trgm")
        cursor.execute("DROP INDEX IF EXISTS learner_reference_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("learners", "0002_search_key")]

    operations = [migrations.RunPython(create, drop)]
