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

TREMPLIN = str(Path(sys.executable).with_name("tremplin"))


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["TREMPLIN_HOME"] = str(home)
    return env


@dataclass
class Copy:
    """An establishment copy in its own TREMPLIN_HOME."""

    home: Path
    work: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [TREMPLIN, *args], env=_env(self.home), capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tremplin {' '.join(args)}: {done.stderr}")
        return done

    def python(self, code: str) -> Any:
        """Run `code` in the copy; it assigns `result`, returned as JSON."""
        script = self.work / "snippet.py"
        script.write_text(
            "import json\nresult = None\n"
            + code
            + "\nprint('@@' + json.dumps(result, default=str))\n"
        )
        done = subprocess.run(
            [TREMPLIN, "shell", "--no-imports", "-c", script.read_text()],
            env=_env(self.home),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(done.stderr)
        line = [x for x in done.stdout.splitlines() if x.startswith("@@")][-1]
        return json.loads(line[2:])

    def export(self, name: str) -> Path:
        path = self.work / name
        self.run("sync", "export", "-o", str(path))
        return path

    def import_(self, path: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("sync", "import", str(path), "--format", "json", check=check)

    def scope(self) -> dict[str, Any]:
        return self.python(
            "from tremplin.sync.services import scope_rows\n"
            "from tremplin.sync.models import Peer\n"
            "result = {f'{k[0]} {k[1]}': v for k, v in "
            "scope_rows(Peer.objects.get()).items()}"
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
    def make(label: str = "CD MELUN") -> tuple[Peer, Copy]:
        created = services.create_site(Establishment.objects.get(label=label))
        home = tmp_path / created.peer.code
        shutil.copytree(empty_copy_home, home)
        site_file = tmp_path / f"{created.peer.code}.tremplin-site"
        site_file.write_bytes(created.data)
        copy = Copy(home=home, work=tmp_path)
        copy.run("site", "install", str(site_file), "--code", created.code)
        return created.peer, copy

    yield make
