from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tremplin.api.openapi import COMMITTED, REGENERATE, build_schema
from tremplin.core.management.base import TremplinCommand


class Command(TremplinCommand):
    help = (
        "API : `tremplin api schema [--file docs/openapi.yaml] [--check]` écrit le schéma "
        "OpenAPI (validé), ou vérifie que le fichier est à jour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["schema"])
        parser.add_argument("--file", type=Path, help="fichier à écrire (« - » : la sortie)")
        parser.add_argument(
            "--check", action="store_true", help="vérifier que le fichier est à jour"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            schema = build_schema()
        except Exception as exc:  # the validation's own exception types vary
            raise CommandError(f"Schéma OpenAPI invalide : {exc}") from exc
        path: Path = options["file"] or COMMITTED
        if options["check"]:
            if not path.exists() or path.read_bytes() != schema:
                raise CommandError(f"{path} n'est pas à jour : lancez `{REGENERATE}`.")
            self.stderr.write(f"{path} est à jour.")
            return
        if str(path) == "-":
            sys.stdout.buffer.write(schema)
            return
        path.write_bytes(schema)
        self.stderr.write(f"Schéma OpenAPI écrit dans {path} ({len(schema) // 1024} Ko).")
