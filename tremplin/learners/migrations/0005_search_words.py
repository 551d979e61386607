"""The learner search by words, fast on both databases.

- `search_key` now folds hyphens and apostrophes to spaces ("JEAN-BAPTISTE" -> "JEAN BAPTISTE"),
  so that "jean baptiste" finds Jean-Baptiste: the keys are computed again.
- SQLite: a full-text index (FTS5, external content: it stores only its index) over the key and
  the reference, kept in step by triggers whatever writes the learners (forms, imports, the
  national generator's bulk inserts). PostgreSQL keeps its trigram indexes (0003).
"""

from __future__ import annotations

import unicodedata

from django.db import migrations

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS learner_search USING fts5(search_key, reference, "
    "content='learners_learner', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS learner_search_insert AFTER INSERT ON learners_learner BEGIN "
    "INSERT INTO learner_search(rowid, search_key, reference) "
    "VALUES (new.id, new.search_key, new.reference); END",
    "CREATE TRIGGER IF NOT EXISTS learner_search_delete AFTER DELETE ON learners_learner BEGIN "
    "INSERT INTO learner_search(learner_search, rowid, search_key, reference) "
    "VALUES ('delete', old.id, old.search_key, old.reference); END",
    "CREATE TRIGGER IF NOT EXISTS learner_search_update AFTER UPDATE OF search_key, reference "
    "ON learners_learner BEGIN "
    "INSERT INTO learner_search(learner_search, rowid, search_key, reference) "
    "VALUES ('delete', old.id, old.search_key, old.reference); "
    "INSERT INTO learner_search(rowid, search_key, reference) "
    "VALUES (new.id, new.search_key, new.reference); END",
    "INSERT INTO learner_search(learner_search) VALUES ('rebuild')",
)
SQLITE_UNDO = (
    "DROP TRIGGER IF EXISTS learner_search_insert",
    "DROP TRIGGER IF EXISTS learner_search_delete",
    "DROP TRIGGER IF EXISTS learner_search_update",
    "DROP TABLE IF EXISTS learner_search",
)


def folded(*names: str) -> str:
    text = unicodedata.normalize("NFKD", " ".join(names))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def recompute_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    Learner = apps.get_model("learners", "Learner")
    batch = []
    for learner in Learner.objects.only("pk", "last_name", "first_name", "search_key").iterator():
        key = folded(learner.last_name, learner.first_name)
        if key != learner.search_key:
            learner.search_key = key
            batch.append(learner)
        if len(batch) >= 5000:
            Learner.objects.bulk_update(batch, ["search_key"])
            batch = []
    Learner.objects.bulk_update(batch, ["search_key"])


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UNDO:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("learners", "0004_placement_kind_date")]

    operations = [
        migrations.RunPython(recompute_keys, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
