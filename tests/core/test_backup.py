"""`tremplin backup` and `tremplin restore`: a round trip gives the database back as it was, a
damaged file or one of the other engine is refused and changes nothing, the file is private.

The backup is made by the database's own tools (pg_dump, SQLite's backup API), which see only
committed data in a real database: the tests are transactional, each in a committed copy of the
session's test database (tests/core/conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.core.models import AuditEvent
from tremplin.learners.models import Learner, Placement

pytestmark = pytest.mark.django_db(transaction=True)

CHECKED_MODELS = (User, Learner, Placement, AuditEvent, TeachingUnit)


@pytest.fixture(autouse=True)
def live_database(committed_database: dict[str, str]) -> dict[str, str]:
    """No test of the module may reach the shared database (tests/core/conftest.py)."""
    return committed_database


# ---------------------------------------------------------------------------------------------
# Helpers


def fingerprint() -> dict[str, Any]:
    """Row counts of every table, and a checksum of a few tables' whole contents. The writes
    that the counts' stamps keep on PostgreSQL (core_tablewrite) are not data: a restore
    empties them and gives the stamps new tokens (test below)."""
    with connection.cursor() as cursor:
        tables = sorted(set(connection.introspection.table_names(cursor)) - {"core_tablewrite"})
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        digests = {}
        for model in CHECKED_MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            digests[model._meta.db_table] = hashlib.sha256(
                repr(cursor.fetchall()).encode()
            ).hexdigest()
    return {"counts": counts, "digests": digests}


def add_learners(*references: str) -> None:
    for reference in references:
        Learner.objects.create(
            reference=reference,
            last_name="Sauvegarde",
            first_name="Test",
            birth_date=date(1990, 5, 17),
            kind="youth",
            status="other",
        )


def audit(summary: str) -> None:
    AuditEvent.objects.create(username="coordination", action="view", model="test", summary=summary)


def backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", "-o", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def rewrite_manifest(source: Path, target: Path, **changes: Any) -> None:
    """A copy of a backup whose manifest says something else (its payload is untouched)."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for info in old:
            data = old.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == "manifest.json":
                data = json.dumps({**json.loads(data), **changes}).encode()
                info.size = len(data)
            new.addfile(info, io.BytesIO(data))


OTHER_ENGINE = {"sqlite": ("postgresql", "PostgreSQL"), "postgresql": ("sqlite", "SQLite")}


# ---------------------------------------------------------------------------------------------
# Round trip


