from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tremplin.core.backup import (
    BackupError,
    VerifiedBackup,
    describe_database,
    restore_backup,
    verified_backup,
)
from tremplin.core.management.base import TremplinCommand
from tremplin.core.typography import thousands


class Command(TremplinCommand):
    help = (
        "Restaure toute la base depuis une sauvegarde de `tremplin backup` (tout ou rien, après "
        "vérification du fichier) : tremplin restore FICHIER [--yes]. Arrêtez d'abord le serveur."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes",
            "--noinput",
            "--no-input",
            action="store_true",
            dest="yes",
            help="ne pas demander de confirmation",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with verified_backup(path) as verified:
                if not options["yes"]:
                    self.confirm(verified)
                state = restore_backup(verified)
        except BackupError as exc:
            raise CommandError(
                f"Restauration impossible, la base n'a pas été modifiée. {exc}"
            ) from exc
        manifest = verified.manifest
        pending = [f"{app}.{name}" for app, name in verified.unknown_later]
        if options["format"] == "json":
            self.emit_json(
                {
                    "file": str(path),
                    "restored": manifest.as_dict(),
                    "tables": dict(state.tables),
                    "pending_migrations": pending,
                }
            )
            return
        self.stdout.write(f"Base restaurée ({describe_database()}) depuis {path} :")
        self.stdout.write(f"  {manifest.describe()}.")
        self.stdout.write(
            f"  La base contient maintenant {len(state.tables)} tables et "
            f"{thousands(state.rows)} lignes."
        )
        if pending:
            self.stdout.write(
                f"Cette sauvegarde précède {len(pending)} migration(s) de cette version : "
                "lancez `tremplin migrate`."
            )

    def confirm(self, verified: VerifiedBackup) -> None:
        if not sys.stdin.isatty():
            raise CommandError(
                "Confirmation impossible sans terminal : relancez avec --yes pour remplacer la "
                "base. Rien n'a été modifié."
            )
        self.stdout.write(f"{verified.source} : {verified.manifest.describe()}.")
        self.stdout.write(
            f"La restauration remplace TOUTES les données de la base {describe_database()}. "
            "Arrêtez d'abord le serveur Tremplin."
        )
        answer = input("Tapez « oui » pour continuer : ")
        if answer.strip().lower() not in {"oui", "o"}:
            raise CommandError("Restauration annulée : la base n'a pas été modifiée.")
