"""Read-side queries of places."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .maps import FranceMap, Marker, build_map
from .models import CnamCentre, Disp, Establishment, MissionLocale


@dataclass(frozen=True)
class EstablishmentFilters:
    disp: int | None = None
    type: str = ""
    q: str = ""
    has_learners: bool | None = None


def establishments(filters: EstablishmentFilters) -> QuerySet[Establishment]:
    """Establishments, with `placed_learners`: how many learners are placed there now (an
    aggregate, shown to every role; no personal record)."""
    qs = Establishment.objects.select_related("disp", "commune", "commune__department").annotate(
        placed_learners=Count("learners", filter=Q(learners__status="placed"))
    )
    if filters.has_learners is not None:
        qs = (
            qs.filter(placed_learners__gt=0)
            if filters.has_learners
            else qs.filter(placed_learners=0)
        )
    if filters.disp:
        qs = qs.filter(disp_id=filters.disp)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.q:
        qs = qs.filter(
            Q(label__icontains=filters.q)
            | Q(name__icontains=filters.q)
            | Q(commune__name__icontains=filters.q)
        )
    return qs.order_by("label")


def disps_with_counts() -> QuerySet[Disp]:
    return Disp.objects.annotate(establishment_count=Count("establishments")).order_by("code")


def disp_legend() -> list[tuple[str, str]]:
    """(css class, DISP name) pairs: one colour per interregional directorate."""
    return [(f"disp-{i}", d.name) for i, d in enumerate(Disp.objects.order_by("code"))]


def disp_classes() -> dict[str, str]:
    """Department code -> the CSS class of its DISP, so the map colours each directorate."""
    classes: dict[str, str] = {}
    for index, disp in enumerate(Disp.objects.prefetch_related("departments").order_by("code")):
        for department in disp.departments.all():
            classes.setdefault(department.code, f"disp-{index}")
    return classes


def network_map(*, with_partners: bool = True) -> FranceMap:
    from django.urls import reverse

    markers = [
        Marker(
            label=f"{e.label} — {e.commune.name}",
            kind="establishment",
            department=e.commune.department_id,
            latitude=e.commune.latitude,
            longitude=e.commune.longitude,
            url=reverse("places:establishment", args=[e.pk]),
            emphasis=e.placed_learners > 0,  # type: ignore[attr-defined]
        )
        for e in establishments(EstablishmentFilters())
    ]
    if with_partners:
        markers += [
            Marker(
                label=f"{c.name} — {c.commune.name}",
                kind="centre",
                department=c.commune.department_id,
                latitude=c.commune.latitude,
                longitude=c.commune.longitude,
            )
            for c in CnamCentre.objects.select_related("commune").order_by("name")
        ]
        markers += [
            Marker(
                label=f"{m.name} — {m.commune.name}",
                kind="mission_locale",
                department=m.commune.department_id,
                latitude=m.commune.latitude,
                longitude=m.commune.longitude,
            )
            for m in MissionLocale.objects.select_related("commune").order_by("name")
        ]
    return build_map(markers, department_classes=disp_classes())
