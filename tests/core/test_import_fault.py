"""A fault test: `tremplin import learners FILE` killed with SIGKILL in the middle of its write
leaves the database with all of the file or none of it, never a part.

The import runs as a real process against a throwaway database, prepared like the browser tests'
server database (migrated, reference data and demo loaded: a copy of the session's, tests/installations.py): a temporary TREMPLIN_HOME on SQLite,
a database beside DATABASE_URL's on PostgreSQL. The test waits until the import is writing
inside its transaction (SQLite: it holds the write lock and its uncommitted pages spill into the
write-ahead log; PostgreSQL: its session holds a transaction id, given at the first write), then
kills it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.installations import Installation

ROWS = 20_000
PREFIX = "PANNE-"
TREMPLIN = [sys.executable, "-m", "tremplin.cli"]
#: Uncommitted pages in SQLite's write-ahead log: the import is writing, not yet committing.
WAL_WRITING_BYTES = 512 * 1024
DEADLINE_SECONDS = 40


@pytest.fixture
def throwaway_env(tmp_path: Path, demo_home: Installation) -> Iterator[dict[str, str]]:
    with demo_home.copy(tmp_path / "home", f"tremplin_fault_{os.getpid()}") as env:
        yield env


def learners_csv(path: Path, rows: int) -> Path:
    establishments = ["CP FRESNES", "CD MELUN", "CP SEINE SAINT DENIS"]
    lines = ["reference;last_name;first_name;birth_date;kind;establishment;mission_locale"]
    lines += [
        f"{PREFIX}{i:06d};Nom{i};Prénom;1990-01-01;detained;{establishments[i % 3]};"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Watching the import's transaction, and counting what it left


class SQLiteWatch:
    def __init__(self, env: dict[str, str]) -> None:
        self.database = Path(env["TREMPLIN_HOME"]) / "tremplin.sqlite3"

    def writing(self) -> bool:
        wal = Path(f"{self.database}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        return size > WAL_WRITING_BYTES and self._write_lock_taken()

    def _write_lock_taken(self) -> bool:
        with closing(sqlite3.connect(self.database, timeout=0, isolation_level=None)) as db:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            db.execute("ROLLBACK")
            return False

    def counts(self) -> tuple[int, int, str]:
        with closing(sqlite3.connect(self.database)) as db:
            return (*_counts(db.cursor(), "?"), db.execute("PRAGMA integrity_check").fetchone()[0])


class PostgresWatch:
    def __init__(self, env: dict[str, str]) -> None:
        self.url = env["DATABASE_URL"]
        self.name = urlparse(self.url).path.lstrip("/")

    def writing(self) -> bool:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            found = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                [self.name],
            ).fetchone()
        return bool(found and found[0])

    def counts(self) -> tuple[int, int, str]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return (*_counts(conn.cursor(), "%s"), "ok")


def _counts(cursor: Any, mark: str) -> tuple[int, int]:
    cursor.execute(
        f"SELECT COUNT(*) FROM learners_learner WHERE reference LIKE {mark}", [f"{PREFIX}%"]
    )
    learners = cursor.fetchone()[0]
    cursor.execute(
        "SELECT COUNT(*) FROM learners_placement p JOIN learners_learner l ON l.id = p.learner_id "
        f"WHERE l.reference LIKE {mark}",
        [f"{PREFIX}%"],
    )
    return learners, cursor.fetchone()[0]


def kill_while_writing(
    process: subprocess.Popen[bytes], watch: SQLiteWatch | PostgresWatch
) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the import ended before it could be killed: make the file bigger")
        if watch.writing():
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail(f"the import did not start writing within {DEADLINE_SECONDS} s")


# ---------------------------------------------------------------------------------------------


def test_an_import_killed_in_the_middle_of_its_write_leaves_all_of_the_file_or_none(
    throwaway_env: dict[str, str], tmp_path: Path
) -> None:
    csv = learners_csv(tmp_path / "apprenants.csv", ROWS)
    watch = (
        PostgresWatch(throwaway_env)
        if "DATABASE_URL" in throwaway_env
        else SQLiteWatch(throwaway_env)
    )
    process = subprocess.Popen(
        [*TREMPLIN, "import", "learners", str(csv)],
        env=throwaway_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    kill_while_writing(process, watch)

    assert process.returncode == -signal.SIGKILL
    learners, placements, integrity = watch.counts()
    assert integrity == "ok"
    assert (learners, placements) in {(0, 0), (ROWS, ROWS)}

    # The database is still usable, with no lock left behind: a smaller file of the same
    # learners goes through whole.
    again = learners_csv(tmp_path / "apprenants-100.csv", 100)
    done = subprocess.run(
        [*TREMPLIN, "import", "learners", str(again)],
        env=throwaway_env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    expected = (100, 100) if learners == 0 else (ROWS, ROWS)
    assert watch.counts()[:2] == expected
