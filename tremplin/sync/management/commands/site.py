"""`tremplin site create "CD MELUN" -o melun.tremplin-site` (at the centre: prints the
installation code once), `tremplin site install FILE [--code CODE]` (on an empty
TREMPLIN_HOME), `tremplin site revoke CODE`, `tremplin site list` (docs/sync.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from tremplin.core.management.base import TremplinCommand
from tremplin.places.models import Establishment

from ... import selectors, services


class Command(TremplinCommand):
    help = (
        "Copies d'établissement : create ÉTABLISSEMENT -o FICHIER, install FICHIER [--code], "
        "revoke COPIE, list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "install", "revoke", "list"])
        parser.add_argument("target", nargs="?", default="", help="établissement, fichier, copie")
        parser.add_argument("-o", "--output", default="", help="fichier à écrire (create)")
        parser.add_argument(
            "--code",
            default="",
            help="code d'installation (install ; sinon TREMPLIN_SITE_CODE ou saisie)",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        try:
            if action == "create":
                self._create(target, options["output"], options["format"])
            elif action == "install":
                self._install(target, options["code"], options["format"])
            elif action == "revoke":
                peer = services.revoke_site(target)
                self.stdout.write(
                    f"Clé de la copie {peer.code} révoquée : tout envoi signé par elle est "
                    "désormais refusé. Une nouvelle copie peut être créée."
                )
            else:
                self._list(options["format"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _create(self, target: str, output: str, fmt: str) -> None:
        if not target or not output:
            raise CommandError(
                'Indiquez l\'établissement et le fichier : site create "CD MELUN" '
                "-o melun.tremplin-site."
            )
        establishment = Establishment.objects.filter(label__iexact=target.strip()).first()
        if establishment is None:
            raise CommandError(
                f"Établissement inconnu : {target} (libellé officiel, ex. CD MELUN)."
            )
        created = services.create_site(establishment)
        Path(output).write_bytes(created.data)
        if fmt == "json":
            self.emit_json(
                {
                    "site": created.peer.code,
                    "establishment": establishment.label,
                    "file": output,
                    "records": created.records,
                    "bytes": len(created.data),
                    "fingerprint": created.peer.fingerprint,
                    "installation_code": created.code,
                }
            )
            return
        self.stdout.write(
            f"Copie {created.peer.code} de {establishment.label} écrite dans {output} "
            f"({created.records} enregistrements, {len(created.data) // 1024} Ko).\n"
            f"Empreinte de sa clé : {created.peer.fingerprint}\n"
            f"Code d'installation (affiché une seule fois, à transmettre à part du fichier) :\n"
            f"    {created.code}"
        )

    def _install(self, target: str, code: str, fmt: str) -> None:
        path = Path(target)
        if not target or not path.is_file():
            raise CommandError(f"Fichier introuvable : {target or '(aucun)'}.")
        code = code or os.environ.get("TREMPLIN_SITE_CODE", "")
        if not code:
            code = input("Code d'installation : ")
        summary = services.install_site(path.read_bytes(), code)
        if fmt == "json":
            self.emit_json(summary.as_dict())
            return
        self.stdout.write(
            f"Copie {summary.site} installée : {summary.created} enregistrements, "
            f"{summary.details.get('accounts', 0)} comptes."
        )

    def _list(self, fmt: str) -> None:
        rows = [
            {
                "site": p.code,
                "establishment": p.establishment.label,
                "sent": p.sent_seq,
                "received": p.received_seq,
                "acknowledged": p.acked_seq,
                "fingerprint": p.fingerprint,
                "revoked": p.revoked_at is not None,
                "conflicts_to_review": getattr(p, "to_review", 0),
            }
            for p in selectors.sites()
        ]
        if fmt == "json":
            self.emit_json(rows)
            return
        if not rows:
            self.stdout.write("Aucune copie d'établissement.")
        for row in rows:
            state = "révoquée" if row["revoked"] else "en service"
            self.stdout.write(
                f"{row['site']} ({row['establishment']}, {state}) : envoi n° {row['sent']}, "
                f"reçu n° {row['received']}, conflits à revoir : {row['conflicts_to_review']}"
            )
