from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tremplin.core.csvimport import ImportRejected
from tremplin.core.management.base import TremplinCommand
from tremplin.core.registry import importers


class Command(TremplinCommand):
    help = "Importe un fichier CSV (tout ou rien) : tremplin import KIND FILE [--dry-run]."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(importers()))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="vérifie et compte sans rien enregistrer"
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path} : lecture impossible ({exc.strerror}).") from exc
        importer = importers()[options["kind"]]()
        try:
            report = importer.run(data, dry_run=options["dry_run"])
        except ImportRejected as exc:
            lines = "\n".join(f"  {path.name}, {error}" for error in exc.errors)
            raise CommandError(f"{exc}\n{lines}") from exc
        if options["format"] == "json":
            self.emit_json(report.as_dict())
        else:
            self.stdout.write(f"{importer.title.capitalize()} ({path.name}) : {report.summary()}")
