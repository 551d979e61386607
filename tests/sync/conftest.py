"""A centre and an establishment copy in one test session: the centre is the test database (SQLite
or PostgreSQL), the copy a real installation on SQLite in its own TREMPLIN_HOME, driven through
the `tremplin` command as a copy is in an establishment. Bundles cross as files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tremplin.places.models import Establishment
from tremplin.sync import services
from tremplin.sync.models import Peer


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["TREMPLIN_HOME"] = str(home)
    return env


ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Copy:
    """An establishment copy in its own TREMPLIN_HOME, served by its own process
    (tests/sync/copy_worker.py: Django started once, then one operation per request)."""

    home: Path
    work: Path
    process: subprocess.Popen[str] | None = None

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.process is None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.sync.copy_worker"],
                env=_env(self.home),
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def close(self) -> None:
        if self.process is not None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process = None

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A `tremplin` command on the copy (exit 1 and the French reason when refused)."""
        answer = self._ask({"op": "cli", "args": list(args)})
        done = subprocess.CompletedProcess(
            ["tremplin", *args], answer["code"], answer["stdout"], answer["stderr"]
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tremplin {' '.join(args)}: {done.stderr}")
        return done

    def python(self, code: str) -> Any:
        """Run `code` on the copy; it assigns `result`, returned through JSON."""
        answer = self._ask({"op": "python", "code": code})
        if answer["code"] != 0:
            raise AssertionError(answer["stderr"])
        return answer["result"]

    def export(self, name: str) -> Path:
        path = self.work / name
        self.run("sync", "export", "-o", str(path))
        return path

    def import_(self, path: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("sync", "import", str(path), "--format", "json", check=check)

    def scope(self) -> dict[str, Any]:
        return dict(
            self.python(
                "from tremplin.sync.services import scope_rows\n"
                "from tremplin.sync.models import Peer\n"
                "result = {f'{k[0]} {k[1]}': v for k, v in "
                "scope_rows(Peer.objects.get()).items()}"
            )
        )


def centre_scope(peer: Peer) -> dict[str, Any]:
    return {f"{k[0]} {k[1]}": v for k, v in services.scope_rows(peer).items()}


def centre_export(peer: Peer, work: Path, name: str) -> Path:
    data, _ = services.export_bundle(peer.code)
    path = work / name
    path.write_bytes(data)
    return path


@pytest.fixture
def make_copy(empty_copy_home: Path, tmp_path: Path) -> Iterator[Any]:
    made: list[Copy] = []

    def make(label: str = "CD MELUN") -> tuple[Peer, Copy]:
        created = services.create_site(Establishment.objects.get(label=label))
        home = tmp_path / created.peer.code
        shutil.copytree(empty_copy_home, home)
        site_file = tmp_path / f"{created.peer.code}.tremplin-site"
        site_file.write_bytes(created.data)
        copy = Copy(home=home, work=tmp_path)
        made.append(copy)
        copy.run("site", "install", str(site_file), "--code", created.code)
        return created.peer, copy

    yield make
    for copy in made:
        copy.close()
