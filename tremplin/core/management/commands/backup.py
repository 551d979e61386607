from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from tremplin.core.backup import BackupError, create_backup, describe_database
from tremplin.core.management.base import TremplinCommand


class Command(TremplinCommand):
    help = (
        "Sauvegarde toute la base avec les outils du moteur (SQLite : API de sauvegarde en ligne ; "
        "PostgreSQL : pg_dump) : tremplin backup -o FICHIER. Le fichier (mode 0600) contient des "
        "données personnelles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="fichier à écrire (par défaut tremplin-AAAAMMJJ-HHMMSS.tar dans le dossier courant)",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or Path(
            f"tremplin-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
        )
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(f"Sauvegarde impossible. {exc}") from exc
        if options["format"] == "json":
            self.emit_json({"file": str(output), **manifest.as_dict()})
            return
        self.stdout.write(f"Base sauvegardée : {describe_database()}.")
        size = f"{manifest.size / 1_000_000:.1f}".replace(".", ",")
        self.stdout.write(
            f"{output} : {manifest.describe()}, {size} Mo, SHA-256 {manifest.sha256[:16]}…"
        )
        self.stdout.write(
            "Ce fichier contient des données personnelles : seul son propriétaire peut le lire ; "
            "conservez-le en lieu sûr."
        )
