"""Backups of the whole database with the database's own tools (`tremplin backup`, `tremplin
restore`).

A backup is a tar archive of two members: ``manifest.json`` (format, engine, Tremplin version,
date, applied migrations, row count of every table, name, size and SHA-256 of the payload) and
the payload itself: on SQLite a gzip-compressed copy made with the online backup API (a
consistent snapshot, even while the server writes), on PostgreSQL a ``pg_dump --format=custom``
of a snapshot whose row counts the manifest records.

A restore verifies everything before it changes anything: the manifest, the engine, that the code
knows every migration the backup has, the size and checksum of the payload; on SQLite it also
rebuilds the database into a temporary file next to the live one, checks it (``PRAGMA
integrity_check``, row counts) and only then copies it in with SQLite's backup API, in one
transaction under the live database's locks (``os.replace`` when there is no database yet). On
PostgreSQL,
``pg_restore --single-transaction`` applies the whole dump or nothing. The append-only triggers
of the audit log are part of the schema and travel with it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore, fixed argument lists # nosec B404
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from . import stamps
from .typography import thousands

FORMAT = "tremplin-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 10 * 1024 * 1024
PAYLOAD_NAMES = {"sqlite": "database.sqlite3.gz", "postgresql": "database.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ENGINE_HINTS = {
    "sqlite": "sans DATABASE_URL, la base de TREMPLIN_HOME",
    "postgresql": "DATABASE_URL=postgres://…",
}
CHUNK = 1024 * 1024
#: How long a PostgreSQL restore waits for a lock held by another session before giving up.
PG_LOCK_TIMEOUT = "60s"

Migration = tuple[str, str]


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the user, in French."""


# ---------------------------------------------------------------------------------------------
# The manifest


