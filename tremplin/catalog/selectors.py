"""Read-side of the catalogue: the content of an edition (live for a draft, frozen for a published
edition), its summary, and lookups."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from .models import (
    KIND_COUNT_LABELS,
    ChoiceGroup,
    Edition,
    FormationKind,
    FormationOffer,
    Modality,
    OfferScope,
    Sector,
    TeachingUnit,
    UnitOffer,
    count_label,
)

Content = dict[str, Any]


def current_edition() -> Edition | None:
    """The newest published edition, else the newest one."""
    published = Edition.objects.filter(status=Edition.Status.PUBLISHED).order_by("-year").first()
    return published or Edition.objects.order_by("-year").first()


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _unit(unit: TeachingUnit, modality: str | None = None) -> dict[str, Any]:
    modality = modality or unit.modality
    return {
        "code": unit.code,
        "title": unit.title,
        "ects": _number(unit.ects),
        "modality": modality,
        "modality_label": Modality(modality).label,
    }


def _where(offer: FormationOffer | UnitOffer) -> str:
    if offer.scope == OfferScope.DISPS:
        return "DISP : " + ", ".join(sorted(d.code for d in offer.disps.all()))
    if offer.scope == OfferScope.ESTABLISHMENTS:
        return "Établissements : " + ", ".join(sorted(e.label for e in offer.establishments.all()))
    return "Tous les établissements partenaires"


def build_content(edition: Edition) -> Content:
    """The catalogue of an edition, from the live tables, as a JSON-ready structure."""
    unit_offers = list(
        UnitOffer.objects.filter(edition=edition)
        .select_related("unit", "unit__sector")
        .prefetch_related("disps", "establishments")
    )
    formation_offers = list(
        FormationOffer.objects.filter(edition=edition)
        .select_related("formation", "formation__sector")
        .prefetch_related(
            "disps",
            "establishments",
            Prefetch("formation__mandatory_units", queryset=TeachingUnit.objects.order_by("code")),
            Prefetch(
                "formation__choice_groups",
                queryset=ChoiceGroup.objects.prefetch_related(
                    Prefetch("units", queryset=TeachingUnit.objects.order_by("code"))
                ),
            ),
        )
    )
    offered_modality = {o.unit.code: o.modality for o in unit_offers}
    sectors: dict[int, dict[str, Any]] = {}

    def sector_entry(sector: Sector) -> dict[str, Any]:
        return sectors.setdefault(
            sector.pk, {"code": sector.code, "name": sector.name, "formations": [], "units": []}
        )

    kind_order = list(FormationKind.values)
    for offer in sorted(
        formation_offers, key=lambda o: (kind_order.index(o.formation.kind), o.formation.code)
    ):
        f = offer.formation
        sector_entry(f.sector)["formations"].append(
            {
                "code": f.code,
                "title": f.title,
                "kind": f.kind,
                "kind_label": FormationKind(f.kind).label,
                "rncp_code": f.rncp_code,
                "level": f.level,
                "level_label": f.get_level_display(),
                "description": f.description,
                "modality": offer.modality,
                "modality_label": Modality(offer.modality).label,
                "where": _where(offer),
                "min_credits": f.min_credits,
                "mandatory": [
                    _unit(u, offered_modality.get(u.code)) for u in f.mandatory_units.all()
                ],
                "choice_groups": [
                    {
                        "label": g.label,
                        "title": g.label
                        if "au choix" in g.label
                        else f"{g.label} ({g.choose} au choix)",
                        "choose": g.choose,
                        "units": [_unit(u, offered_modality.get(u.code)) for u in g.units.all()],
                    }
                    for g in f.choice_groups.all()
                ],
            }
        )
    for unit_offer in sorted(unit_offers, key=lambda o: o.unit.code):
        sector_entry(unit_offer.unit.sector)["units"].append(
            {**_unit(unit_offer.unit, unit_offer.modality), "where": _where(unit_offer)}
        )
    kinds: dict[str, int] = defaultdict(int)
    for offer in formation_offers:
        kinds[offer.formation.kind] += 1
    ordered = sorted(sectors.values(), key=lambda s: s["name"])
    return {
        "edition": edition.year,
        "title": edition.title,
        "introduction": edition.introduction,
        "how_to_apply": edition.how_to_apply,
        "published_on": edition.published_on.isoformat() if edition.published_on else None,
        "sectors": ordered,
        "summary": {
            "edition": edition.year,
            "sectors": len(ordered),
            "teaching_units": len(unit_offers),
            "distance_teaching_units": sum(
                1 for o in unit_offers if o.modality == Modality.DISTANCE
            ),
            "formations": {kind: kinds.get(kind, 0) for kind in FormationKind.values},
        },
    }


def edition_content(edition: Edition) -> Content:
    """What the edition says: frozen once published, live while a draft."""
    if edition.snapshot is not None:
        return edition.snapshot
    return build_content(edition)


@dataclass(frozen=True)
class Summary:
    data: dict[str, Any]
    sector_names: list[str]

    def as_dict(self) -> dict[str, Any]:
        return self.data

    def lines(self) -> list[str]:
        """The summary in the printed catalogue's own words."""
        d = self.data
        lines = [f"Édition {d['edition']} — L'offre spécifique proposée aux détenus c'est :", ""]
        lines.append(count_label(d["sectors"], ("secteur d'activité", "secteurs d'activité")))
        lines += [f"  {name}" for name in self.sector_names]
        lines += ["", "Un large panel de formations à distance ou en présentiel"]
        lines += [f"  {item}" for item in summary_items(d)]
        return lines


def edition_summary(edition: Edition) -> Summary:
    content = edition_content(edition)
    return Summary(content["summary"], [s["name"] for s in content["sectors"]])


def summary_items(summary: dict[str, Any]) -> list[str]:
    """The summary block of the printed catalogue, one line per count."""
    return [
        count_label(summary["teaching_units"], ("unité d'enseignement", "unités d'enseignement")),
        *(count_label(n, KIND_COUNT_LABELS[kind]) for kind, n in summary["formations"].items()),
        count_label(
            summary["distance_teaching_units"],
            ("formation au choix à distance", "formations au choix à distance"),
        ),
    ]
