from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tremplin.accounts.demo import DEMO_PASSWORD, load_accounts
from tremplin.catalog.demo import load_catalogue
from tremplin.conventions.demo import load_conventions
from tremplin.core.management.base import TremplinCommand
from tremplin.delivery.demo import load_delivery
from tremplin.emergence.demo import load_emergence
from tremplin.learners.demo import load_learners
from tremplin.orientation.demo import load_orientation
from tremplin.places.demo import load_partners
from tremplin.places.models import Establishment
from tremplin.places.refdata import load_reference_data


class Command(TremplinCommand):
    help = "Données de démonstration : `tremplin demo load` (idempotent, personnes fictives, lieux réels)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        lines: list[str] = []
        if not Establishment.objects.exists():
            lines += list(load_reference_data().lines())
        lines += load_partners()
        lines += load_catalogue()
        accounts = load_accounts()
        lines += load_learners()  # after the accounts: the learners' history names the users
        lines += load_emergence()  # participants of their own, enrolled in no UE
        lines += load_conventions()  # last: its objectives read the demo history
        lines += load_delivery()  # after the learners: material, exams, hand-over of 2026-2027
        lines += load_orientation()  # after the partners, catalogue and accounts
        if options["format"] == "json":
            self.emit_json(
                {
                    "log": lines,
                    "accounts": [
                        {
                            "username": a.username,
                            "password": DEMO_PASSWORD,
                            "role": a.role.value,
                            "scope": a.scope,
                        }
                        for a in accounts
                    ],
                }
            )
            return
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for a in accounts:
            self.stdout.write(f"  {a.username:<15} {a.role.label} — {a.scope}")
