"""Shared behaviour of Tremplin's verbs: `--format json` prints one JSON document on stdout and
nothing else there; a failure exits non-zero with a clear message on stderr."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class TremplinCommand(BaseCommand):
    formats: tuple[str, ...] = ("text", "json")

    def add_format_argument(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=self.formats, default=self.formats[0])

    def emit_json(self, document: Any) -> None:
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))

    def fail(self, message: str) -> CommandError:
        return CommandError(message)
