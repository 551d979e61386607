"""Load the demo catalogue: the 2020-2021 edition as published, and a 2021-2022 draft."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from tremplin.catalog.models import Edition, Formation, TeachingUnit
from tremplin.catalog.services import (
    GroupSpec,
    Where,
    add_offers,
    copy_to_next_year,
    ensure_edition,
    ensure_sector,
    publish,
    put_formation,
    put_teaching_unit,
    set_requirements,
)

from . import content


@transaction.atomic
def load_catalogue() -> list[str]:
    sectors = {name: ensure_sector(name) for name in content.SECTORS}
    for unit in (*content.TEACHING_UNITS, *content.EXTRA_TEACHING_UNITS):
        put_teaching_unit(
            unit["code"],
            title=unit["title"],
            ects=Decimal(unit["ects"]),
            modality=unit["modality"],
            sector=sectors[unit["sector"]],
        )
    for spec in content.FORMATIONS:
        requirements = spec["requirements"]
        formation = put_formation(
            spec["code"],
            title=spec["title"],
            kind=spec["kind"],
            sector=sectors[spec["sector"]],
            rncp_code=spec["rncp_code"],
            level=spec["level"],
            description=spec["description"],
            min_credits=requirements["min_credits"],
        )
        set_requirements(
            formation,
            requirements["mandatory"],
            [GroupSpec(g["label"], g["choose"], g["units"]) for g in requirements["choice_groups"]],
        )
    lines = [
        f"Catalogue : {len(sectors)} secteurs, {TeachingUnit.objects.count()} UE, "
        f"{Formation.objects.count()} formations."
    ]
    spec_edition = content.EDITION
    edition = ensure_edition(
        spec_edition["year"],
        title=spec_edition["title"],
        introduction=spec_edition["introduction"],
        how_to_apply=spec_edition["how_to_apply"],
    )
    if edition.is_editable:
        codes = [u["code"] for u in content.TEACHING_UNITS] + [
            f["code"] for f in content.FORMATIONS
        ]
        add_offers(edition, codes, modality="", where=Where())
        publish(edition, on=date.fromisoformat(spec_edition["published_on"]))
        lines.append(f"Édition {edition.year} publiée.")
    draft_year = "2021-2022"
    if not Edition.objects.filter(year=draft_year).exists():
        draft = copy_to_next_year(edition)
        add_offers(
            draft, [u["code"] for u in content.EXTRA_TEACHING_UNITS], modality="", where=Where()
        )
        lines.append(f"Édition {draft.year} préparée en brouillon.")
    return lines
