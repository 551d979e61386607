from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tremplin.api.webhooks import deliver_due
from tremplin.core.management.base import TremplinCommand


class Command(TremplinCommand):
    help = (
        "Webhooks : `tremplin webhooks deliver [--limit 500] [--format json|text]` envoie les "
        "événements en attente (à lancer chaque minute, par exemple par cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["deliver"])
        parser.add_argument("--limit", type=int, default=500, help="au plus N envois")
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        report = deliver_due(limit=options["limit"])
        if options["format"] == "json":
            self.emit_json(report.as_dict())
            return
        self.stdout.write(
            f"{report.attempted} envoi(s) tenté(s) : {report.delivered} remis, "
            f"{report.retried} à retenter, {report.failed} en échec définitif."
        )
