"""Database triggers that make a table append-only (no UPDATE, no DELETE), on SQLite and
PostgreSQL: the audit log and the domain event journal. Used by their migrations."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _sql(table: str, what: str) -> dict[str, tuple[list[str], list[str]]]:
    return {
        "sqlite": (
            [
                f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{what} is append-only'); END""",
                f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{what} is append-only'); END""",
            ],
            [
                f"DROP TRIGGER IF EXISTS {table}_no_update",
                f"DROP TRIGGER IF EXISTS {table}_no_delete",
            ],
        ),
        "postgresql": (
            [
                f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '{what} is append-only'; END; $$ LANGUAGE plpgsql""",
                f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
            ],
            [
                f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
                f"DROP FUNCTION IF EXISTS {table}_append_only()",
            ],
        ),
    }


def drop_statements(table: str, vendor: str) -> list[str]:
    """The SQL that removes the triggers of `table` (tests that must empty the table)."""
    return _sql(table, "")[vendor][1] if vendor in ("sqlite", "postgresql") else []


def append_only(table: str, what: str) -> migrations.RunPython:
    """The migration operation that installs (and, reversed, removes) the triggers."""
    sql = _sql(table, what)

    def run(index: int) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            for statement in sql.get(schema_editor.connection.vendor, ([], []))[index]:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(0), run(1))
