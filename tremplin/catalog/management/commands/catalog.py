from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tremplin.catalog.lheo import LheoRefused, edition_lheo
from tremplin.catalog.models import Edition
from tremplin.catalog.pdf import catalogue_pdf
from tremplin.catalog.selectors import edition_summary
from tremplin.core.management.base import TremplinCommand


class Command(TremplinCommand):
    help = (
        "Catalogue : `tremplin catalog summary 2020-2021 --format json|text`, "
        "`tremplin catalog pdf 2020-2021 -o catalogue.pdf`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["summary", "pdf", "lheo"])
        parser.add_argument("edition", help="année de l'édition, ex. 2020-2021")
        self.add_format_argument(parser)
        parser.add_argument("-o", "--output", type=Path, help="fichier PDF à écrire")

    def handle(self, *args: Any, **options: Any) -> None:
        edition = Edition.objects.filter(year=options["edition"]).first()
        if edition is None:
            known = ", ".join(Edition.objects.order_by("year").values_list("year", flat=True))
            raise CommandError(
                f"Édition {options['edition']} introuvable (éditions connues : {known or 'aucune'})."
            )
        if options["action"] == "summary":
            summary = edition_summary(edition)
            if options["format"] == "json":
                self.emit_json(summary.as_dict())
            else:
                self.stdout.write("\n".join(summary.lines()))
            return
        output: Path | None = options["output"]
        if output is None:
            example = "offre.xml" if options["action"] == "lheo" else "catalogue.pdf"
            raise CommandError(f"Indiquez le fichier à écrire : -o {example}")
        if options["action"] == "lheo":
            try:
                data = edition_lheo(edition)
            except LheoRefused as exc:
                raise CommandError(str(exc)) from exc
        else:
            data = catalogue_pdf(edition)
        tmp = output.with_name(output.name + ".part")
        try:
            tmp.write_bytes(data)
            tmp.replace(output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CommandError(f"{output} : écriture impossible ({exc.strerror}).") from exc
        what = "Offre LHEO 2.3" if options["action"] == "lheo" else "Catalogue"
        self.stderr.write(f"{what} {edition.year} écrit dans {output} ({len(data) // 1024} Ko).")
