"""PostgreSQL only: the learner search by one trigram index instead of two conditions on one.

"A word of the names starts with MARTIN" was `search_key LIKE 'MARTIN%' OR search_key LIKE
'% MARTIN%'`: two scans of the same trigram index, each finding every MARTIN (5,871 of 300,000
at national scale), joined by OR. It is now `(' ' || search_key) LIKE '% MARTIN%'`, one scan of
an index on that expression (models.word_matches): the search's count 8.7 -> 4.4 ms. The
index on the bare key served only that search and is dropped (one index fewer to keep up on
every write of a learner's names). Without pg_trgm (0003 could not create it) nothing is done:
the search works, by a scan. SQLite searches through its full-text index (0005)."""

from django.db import migrations

WORDS = (
    "CREATE INDEX IF NOT EXISTS learner_words_trgm "
    "ON learners_learner USING gin ((' ' || search_key::text) gin_trgm_ops)"
)
KEY = (
    "CREATE INDEX IF NOT EXISTS learner_search_key_trgm "
    "ON learners_learner USING gin (search_key gin_trgm_ops)"
)


def _swap(schema_editor, create: str, drop: str) -> None:  # type: ignore[no-untyped-def]
    """Create one index and drop the other, then refresh the table's planner statistics (the
    new expression's: without them PostgreSQL counts 31 rows where there are 5,865, and plans a
    search's joins for a handful)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute(create)
        cursor.execute(f"DROP INDEX IF EXISTS {drop}")
        cursor.execute("ANALYZE learners_learner")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, WORDS, "learner_search_key_trgm")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, KEY, "learner_words_trgm")


class Migration(migrations.Migration):
    dependencies = [("learners", "0010_reach")]

    operations = [migrations.RunPython(forwards, backwards)]
