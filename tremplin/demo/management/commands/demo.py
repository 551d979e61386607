from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tremplin.core.management.base import TremplinCommand
from tremplin.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_code, load_accounts
from tremplin.demo.catalog import load_catalogue
from tremplin.demo.conventions import load_conventions
from tremplin.demo.delivery import load_delivery
from tremplin.demo.emergence import load_emergence
from tremplin.demo.learners import load_learners
from tremplin.demo.orientation import load_orientation
from tremplin.demo.places import load_partners
from tremplin.places.models import Establishment
from tremplin.places.refdata import load_reference_data


class Command(TremplinCommand):
    help = (
        "Données de démonstration : `tremplin demo load` (idempotent, personnes fictives, lieux "
        "réels) ; `tremplin demo code IDENTIFIANT` affiche le code de double authentification "
        "du moment d'un compte de démonstration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "code"])
        parser.add_argument("username", nargs="?", help="pour `code` : un compte de démonstration")
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help="demo : le jeu de démonstration habituel ; national : en plus, le volume du "
            "programme entier (186 établissements, 100 000 apprenants, 1 000 000 d'inscriptions, "
            "d'entretiens et d'orientations), en quelques minutes, progression sur stderr.",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "code":
            self.print_code(options["username"], options["format"])
            return
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
        if options["scale"] == "national":
            from tremplin.demo.national import default_progress, load_national

            lines += load_national(progress=default_progress())
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
                    "totp_secret": DEMO_TOTP_SECRET,
                }
            )
            return
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for a in accounts:
            self.stdout.write(f"  {a.username:<15} {a.role.label} — {a.scope}")
        self.stdout.write("")
        self.stdout.write(
            "Double authentification (tous les comptes sauf « statistique ») : clé TOTP de "
            f"démonstration {DEMO_TOTP_SECRET}, à ajouter dans une application d'authentification, "
            "ou `tremplin demo code IDENTIFIANT` pour afficher le code du moment."
        )

    def print_code(self, username: str | None, output: str) -> None:
        if not username:
            raise self.fail("Indiquez le compte : `tremplin demo code IDENTIFIANT`.")
        try:
            code = demo_code(username)
        except ValueError as error:
            raise self.fail(str(error)) from None
        if output == "json":
            self.emit_json({"username": username, "code": code})
        else:
            self.stdout.write(code)
