"""Real Tremplin installations for the tests that run `tremplin` as a separate process (the
browser tests' server, the import killed in the middle of its write): a TREMPLIN_HOME and, on
PostgreSQL, a throwaway database beside the one DATABASE_URL names.

Migrating a new database and loading the demo takes about 23 s; the demo installation is made
once per test session and each test that needs one gets a copy of it (its folder copied, and on
PostgreSQL a database created from it as a template).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

TREMPLIN = [sys.executable, "-m", "tremplin.cli"]


def _admin(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def _execute(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_admin(url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


@contextmanager
def postgres_database(url: str, name: str, template: str | None = None) -> Iterator[str]:
    """A database `name` beside the one `url` names (a copy of `template` when given), dropped
    on leaving: its address."""
    copy_of = f' TEMPLATE "{template}"' if template else ""
    _execute(
        url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{copy_of}'
    )
    try:
        yield urlunparse(urlparse(url)._replace(path=f"/{name}"))
    finally:
        _execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Installation:
    """A prepared installation: its folder and, on PostgreSQL, its database's name."""

    home: Path
    database: str | None

    @contextmanager
    def copy(self, home: Path, name: str) -> Iterator[dict[str, str]]:
        """A copy of this installation in `home` (its database called `name` on PostgreSQL):
        the environment of its `tremplin` commands, until leaving."""
        shutil.copytree(self.home, home)
        env = {**os.environ, "TREMPLIN_HOME": str(home)}
        if self.database is None:
            env.pop("DATABASE_URL", None)
            yield env
            return
        with postgres_database(os.environ["DATABASE_URL"], name, self.database) as url:
            env["DATABASE_URL"] = url
            yield env


@contextmanager
def demo_installation(home: Path) -> Iterator[Installation]:
    """Migrated, with the reference data and the demo loaded, on the run's database (the
    embedded one, or a throwaway PostgreSQL one when DATABASE_URL is set)."""
    url = os.environ.get("DATABASE_URL")
    name = f"tremplin_demo_{os.getpid()}"
    with postgres_database(url, name) if url else nullcontext() as database:
        env = {**os.environ, "TREMPLIN_HOME": str(home)}
        if database is not None:
            env["DATABASE_URL"] = database
        for args in (["migrate", "--noinput", "-v0"], ["demo", "load"]):
            done = subprocess.run([*TREMPLIN, *args], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"tremplin {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        yield Installation(home, name if url else None)