@dataclass(frozen=True)
class DatabaseState:
    """What a database holds, as far as a restore needs to know."""

    migrations: tuple[Migration, ...]
    tables: Mapping[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class Manifest:
    engine: str
    tremplin_version: str
    created_at: datetime
    state: DatabaseState
    payload: str
    size: int
    sha256: str

    @property
    def engine_label(self) -> str:
        return ENGINE_LABELS.get(self.engine, self.engine)

    def describe(self) -> str:
        when = timezone.localtime(self.created_at).strftime("%d/%m/%Y à %H:%M")
        return (
            f"sauvegarde {self.engine_label} du {when} (Tremplin {self.tremplin_version}) : "
            f"{len(self.state.tables)} tables, {thousands(self.state.rows)} lignes"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "engine": self.engine,
            "tremplin_version": self.tremplin_version,
            "created_at": self.created_at.isoformat(),
            "migrations": [list(m) for m in self.state.migrations],
            "tables": dict(self.state.tables),
            "payload": {"name": self.payload, "size": self.size, "sha256": self.sha256},
        }

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("Ce fichier n'est pas une sauvegarde Tremplin.")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"Format de sauvegarde {data.get('format_version')} inconnu de cette version de "
                "Tremplin : mettez Tremplin à jour avant de la restaurer."
            )
        try:
            payload = data["payload"]
            return cls(
                engine=str(data["engine"]),
                tremplin_version=str(data["tremplin_version"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                state=DatabaseState(
                    migrations=tuple((str(app), str(name)) for app, name in data["migrations"]),
                    tables={str(t): int(n) for t, n in data["tables"].items()},
                ),
                payload=str(payload["name"]),
                size=int(payload["size"]),
                sha256=str(payload["sha256"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError("Le manifeste de la sauvegarde est illisible ou incomplet.") from exc


def tremplin_version() -> str:
    try:
        return metadata.version("tremplin")
    except metadata.PackageNotFoundError:
        return "inconnue"


# ---------------------------------------------------------------------------------------------
# Shared helpers


def engine_of(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in PAYLOAD_NAMES:
        raise BackupError(
            f"Moteur de base de données « {connection.vendor} » non pris en charge "
            "(SQLite ou PostgreSQL)."
        )
    return str(connection.vendor)


def sqlite_path(connection: BaseDatabaseWrapper) -> Path:
    if connection.is_in_memory_db():  # type: ignore[attr-defined]
        raise BackupError("La base SQLite est en mémoire : il n'y a pas de fichier à sauvegarder.")
    return Path(connection.settings_dict["NAME"]).resolve()


def describe_database(using: str = DEFAULT_DB_ALIAS) -> str:
    connection = connections[using]
    if engine_of(connection) == "sqlite":
        return f"SQLite {sqlite_path(connection)}"
    settings = connection.settings_dict
    where = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"
    return f"PostgreSQL « {settings['NAME']} » sur {where}"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_state(cursor: Any, tables: Sequence[str]) -> DatabaseState:
    """Row counts of the tables and the applied migrations, through a DB-API cursor."""
    if "django_migrations" not in tables:
        raise BackupError("La base n'est pas initialisée : lancez d'abord `tremplin migrate`.")
    counts: dict[str, int] = {}
    for table in sorted(tables):
        # The table names come from the database's own catalogue, quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 # nosec B608
        counts[table] = int(cursor.fetchone()[0])
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = tuple((str(app), str(name)) for app, name in cursor.fetchall())
    return DatabaseState(migrations=migrations, tables=counts)


def sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [str(name) for (name,) in rows]


def current_state(using: str = DEFAULT_DB_ALIAS) -> DatabaseState:
    """The live database's state (what a restore reports)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return read_state(cursor, tables)


def known_migrations() -> set[Migration]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.disk_migrations)


def file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def private_file(path: Path) -> IO[bytes]:
    """A new file that only its owner can read (backups hold personal data)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def run_tool(command: list[str], env: Mapping[str, str]) -> None:
    tool = command[0]
    try:
        # A fixed argument list (no shell); the tool is found on PATH, as libpq installs it.
        done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    except FileNotFoundError as exc:
        raise BackupError(
            f"{tool} est introuvable : installez postgresql-client (make system-deps)."
        ) from exc
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{tool} a échoué ({detail or f'code {done.returncode}'}).")


def pg_environment(settings: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for the configured database (the password never goes on a command line)."""
    env = dict(os.environ)
    names = {
        "HOST": "PGHOST",
        "PORT": "PGPORT",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",  # the name of libpq's variable # nosec B105
        "NAME": "PGDATABASE",
    }
    for key, variable in names.items():
        if settings.get(key):
            env[variable] = str(settings[key])
    for option, value in (settings.get("OPTIONS") or {}).items():
        if option in {"sslmode", "sslrootcert", "sslcert", "sslkey", "service", "passfile"}:
            env[f"PG{option.upper()}"] = str(value)
    return env


# ---------------------------------------------------------------------------------------------
# Backup


def create_backup(output: Path, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write a backup of the whole database to `output` (mode 0600, replaced atomically)."""
    connection = connections[using]
    engine = engine_of(connection)
    output = output.absolute()
    if engine == "sqlite" and output.resolve() == sqlite_path(connection):
        raise BackupError("Le fichier de sauvegarde ne peut pas être la base elle-même.")
    if not output.parent.is_dir():
        raise BackupError(f"Le dossier {output.parent} n'existe pas.")
    try:
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=".tremplin-backup-") as tmp:
            payload = Path(tmp) / PAYLOAD_NAMES[engine]
            if engine == "sqlite":
                state = dump_sqlite(connection, payload)
            else:
                state = dump_postgresql(connection, payload)
            size, sha256 = file_digest(payload)
            manifest = Manifest(
                engine=engine,
                tremplin_version=tremplin_version(),
                created_at=timezone.now(),
                state=state,
                payload=payload.name,
                size=size,
                sha256=sha256,
            )
            write_archive(output, manifest, payload)
    except OSError as exc:
        raise BackupError(f"Écriture impossible dans {output.parent} ({exc.strerror}).") from exc
    return manifest


def dump_sqlite(connection: BaseDatabaseWrapper, payload: Path) -> DatabaseState:
    source = sqlite_path(connection)
    if not source.exists():
        raise BackupError(f"La base SQLite {source} n'existe pas : rien à sauvegarder.")
    copy = payload.with_suffix("")
    connection.ensure_connection()
    with closing(sqlite3.connect(copy)) as target:
        connection.connection.backup(target)  # one step: a consistent snapshot
        target.execute("PRAGMA journal_mode=DELETE")
        state = read_state(target.cursor(), sqlite_tables(target))
    with copy.open("rb") as raw, gzip.open(payload, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(raw, packed, CHUNK)
    copy.unlink()
    return state


def dump_postgresql(connection: BaseDatabaseWrapper, payload: Path) -> DatabaseState:
    """pg_dump of an exported snapshot, whose row counts are read in that same snapshot."""
    env = pg_environment(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        state = read_state(cursor, connection.introspection.table_names(cursor))
        run_tool(
            [
                "pg_dump",
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={payload}",
                str(connection.settings_dict["NAME"]),
            ],
            env,
        )
    return state


def write_archive(output: Path, manifest: Manifest, payload: Path) -> None:
    """The tar archive, written beside `output` with mode 0600 then moved onto it."""
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        with private_file(partial) as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                text = json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2).encode()
                tar.addfile(member(MANIFEST_NAME, len(text)), io.BytesIO(text))
                with payload.open("rb") as stream:
                    tar.addfile(member(payload.name, manifest.size), stream)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
        fsync_directory(output.parent)
    finally:
        partial.unlink(missing_ok=True)


def member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    return info


# ---------------------------------------------------------------------------------------------
# Restore


@dataclass(frozen=True)
class VerifiedBackup:
    """A backup whose payload was checked and unpacked, ready to replace the database."""

    source: Path
    manifest: Manifest
    database: Path  # the rebuilt SQLite file, or the PostgreSQL dump
    unknown_later: tuple[Migration, ...]  # migrations of this code that the backup lacks


@contextmanager
def verified_backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[VerifiedBackup]:
    """Check a backup completely, without touching the database; clean up afterwards."""
    connection = connections[using]
    engine = engine_of(connection)
    workdir = sqlite_path(connection).parent if engine == "sqlite" else None
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir, prefix=".tremplin-restore-") as tmp:
        manifest, payload = unpack(path, Path(tmp), engine)
        database = rebuild_sqlite(payload, manifest) if engine == "sqlite" else payload
        later = tuple(sorted(known_migrations() - set(manifest.state.migrations)))
        yield VerifiedBackup(path, manifest, database, later)


def unpack(path: Path, workdir: Path, engine: str) -> tuple[Manifest, Path]:
    """Read and check the manifest, then copy the payload out, checking size and checksum."""
    corrupted = f"{path.name} : sauvegarde tronquée ou corrompue"
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest = read_manifest(tar)
            check_compatible(manifest, engine)
            payload = workdir / manifest.payload
            info = tar.next()
            if info is None or info.name != manifest.payload or not info.isfile():
                raise BackupError(f"{corrupted} (contenu manquant).")
            stream = tar.extractfile(info)
            assert stream is not None  # a regular file
            size, sha256 = copy_hashed(stream, payload)
    except FileNotFoundError as exc:
        raise BackupError(f"{path} : fichier introuvable.") from exc
    except (tarfile.TarError, EOFError) as exc:
        raise BackupError(f"{corrupted} ({exc}).") from exc
    except OSError as exc:
        raise BackupError(f"{path} : lecture impossible ({exc.strerror}).") from exc
    if (size, sha256) != (manifest.size, manifest.sha256):
        raise BackupError(f"{corrupted} (la somme de contrôle SHA-256 ne correspond pas).")
    return manifest, payload


def read_manifest(tar: tarfile.TarFile) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST_NAME or first.size > MAX_MANIFEST_BYTES:
        raise BackupError("Ce fichier n'est pas une sauvegarde Tremplin (manifeste absent).")
    stream = tar.extractfile(first)
    assert stream is not None
    try:
        data = json.loads(stream.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError("Le manifeste de la sauvegarde est illisible.") from exc
    return Manifest.from_dict(data)


def check_compatible(manifest: Manifest, engine: str) -> None:
    if manifest.engine != engine:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {manifest.engine_label} ; la base configurée "
            f"est {ENGINE_LABELS[engine]}. Restaurez-la sur une base {manifest.engine_label} "
            f"({ENGINE_HINTS.get(manifest.engine, '')})."
        )
    unknown = sorted(set(manifest.state.migrations) - known_migrations())
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        more = f" et {len(unknown) - 5} autre(s)" if len(unknown) > 5 else ""
        raise BackupError(
            f"Cette sauvegarde a été faite par une version plus récente de Tremplin "
            f"({manifest.tremplin_version} ; migrations inconnues : {names}{more}). Mettez "
            "Tremplin à jour avant de la restaurer."
        )


def copy_hashed(stream: IO[bytes], target: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with private_file(target) as out:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def rebuild_sqlite(payload: Path, manifest: Manifest) -> Path:
    """Unpack the SQLite copy beside the payload and check it thoroughly."""
    database = payload.with_suffix("")
    try:
        with gzip.open(payload, "rb") as packed, private_file(database) as out:
            shutil.copyfileobj(packed, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
    except (OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"Sauvegarde corrompue : la copie SQLite est illisible ({exc}).") from exc
    try:
        with closing(sqlite3.connect(database, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=DELETE")
            verdict = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
            state = read_state(db.cursor(), sqlite_tables(db))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Sauvegarde corrompue : la copie SQLite est illisible ({exc}).") from exc
    if verdict != ["ok"]:
        raise BackupError(f"Sauvegarde corrompue : PRAGMA integrity_check : {verdict[:3]}.")
    if state != manifest.state:
        raise BackupError("Sauvegarde incohérente : son contenu ne correspond pas au manifeste.")
    return database


def restore_backup(verified: VerifiedBackup, *, using: str = DEFAULT_DB_ALIAS) -> DatabaseState:
    """Replace the whole database by the verified backup; return what the database now holds."""
    connection = connections[using]
    connections.close_all()
    if engine_of(connection) == "sqlite":
        replace_sqlite(verified.database, sqlite_path(connection))
    else:
        restore_postgresql(connection, verified.database)
    connections.close_all()
    return current_state(using)


def replace_sqlite(new: Path, database: Path) -> None:
    """Copy the checked copy into the database, once nobody else uses it, in one transaction
    of SQLite's backup API under the database's own locks: a process that opened the database
    without reading it yet (the check cannot see it) reads and writes the restored one, where
    a file swapped in by a rename left it the replaced file, its writes lost. A database that
    does not exist yet is the checked copy, renamed."""
    if not database.exists():
        os.replace(new, database)
        fsync_directory(database.parent)
        return
    quiesce_sqlite(database)
    try:
        with (
            closing(sqlite3.connect(new)) as source,
            closing(sqlite3.connect(database, timeout=10, isolation_level=None)) as live,
        ):
            source.backup(live)
            # The restored tables' stamps (core.stamps) are the backup's: a count the running
            # processes stored under them may describe other rows; new tokens leave it unread.
            if live.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'core_tablestamp'"
            ).fetchone():
                live.execute("UPDATE core_tablestamp SET token = random()")
            live.execute("PRAGMA journal_mode=WAL").fetchone()
            live.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"La base {database} n'a pas pu être remplacée ({exc}).") from exc
    new.unlink()


def quiesce_sqlite(database: Path) -> None:
    """Fold the write-ahead log into the file; refuse if another connection still has it open
    (SQLite removes the log when its last connection closes)."""
    wal = Path(f"{database}-wal")
    try:
        with closing(sqlite3.connect(database, timeout=10, isolation_level=None)) as live:
            live.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"La base {database} est inaccessible ({exc}).") from exc
    if wal.exists():
        raise BackupError(
            "La base est en cours d'utilisation (serveur Tremplin démarré ?) : arrêtez-le, puis "
            "relancez la restauration."
        )
    Path(f"{database}-shm").unlink(missing_ok=True)


def restore_postgresql(connection: BaseDatabaseWrapper, dump: Path) -> None:
    env = pg_environment(connection.settings_dict)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    try:
        run_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env,
        )
    except BackupError as exc:
        raise BackupError(f"{exc} La transaction est annulée.") from exc
    # As on SQLite (replace_sqlite): the restored tables' stamps are given new tokens; their
    # restored writes go (numbered by the dumped server's transactions, which this server's
    # may reach). A backup older than the stamps has neither table (`migrate` follows).
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('core_tablestamp'), to_regclass('core_tablewrite')")
        stamped, written = cursor.fetchone()
        if stamped:
            cursor.execute(f"UPDATE core_tablestamp SET token = {stamps.PG_RANDOM}")  # noqa: S608 # nosec B608 - a constant
        if written:
            cursor.execute("DELETE FROM core_tablewrite")
