"""`tremplin orientation propose --commune 35238 [--sector CODE ...] [--radius 50]
[--qualification bac] --format json|text`: the Cnam offers proposed to a young person living in a
commune (rules in tremplin/orientation/proposals.py).

`tremplin orientation stats 2025 [--academic] [--mission-locale CODE] [--centre CODE]
--format json|text|csv`: the figures of the statistics page (tremplin/orientation/stats_cli.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from tremplin.core.management.base import TremplinCommand
from tremplin.places import communes
from tremplin.places.models import Commune

from ...models import Qualification
from ...proposals import ProposalResult, propose
from ...stats_cli import STATS_FORMATS, render, stats_report


def find_commune(text: str) -> Commune:
    """A commune as people write it: name (« St-Malo »), postal code (35400) or INSEE code."""
    try:
        return communes.resolve_commune(text)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc


class Command(TremplinCommand):
    help = (
        "Orientation des jeunes : `tremplin orientation propose --commune 35238 "
        "[--sector CODE ...] [--radius 50] [--qualification bac] --format json|text` ; "
        "`tremplin orientation stats 2025 [--academic] [--mission-locale CODE] [--centre CODE] "
        "--format json|text|csv`."
    )
    formats = STATS_FORMATS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["propose", "stats"])
        parser.add_argument(
            "year",
            nargs="?",
            help="stats : année civile (2025) ou universitaire (2025-2026) ; aucune : toutes",
        )
        parser.add_argument(
            "--academic",
            action="store_true",
            help="stats : l'année universitaire qui commence cette année (2025 : 2025-2026)",
        )
        parser.add_argument("--mission-locale", help="stats : code de la mission locale")
        parser.add_argument("--centre", help="stats : code du centre Cnam")
        parser.add_argument(
            "--commune", help="propose : nom, code postal ou code INSEE, ex. St-Malo, 35400, 35288"
        )
        parser.add_argument(
            "--sector",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="code d'un secteur (répétable), ex. informatique ; aucun : tous les secteurs",
        )
        parser.add_argument(
            "--radius", type=float, help="rayon en km pour les formations sur place"
        )
        parser.add_argument(
            "--qualification",
            choices=Qualification.values,
            help="plus haut diplôme du jeune : below_bac, bac ou post_bac",
        )
        self.add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "stats":
            self.stats(options)
            return
        if options["year"] is not None:
            raise CommandError(f"propose ne prend pas d'année (ici « {options['year']} »).")
        if options["commune"] is None:
            raise CommandError("Indiquez la commune du jeune : --commune 35238.")
        if options["format"] == "csv":
            raise CommandError("propose s'affiche en text ou en json (--format text|json).")
        commune = find_commune(options["commune"])
        radius = options["radius"]
        if radius is not None and radius < 0:
            raise CommandError("Le rayon est un nombre de kilomètres positif, ex. --radius 50.")
        try:
            result = propose(
                commune,
                sectors=options["sector"],
                radius_km=radius,
                qualification=options["qualification"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["format"] == "json":
            self.emit_json(result.as_dict())
        else:
            self.stdout.write("\n".join(text_lines(result)))

    def stats(self, options: dict[str, Any]) -> None:
        report = stats_report(
            options["year"],
            academic=options["academic"],
            mission_locale=options["mission_locale"],
            centre=options["centre"],
        )
        data = render(report, options["format"])
        self.stdout.write(data, ending="" if data.endswith("\n") else "\n")


def text_lines(result: ProposalResult) -> list[str]:
    where = f"{result.commune_name} ({result.department_code})"
    lines = [f"Formations proposées pour un jeune habitant {where} :"]
    if result.message:
        lines.append(result.message)
    criteria = []
    if result.sectors:
        criteria.append(f"secteurs : {', '.join(result.sectors)}")
    if result.radius_km is not None:
        criteria.append(f"rayon : {result.radius_km:g} km")
    if result.qualification:
        criteria.append(f"diplôme : {Qualification(result.qualification).label}")
    if criteria:
        lines.append("(" + " ; ".join(criteria) + ")")
    for title, proposals in (
        ("Sur place ou en hybride, du plus proche au plus lointain", result.near),
        ("À distance", result.remote),
    ):
        lines.append("")
        lines.append(f"{title} : {len(proposals) or 'aucune'}")
        for p in proposals:
            km = "distance inconnue" if p.distance_km is None else f"{p.distance_km:.1f} km"
            start = f"rentrée le {p.next_start:%d/%m/%Y}" if p.next_start else "rentrée à venir"
            lines.append(
                f"  {p.formation_code:<8} {p.formation_title} — {p.centre_name}, "
                f"{p.commune_name} ({p.department_code}, {p.size_class_label.split(' (')[0].lower()}), "
                f"{km}, {p.modality_label.lower()}, {start}"
            )
    return lines
