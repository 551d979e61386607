"""`tremplin retention apply [--dry-run] [--years 5] [--format text|json]`: anonymise every
learner with no activity for longer than the retention period (setting
TREMPLIN_RETENTION_YEARS, default 5), with the same service as an erasure on request.
Idempotent: an anonymised record is never taken again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from tremplin.core.management.base import TremplinCommand
from tremplin.learners.models import Learner

from ...selectors import inactive_learners, retention_cutoff
from ...services import anonymise


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


class Command(TremplinCommand):
    help = (
        "Conservation des données : `tremplin retention apply [--dry-run] [--years 5]` anonymise "
        "les dossiers sans activité depuis plus que la durée de conservation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["apply"])
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="liste les dossiers qui seraient anonymisés, sans rien modifier",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help="durée de conservation en années (par défaut TREMPLIN_RETENTION_YEARS, 5)",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["years"]
        if years is None:
            years = int(getattr(settings, "TREMPLIN_RETENTION_YEARS", 5))
        if years < 1:
            raise CommandError("La durée de conservation est un nombre d'années positif, ex. 5.")
        dry_run = bool(options["dry_run"])
        today = timezone.localdate()
        cutoff = retention_cutoff(years, today)
        inactive = inactive_learners(years, today)

        done: list[dict[str, str]] = []
        skipped: list[dict[str, str]] = []
        for item in inactive:
            line = {"reference": item.reference, "last_activity": item.last_activity.isoformat()}
            if dry_run:
                done.append(line)
                continue
            try:
                learner = anonymise(
                    Learner.objects.get(pk=item.pk),
                    None,
                    f"durée de conservation de {years} ans dépassée "
                    f"(dernière activité le {item.last_activity:%d/%m/%Y})",
                    today=today,
                )
            except ValidationError as exc:
                skipped.append({**line, "reason": " ".join(exc.messages)})
            else:
                done.append({**line, "new_reference": learner.reference})

        if options["format"] == "json":
            self.emit_json(
                {
                    "dry_run": dry_run,
                    "years": years,
                    "cutoff": cutoff.isoformat(),
                    "anonymised": done,
                    "skipped": skipped,
                }
            )
            return
        self._write_text(dry_run, years, cutoff.strftime("%d/%m/%Y"), done, skipped)

    def _write_text(
        self,
        dry_run: bool,
        years: int,
        cutoff: str,
        done: list[dict[str, str]],
        skipped: list[dict[str, str]],
    ) -> None:
        period = f"aucune activité depuis le {cutoff}, durée de conservation {plural(years, 'an')}"
        if not done and not skipped:
            self.stdout.write(f"Aucun dossier à anonymiser ({period}).")
            return
        if dry_run:
            self.stdout.write(
                f"Simulation : {plural(len(done), 'dossier serait anonymisé', 'dossiers seraient anonymisés')} ({period}) :"
            )
        else:
            self.stdout.write(
                f"{plural(len(done), 'dossier anonymisé', 'dossiers anonymisés')} ({period}) :"
            )
        for line in done:
            day = _french(line["last_activity"])
            new = f" → {line['new_reference']}" if "new_reference" in line else ""
            self.stdout.write(f"  {line['reference']}{new} — dernière activité le {day}")
        for line in skipped:
            self.stdout.write(
                f"  {line['reference']} non anonymisé — dernière activité le "
                f"{_french(line['last_activity'])} : {line['reason']}"
            )
        if dry_run:
            self.stdout.write("Rien n'a été modifié.")


def _french(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
