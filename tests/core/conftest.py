"""A committed copy of the session's test database, for the tests whose writes must be
committed (transactional tests): the database's own tools see only committed data, and a
reader's transaction sees another's writes only once committed.

For the module's duration the Django connection uses a throwaway copy of the session's test
database (a file for SQLite, whose test database lives in memory; a database made from it as a
template on PostgreSQL), made afresh for each test. The flush that ends a transactional test thus
empties that copy, never the reference data the whole session shares.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from tremplin.core.append_only import drop_statements

#: The append-only tables (the audit log, the event journal), whose triggers the flush needs gone.
APPEND_ONLY = ("core_auditevent", "core_domainevent")


# ---------------------------------------------------------------------------------------------
# A committed copy of the test database


class SQLiteCopy:
    """A file copy of the in-memory test database, whose connection is kept aside meanwhile
    (closing it would drop the in-memory database)."""

    def __init__(self, home: Path) -> None:
        connection.ensure_connection()
        self.file = home / "tremplin.sqlite3"
        self.env = {"TREMPLIN_HOME": str(home)}
        self.original, self.kept = connection.settings_dict["NAME"], connection.connection
        connection.connection = None
        connection.settings_dict["NAME"] = str(self.file)

    def make(self) -> None:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.file}{suffix}").unlink(missing_ok=True)
        with closing(sqlite3.connect(self.file)) as target:
            self.kept.backup(target)

    def close(self) -> None:
        connection.close()
        connection.settings_dict["NAME"] = self.original
        connection.connection = self.kept


class PostgresCopy:
    """A database made from the test database as a template, beside it."""

    def __init__(self, home: Path) -> None:
        settings = connection.settings_dict
        self.original = settings["NAME"]
        self.name = f"{self.original}_backup_{os.getpid()}"
        self.admin = {
            "dbname": "postgres",
            "host": settings["HOST"] or None,
            "port": settings["PORT"] or None,
            "user": settings["USER"] or None,
            "password": settings["PASSWORD"] or None,
            "autocommit": True,
        }
        url = urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{self.name}"))
        self.env = {"TREMPLIN_HOME": str(home), "DATABASE_URL": url}
        settings["NAME"] = self.name

    def make(self) -> None:
        import psycopg

        connection.close()  # a template database may have no other session
        with psycopg.connect(**self.admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            server.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.original}"')

    def close(self) -> None:
        import psycopg

        connection.close()
        connection.settings_dict["NAME"] = self.original
        with psycopg.connect(**self.admin) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def committed_copy(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SQLiteCopy | PostgresCopy]:
    """Torn down after the last test's flush, which therefore empties the copy."""
    home = tmp_path_factory.mktemp("backup-home")
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        copy = SQLiteCopy(home) if connection.vendor == "sqlite" else PostgresCopy(home)
        try:
            yield copy
        finally:
            copy.close()


@pytest.fixture
def committed_database(committed_copy: SQLiteCopy | PostgresCopy) -> Iterator[dict[str, str]]:
    """A fresh committed copy for the test (transactional: django_db(transaction=True)); yields
    the environment naming it to a subprocess."""
    committed_copy.make()
    yield committed_copy.env
    # The copy is thrown away: let the flush that ends the test delete the append-only tables too.
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            for sql in drop_statements(table, connection.vendor):
                cursor.execute(sql)