def test_a_backup_restores_the_database_as_it_was(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    add_learners("BACKUP-1", "BACKUP-2", "BACKUP-3")
    audit("avant la sauvegarde")
    before = fingerprint()
    file = tmp_path / "tremplin.tar"
    assert "Base sauvegardée" in backup(file)

    Learner.objects.filter(reference="BACKUP-1").delete()
    add_learners("BACKUP-4", "BACKUP-5")
    User.objects.filter(username="referent").update(first_name="Changé")
    audit("après la sauvegarde")
    assert fingerprint() != before

    report = restore(file, "--yes")

    assert fingerprint() == before
    assert "Base restaurée" in report
    assert "BACKUP-1" in set(Learner.objects.values_list("reference", flat=True))
    assert not AuditEvent.objects.filter(summary="après la sauvegarde").exists()


def test_a_restored_database_gives_its_tables_new_stamps(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    """A count stored under the backup's stamps (core.stamps) may describe other rows than the
    restored ones: the restore leaves it unread. On PostgreSQL the restored writes go too:
    numbered by the dumped server's transactions, which this server's may reach."""
    from tremplin.core.models import TableStamp, TableWrite

    add_learners("BK-0900")
    if connection.vendor == "postgresql":
        assert TableWrite.objects.filter(table="learners_learner").exists()
    saved = dict(TableStamp.objects.values_list("table", "token"))
    assert saved
    file = tmp_path / "tremplin.tar"
    backup(file)
    restore(file, "--yes")
    restored = dict(TableStamp.objects.values_list("table", "token"))
    assert set(restored) == set(saved)
    assert all(restored[table] != saved[table] for table in saved)
    assert not TableWrite.objects.exists()


def test_the_audit_log_stays_append_only_after_a_restore(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    audit("événement sauvegardé")
    file = tmp_path / "tremplin.tar"
    backup(file)
    restore(file, "--yes")

    event = AuditEvent.objects.get(summary="événement sauvegardé")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="effacé")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "événement sauvegardé"


def test_the_backup_file_is_readable_by_its_owner_only(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "tremplin.tar"
    file.write_text("une ancienne sauvegarde")
    file.chmod(0o644)
    previous = os.umask(0o022)
    try:
        backup(file)
    finally:
        os.umask(previous)

    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert tarfile.is_tarfile(file)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tremplin.tar"]


def test_the_manifest_names_the_engine_the_migrations_and_the_payload_checksum(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "tremplin.tar"
    backup(file)

    with tarfile.open(file) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        payload = tar.extractfile(names[1]).read()  # type: ignore[union-attr]
    assert names[0] == "manifest.json"
    assert manifest["engine"] == connection.vendor
    assert ["core", "0002_audit_append_only"] in manifest["migrations"]
    assert manifest["tables"]["learners_learner"] == Learner.objects.count()
    assert manifest["payload"]["sha256"] == hashlib.sha256(payload).hexdigest()


# ---------------------------------------------------------------------------------------------
# Refusals


def _truncate(file: Path) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])


def _flip_a_byte(file: Path) -> None:
    data = bytearray(file.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0xFF
    file.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _flip_a_byte], ids=["truncated", "corrupted"])
def test_a_damaged_backup_is_refused_and_changes_nothing(
    live_database: dict[str, str], tmp_path: Path, damage: Any
) -> None:
    file = tmp_path / "tremplin.tar"
    backup(file)
    add_learners("APRES-LA-SAUVEGARDE")
    before = fingerprint()
    damage(file)

    with pytest.raises(CommandError, match="tronquée ou corrompue"):
        restore(file, "--yes")

    assert fingerprint() == before
    leftovers = [p.name for p in Path(live_database["TREMPLIN_HOME"]).iterdir()]
    assert not [name for name in leftovers if name.startswith(".tremplin-restore")]


def test_a_backup_of_the_other_engine_is_refused(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    file, forged = tmp_path / "tremplin.tar", tmp_path / "other.tar"
    backup(file)
    engine, label = OTHER_ENGINE[connection.vendor]
    rewrite_manifest(file, forged, engine=engine)
    add_learners("APRES-LA-SAUVEGARDE")
    before = fingerprint()

    with pytest.raises(CommandError, match=f"Cette sauvegarde vient d'une base {label}"):
        restore(forged, "--yes")

    assert fingerprint() == before


def test_a_backup_made_with_newer_migrations_is_refused(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    file, forged = tmp_path / "tremplin.tar", tmp_path / "newer.tar"
    backup(file)
    with tarfile.open(file) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    rewrite_manifest(
        file, forged, migrations=[*manifest["migrations"], ["core", "9999_a_la_version_suivante"]]
    )
    before = fingerprint()

    with pytest.raises(
        CommandError, match=r"version plus récente.*core\.9999_a_la_version_suivante"
    ):
        restore(forged, "--yes")

    assert fingerprint() == before


def test_a_file_that_is_not_a_backup_is_refused(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "notes.csv"
    file.write_text("reference;last_name\nX;Y\n")

    with pytest.raises(CommandError, match="Restauration impossible, la base n'a pas été modifiée"):
        restore(file, "--yes")


def test_a_restore_asks_for_confirmation_first(
    live_database: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "tremplin.tar"
    backup(file)
    add_learners("APRES-LA-SAUVEGARDE")
    before = fingerprint()

    with pytest.raises(CommandError, match="--yes"):
        restore(file)  # no terminal to ask

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("non\n"))
    with pytest.raises(CommandError, match="Restauration annulée"):
        restore(file)
    assert fingerprint() == before


def test_a_sqlite_database_still_open_elsewhere_is_not_replaced(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: the file is replaced; PostgreSQL restores in one transaction")
    file = tmp_path / "tremplin.tar"
    backup(file)
    before = fingerprint()
    with closing(sqlite3.connect(connection.settings_dict["NAME"])) as server:
        server.execute("SELECT COUNT(*) FROM learners_learner").fetchone()
        with pytest.raises(CommandError, match="en cours d'utilisation"):
            restore(file, "--yes")
    assert fingerprint() == before


# ---------------------------------------------------------------------------------------------
# The console script


def test_the_command_line_backs_up_and_restores_with_french_messages(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | live_database
    file = tmp_path / "tremplin.tar"

    def tremplin(*args: str) -> subprocess.CompletedProcess[str]:
        connection.close()  # a restore refuses to replace a database this process holds open
        return subprocess.run(
            [sys.executable, "-m", "tremplin.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    before = fingerprint()
    done = tremplin("backup", "-o", str(file))
    assert done.returncode == 0, done.stderr
    assert "données personnelles" in done.stdout

    add_learners("APRES-LA-SAUVEGARDE")
    refused = tremplin("restore", str(file))
    assert refused.returncode != 0
    assert "--yes" in refused.stderr

    done = tremplin("restore", str(file), "--yes")
    assert done.returncode == 0, done.stderr
    assert "Base restaurée" in done.stdout
    assert fingerprint() == before

    _flip_a_byte(file)
    refused = tremplin("restore", str(file), "--yes")
    assert refused.returncode != 0
    assert "tronquée ou corrompue" in refused.stderr
    assert fingerprint() == before


def test_a_process_that_opened_the_sqlite_database_reads_the_restored_one(
    live_database: dict[str, str], tmp_path: Path
) -> None:
    """A server's worker may have opened the database without reading it yet (the check
    cannot see it: SQLite opens its log on the first read) and keeps its connection: it reads
    and writes the restored database, not a replaced file whose writes would be lost."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: PostgreSQL restores in one transaction on its server")
    add_learners("BACKUP-1")
    file = tmp_path / "tremplin.tar"
    backup(file)
    add_learners("BACKUP-2")
    with closing(sqlite3.connect(connection.settings_dict["NAME"], timeout=10)) as worker:
        restore(file, "--yes")
        found = worker.execute(
            "SELECT reference FROM learners_learner WHERE reference LIKE 'BACKUP-%'"
        ).fetchall()
        assert found == [("BACKUP-1",)]
        worker.execute(
            "UPDATE learners_learner SET first_name = 'Écrit' WHERE reference = 'BACKUP-1'"
        )
        worker.commit()
    assert Learner.objects.get(reference="BACKUP-1").first_name == "Écrit"
