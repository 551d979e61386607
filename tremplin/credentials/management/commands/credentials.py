"""`tremplin credentials issue CERTIFICATION_ID -o cred.json`, `tremplin credentials verify
cred.json [--format json|text]` (exit 0 when valid, 1 otherwise with the French reason; no
network needed), `tremplin credentials key` (the published public keys, JWKS) and `tremplin
credentials rotate` (a new signing key; the old ones still verify)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from tremplin.core.management.base import TremplinCommand
from tremplin.enrolment.models import Certification

from ... import keys, services
from ...verification import verify


class Command(TremplinCommand):
    help = (
        "Attestations vérifiables (Open Badges 3.0) : issue CERTIFICATION -o FICHIER, verify "
        "FICHIER, key, rotate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue", "verify", "key", "rotate"])
        parser.add_argument("target", nargs="?", default="", help="certification ou fichier")
        parser.add_argument("-o", "--output", default="", help="fichier à écrire (issue)")
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action == "key":
            self.stdout.write(json.dumps(keys.jwks(), ensure_ascii=False, indent=2))
        elif action == "rotate":
            key = keys.rotate()
            self.stdout.write(
                f"Nouvelle clé de signature {key.kid} ; les anciennes vérifient toujours."
            )
        elif action == "issue":
            self._issue(target, options["output"])
        else:
            self._verify(target, options["format"])

    def _issue(self, target: str, output: str) -> None:
        if not target.isdigit():
            raise CommandError("Indiquez le numéro (id) de la certification, ex. 42.")
        certification = Certification.objects.filter(pk=int(target)).first()
        if certification is None:
            raise CommandError(f"Aucune certification n° {target}.")
        try:
            credential = services.issue(certification)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        document = {
            "credential": credential.token,
            "verification": services.verification_url(credential),
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Attestation vérifiable écrite dans {output}.")
        else:
            self.stdout.write(text)

    def _verify(self, target: str, fmt: str) -> None:
        if not target:
            raise CommandError("Indiquez le fichier de l'attestation à vérifier.")
        path = Path(target)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {target}.")
        verdict = verify(path.read_text(encoding="utf-8", errors="replace"))
        if fmt == "json":
            self.emit_json(verdict.as_dict())
        else:
            what = verdict.achievement.get("name", "")
            out = self.stdout if verdict.valid else self.stderr
            out.write(verdict.message + (f" ({what})" if what else ""))
        if not verdict.valid:
            sys.exit(1)
