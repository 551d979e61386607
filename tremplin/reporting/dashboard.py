"""The reports page: the bilan of a year and scope, with charts beside their data tables."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.safestring import mark_safe

from tremplin.core.registry import provided
from tremplin.core.routers import reports
from tremplin.places.maps import Marker, build_map
from tremplin.places.models import Establishment
from tremplin.places.selectors import disp_classes

from .formats.charts import Bar, hbar_chart
from .formats.pdf import pdf_context, show
from .stored import stored_bilan, stored_tables
from .tables import publish

KIND_LABELS = {
    "information_orientation": "Information et orientation",
    "training_followup": "Suivi de formation",
}


@reports  # read-only: on the replica when there is one (docs/scaling.md)
def dashboard_context(
    year: str,
    *,
    disp: str | None = None,
    establishment: str | None = None,
    sector: str | None = None,
    publication: bool = False,
    threshold: int = 5,
) -> dict[str, Any]:
    bilan = stored_bilan(year, disp=disp, establishment=establishment, sector=sector)
    tables = stored_tables(bilan)
    figures = bilan.as_dict()
    if publication:
        figures, tables = publish(bilan, figures, tables, threshold)
    context = pdf_context(figures, tables)
    by_kind = figures["followup"]["by_kind"]
    context["followup_chart"] = mark_safe(  # noqa: S308 - charts.py escapes # nosec B308 B703
        hbar_chart(
            "followup",
            "Entretiens par nature",
            [Bar(KIND_LABELS[kind], n) for kind, n in by_kind.items()],
            label_width=190,
        )
    )
    context["followup_rows"] = [(KIND_LABELS[kind], show(n)) for kind, n in by_kind.items()]
    context["map"] = partner_map(figures)
    context["publication"] = publication
    context["conventions"] = conventions_of_year(year)
    return context


def conventions_of_year(year: str) -> list[Any]:
    """The conventions with an objective whose period overlaps the year, with that progress
    (provided by the conventions app, which reads the bilan's figures; none without it)."""
    provider = provided("bilan.conventions_of_year")
    return list(provider(year)) if provider is not None else []


def partner_map(figures: dict[str, Any]) -> Any:
    """Every establishment on the map; the year's partner establishments emphasised."""
    partners = {name for row in figures["by_disp"] for name in row["establishment_names"]}
    markers = [
        Marker(
            label=f"{e.label} — {e.commune.name}",
            kind="establishment",
            department=e.commune.department_id,
            latitude=e.commune.latitude,
            longitude=e.commune.longitude,
            url=reverse("places:establishment", args=[e.pk]),
            emphasis=e.label in partners,
        )
        for e in Establishment.objects.select_related("commune").order_by("label")
        if e.label in partners
    ]
    return build_map(markers, department_classes=disp_classes())
