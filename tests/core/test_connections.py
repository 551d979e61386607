"""A server process keeps its database connection from one request to the next, on the embedded
default (SQLite) as on PostgreSQL: opening an SQLite file and reading its schema cost about
2.3 ms per request at national scale (docs/scaling.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What Django does around each request (close_old_connections at its start and at its end),
# between two connections to the database, in a fresh process with the settings of a real installation.
AROUND_REQUESTS = (
    "import json, django; django.setup(); "
    "from django.conf import settings; from django.db import connection, close_old_connections; "
    "connection.ensure_connection(); opened = connection.connection; "
    "close_old_connections(); connection.ensure_connection(); "
    "print(json.dumps([connection.vendor, settings.DATABASES['default']['CONN_MAX_AGE'], "
    "connection.connection is not None and connection.connection is opened]))"
)


def around_requests(home: Path, **env: str) -> tuple[str, int, bool]:
    unset = {"DATABASE_URL", "DATABASE_CONN_MAX_AGE"}  # the settings' defaults, unless given
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "tremplin.settings", "TREMPLIN_HOME": str(home), **env}
    )
    out = subprocess.run(
        [sys.executable, "-c", AROUND_REQUESTS],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    vendor, age, kept = json.loads(out.stdout)
    return vendor, age, kept


def test_an_sqlite_server_keeps_its_connection_between_requests(tmp_path: Path) -> None:
    vendor, age, kept = around_requests(tmp_path)
    assert vendor == "sqlite"
    assert age == 60
    assert kept


def test_a_zero_age_opens_one_connection_per_request_as_before(tmp_path: Path) -> None:
    vendor, age, kept = around_requests(tmp_path, DATABASE_CONN_MAX_AGE="0")
    assert vendor == "sqlite"
    assert age == 0
    assert not kept


def test_a_kept_sqlite_connection_truncates_the_write_ahead_log_to_64_mb(tmp_path: Path) -> None:
    """A connection kept for the process's life never lets SQLite delete the log: it is cut back
    to 64 MB once written through, where a national import left 50 MB and more for good."""
    import sqlite3

    from django.conf import settings

    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    if not init:
        pytest.skip("PostgreSQL: the server keeps its own write-ahead log")
    with sqlite3.connect(tmp_path / "check.sqlite3") as database:
        database.executescript(init)
        assert database.execute("PRAGMA journal_size_limit").fetchone()[0] == 64 * 1024 * 1024
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_kept_sqlite_connection_holds_64_mib_of_the_file_s_pages(tmp_path: Path) -> None:
    """A national search reads thousands of rows spread over the file at every request: each
    connection keeps 64 MiB of its pages in memory, where SQLite keeps 2 MiB by default."""
    import sqlite3

    from django.conf import settings

    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    if not init:
        pytest.skip("PostgreSQL: the server has its own shared buffers")
    with sqlite3.connect(tmp_path / "check.sqlite3") as database:
        assert database.execute("PRAGMA cache_size").fetchone()[0] == -2000  # SQLite's own
        database.executescript(init)
        assert database.execute("PRAGMA cache_size").fetchone()[0] == -64 * 1024


def test_a_sqlite_connection_keeps_its_temporary_storage_in_memory(tmp_path: Path) -> None:
    """An insert whose trigger writes (the bilan's year stamps on each enrolment) keeps a
    statement journal of the pages each row changes: in a temporary file by SQLite's default,
    which cost an import of 30,000 enrolments 0.75 s of its 1.25 s of inserts."""
    import sqlite3

    from django.conf import settings

    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    if not init:
        pytest.skip("PostgreSQL: the server manages its own temporary files")
    with sqlite3.connect(tmp_path / "check.sqlite3") as database:
        assert database.execute("PRAGMA temp_store").fetchone()[0] == 0  # SQLite's default
        database.executescript(init)
        assert database.execute("PRAGMA temp_store").fetchone()[0] == 2  # memory
