from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tremplin.core.management.base import TremplinCommand
from tremplin.places.refdata import load_reference_data


class Command(TremplinCommand):
    help = "Données de référence : `tremplin refdata load` charge les lieux réels (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_reference_data()
        if options["format"] == "json":
            self.emit_json(report.as_dict())
            return
        for line in report.lines():
            self.stdout.write(line)
