"""`tremplin sync export [--site COPIE] -o FICHIER` and `tremplin sync import FICHIER`, with
`--format json` for a machine-readable summary (docs/sync.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from tremplin.core.management.base import TremplinCommand

from ... import services


class Command(TremplinCommand):
    help = "Synchronisation par fichier : export [--site COPIE] -o FICHIER, import FICHIER."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("target", nargs="?", default="", help="fichier à importer")
        parser.add_argument("-o", "--output", default="", help="fichier à écrire (export)")
        parser.add_argument(
            "--site",
            default="",
            help="copie destinataire, code ou établissement (export, au centre)",
        )
        parser.add_argument(
            "--number",
            type=int,
            default=None,
            help="refaire l'envoi n° N (son fichier est perdu : l'autre côté l'attend)",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "export":
                if not options["output"]:
                    raise CommandError("Indiquez le fichier à écrire : -o FICHIER.")
                data, summary = services.export_bundle(options["site"], number=options["number"])
                Path(options["output"]).write_bytes(data)
                text = (
                    f"Envoi n° {summary.seq} pour {summary.site} écrit dans {options['output']} : "
                    f"{summary.records} enregistrements modifiés, {summary.deleted} retirés "
                    f"({summary.bytes // 1024} Ko)."
                )
            else:
                path = Path(options["target"])
                if not options["target"] or not path.is_file():
                    raise CommandError(f"Fichier introuvable : {options['target'] or '(aucun)'}.")
                summary = services.import_bundle(path.read_bytes())
                text = (
                    f"Envoi n° {summary.seq} de {summary.site} importé : {summary.created} "
                    f"créés, {summary.updated} modifiés, {summary.deleted} supprimés, "
                    f"{summary.conflicts} conflits à revoir."
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["format"] == "json":
            self.emit_json(summary.as_dict())
        else:
            self.stdout.write(text)
