"""Detail tables of a bilan, for the exports, and the publication mode (small cells masked).

Every table follows the definitions and the scope of `tremplin.reporting.bilan`, with one
aggregate query each (never a query per row):

- per DISP: establishments and distinct learners;
- per establishment: DISP, label, distinct learners, enrolments, validated enrolments;
- per sector: distinct learners, enrolments, validated enrolments, validation rate;
- per UE: code, title, enrolments, validated enrolments (a learner takes a UE once a year: these
  are learner counts too);
- graduates: formation code, title, kind, establishment;
- follow-up by kind of interview: interviews and distinct learners;
- Émergence cohorts of the three-year window: year, establishment, participants and outcomes;
- trends: per academic year with enrolments (up to the bilan's year), enrolled learners,
  establishments, learner success rate and UE validation rate;
- abandonments by cause (transfer, release, other): abandoned enrolments and distinct learners.

Publication mode (`mask_small_cells`, `mask_tables`), for figures shown outside the Cnam: every
count of learners from 1 to threshold - 1 becomes the string ``"< 5"`` (for the default
threshold of 5); 0 stays 0, and counts of establishments, of enrolments and of interviews,
which are not counts of people, stay as they are. So that a masked count cannot be read back
from what it conditions, the results computed on fewer learners than the threshold are withheld
too (``None``, JSON ``null``): the two rates and ``ue_validated`` of a bilan whose
``enrolled_learners`` is masked, the validated enrolments and the rate of a row of the tables
whose learners are masked.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from django.db.models import Case, CharField, Count, F, Min, Q, Value, When
from django.utils import timezone

from tremplin.catalog.models import FormationKind, Sector, TeachingUnit
from tremplin.core.registry import provided
from tremplin.core.roles import Role
from tremplin.emergence.models import Cohort
from tremplin.enrolment.models import AbandonReason, Result
from tremplin.followup.models import Interview
from tremplin.places.models import Disp, Establishment

from .bilan import (
    INTERVIEW_KINDS,
    VALIDATED,
    Bilan,
    Scope,
    awarded_certifications,
    counted_enrolments,
    emergence_cohorts,
    percentage,
    resolve_scope,
    scoped_interviews,
    year_bounds,
)
from .publication import Published
from .suppression import SECONDARY

__all__ = [
    "AbandonRow",
    "CohortRow",
    "DispRow",
    "EstablishmentRow",
    "FollowupRow",
    "GraduateRow",
    "SectorRow",
    "Table",
    "Tables",
    "TrendRow",
    "UnitRow",
    "bilan_tables",
    "mask_small_cells",
    "mask_tables",
    "masked",
    "trends",
]

#: A count of learners: an int, or "< 5" in publication mode.
Cell = int | str


class Days(float):
    """A number of days (a median delay): a float that is printed without a percent sign."""


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispRow:
    code: str
    name: str
    short_name: str
    is_overseas: bool
    establishments: int
    learners: Cell


@dataclass(frozen=True)
class EstablishmentRow:
    disp: str
    label: str
    short_name: str
    learners: Cell
    enrolments: int | None
    validated: int | None


@dataclass(frozen=True)
class SectorRow:
    code: str
    name: str
    learners: Cell
    enrolments: int | None
    validated: int | None
    rate: float | None


@dataclass(frozen=True)
class UnitRow:
    code: str
    title: str
    sector: str
    enrolments: Cell
    validated: Cell


@dataclass(frozen=True)
class GraduateRow:
    formation: str
    title: str
    kind: str
    kind_label: str
    establishment: str | None
    short_name: str | None
    #: Graduates of the row: 1, or in publication mode a formation's count (« < 5 »).
    count: Cell = 1


@dataclass(frozen=True)
class FollowupRow:
    kind: str
    label: str
    interviews: int
    people: Cell


@dataclass(frozen=True)
class CohortRow:
    year: str
    establishment: str
    short_name: str
    participants: Cell
    projects_presented: Cell
    business_plans: Cell
    continued_after_release: Cell


@dataclass(frozen=True)
class AbandonRow:
    cause: str
    label: str
    enrolments: int | None
    learners: Cell


@dataclass(frozen=True)
class OrientationRow:
    """The referrals of the missions locales sent in the year to the centres of one Cnam region
    (or, in the last row, all of them). Young people are counted like learners in publication
    mode."""

    region: str
    sent: Cell
    contacted: Cell
    enrolled: Cell
    enrolment_rate: float | None
    median_days_to_first_contact: float | None
    small_medium_share: float | None


@dataclass(frozen=True)
class TrendRow:
    year: str
    learners: Cell
    establishments: int
    learner_success_rate: float | None
    ue_validation_rate: float | None


@dataclass(frozen=True)
class Table:
    """A table ready for a spreadsheet: a name (≤ 31 characters), a title, French headers.
    In the rows, None is a figure withheld in publication mode."""

    key: str
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Tables:
    academic_year: str
    #: The scope in French ("tous les établissements partenaires", "DISP PARIS (…)").
    scope: str
    disps: list[DispRow]
    establishments: list[EstablishmentRow]
    sectors: list[SectorRow]
    units: list[UnitRow]
    graduates: list[GraduateRow]
    followup: list[FollowupRow]
    emergence: list[CohortRow]
    trends: list[TrendRow]
    #: Short names ("Fleury", "Meaux") of every establishment the bilan names, by label.
    short_names: dict[str, str] = field(default_factory=dict)
    #: Labels of the Émergence establishments in the order they joined the programme.
    emergence_order: list[str] = field(default_factory=list)
    generated_on: date = field(default_factory=timezone.localdate)
    #: In publication mode, the threshold below which learner counts are masked.
    masked_below: int | None = None
    #: False when the bilan is restricted to a DISP, an establishment or a sector.
    whole_programme: bool = True
    #: Abandoned enrolments of the year by cause (transfer, release, other).
    abandonments_by_cause: list[AbandonRow] = field(default_factory=list)
    #: The missions locales' referrals of the year by Cnam region, then the whole ("Ensemble");
    #: empty when the bilan is restricted (referrals belong to no DISP, establishment or sector).
    orientation: list[OrientationRow] = field(default_factory=list)

    def sheets(self) -> list[Table]:
        """Every detail table, with French headers, in the order of the exports."""
        return [
            Table(
                "disps",
                "Par DISP",
                "Par direction interrégionale",
                ("DISP", "Nom", "Établissements", "Personnes inscrites"),
                [(r.code, r.name, r.establishments, r.learners) for r in self.disps],
            ),
            Table(
                "establishments",
                "Par établissement",
                "Par établissement pénitentiaire",
                (
                    "DISP",
                    "Établissement",
                    "Personnes inscrites",
                    "Inscriptions aux UE",
                    "UE validées",
                ),
                [
                    (r.disp, r.label, r.learners, r.enrolments, r.validated)
                    for r in self.establishments
                ],
            ),
            Table(
                "sectors",
                "Par secteur",
                "Par secteur d'activité",
                (
                    "Secteur",
                    "Personnes inscrites",
                    "Inscriptions aux UE",
                    "UE validées",
                    "Taux de validation (%)",
                ),
                [(r.name, r.learners, r.enrolments, r.validated, r.rate) for r in self.sectors],
            ),
            Table(
                "units",
                "Par UE",
                "Par unité d'enseignement",
                ("Code", "Intitulé", "Secteur", "Inscriptions", "Validées"),
                [(r.code, r.title, r.sector, r.enrolments, r.validated) for r in self.units],
            ),
            Table(
                "graduates",
                "Diplômés",
                "Certifications délivrées",
                ("Formation", "Intitulé", "Nature", "Établissement", "Diplômés"),
                [
                    (
                        r.formation,
                        r.title,
                        r.kind_label,
                        r.establishment
                        or ("non renseigné" if self.masked_below is None else "non publié"),
                        r.count,
                    )
                    for r in self.graduates
                ],
            ),
            Table(
                "followup",
                "Suivi pédagogique",
                "Suivi pédagogique par nature d'entretien",
                ("Nature de l'entretien", "Entretiens", "Personnes suivies"),
                [(r.label, r.interviews, r.people) for r in self.followup],
            ),
            Table(
                "emergence",
                "Émergence",
                "Cohortes Émergence des trois dernières années",
                (
                    "Année",
                    "Établissement",
                    "Participants",
                    "Projets présentés",
                    "Plans d'affaires rédigés",
                    "Projets poursuivis après la sortie",
                ),
                [
                    (
                        r.year,
                        r.establishment,
                        r.participants,
                        r.projects_presented,
                        r.business_plans,
                        r.continued_after_release,
                    )
                    for r in self.emergence
                ],
            ),
            Table(
                "trends",
                "Évolution",
                "Chiffres par année universitaire",
                (
                    "Année",
                    "Personnes inscrites",
                    "Établissements",
                    "Élèves reçus (%)",
                    "UE validées (%)",
                ),
                [
                    (
                        r.year,
                        r.learners,
                        r.establishments,
                        r.learner_success_rate,
                        r.ue_validation_rate,
                    )
                    for r in self.trends
                ],
            ),
            Table(
                "abandonments",
                "Abandons par cause",
                "Abandons par cause",
                ("Cause", "Inscriptions abandonnées", "Personnes"),
                [(r.label, r.enrolments, r.learners) for r in self.abandonments_by_cause],
            ),
            *(
                [
                    Table(
                        "orientation",
                        "Orientations ML",
                        "Orientations des missions locales par région du centre Cnam",
                        (
                            "Région",
                            "Orientations envoyées",
                            "Premier contact",
                            "Entrées en formation",
                            "Taux d'entrée (%)",
                            "Délai médian du premier contact (jours)",
                            "Vers une petite ou moyenne ville (%)",
                        ),
                        [
                            (
                                r.region,
                                r.sent,
                                r.contacted,
                                r.enrolled,
                                r.enrolment_rate,
                                r.median_days_to_first_contact,
                                r.small_medium_share,
                            )
                            for r in self.orientation
                        ],
                    )
                ]
                if self.orientation
                else []
            ),
        ]


# --------------------------------------------------------------------------------------------
# Building the tables
# --------------------------------------------------------------------------------------------

KIND_LABELS = dict(FormationKind.choices)
INTERVIEW_LABELS = dict(Interview.Kind.choices)


def _trends(
    scope: Scope, years: Iterable[str] | None = None, *, before: str | None = None
) -> list[TrendRow]:
    enrolments = counted_enrolments(None, scope)
    if years is not None:
        enrolments = enrolments.filter(academic_year__in=list(years))
    if before is not None:
        enrolments = enrolments.filter(academic_year__lt=before)
    rows = (
        enrolments.values("academic_year")
        .annotate(
            learners=Count("learner", distinct=True),
            successful=Count("learner", distinct=True, filter=Q(result=VALIDATED)),
            establishments=Count("establishment", distinct=True),
            enrolments=Count("id"),
            validated=Count("id", filter=Q(result=VALIDATED)),
        )
        .order_by("academic_year")
    )
    return [
        TrendRow(
            year=row["academic_year"],
            learners=row["learners"],
            establishments=row["establishments"],
            learner_success_rate=percentage(row["successful"], row["learners"]),
            ue_validation_rate=percentage(row["validated"], row["enrolments"]),
        )
        for row in rows
    ]


def trends(
    years: Iterable[str] | None = None,
    *,
    disp: str | None = None,
    establishment: str | None = None,
    sector: str | None = None,
) -> list[TrendRow]:
    """Per academic year with enrolments (all of them, or those of `years`), in the scope:
    enrolled learners, establishments, learner success rate and UE validation rate."""
    if years is not None:
        years = list(years)
        for year in years:
            year_bounds(year)
    return _trends(resolve_scope(disp, establishment, sector), years)


def _abandonments(enrolments: Any) -> list[AbandonRow]:
    """The year's abandoned enrolments in scope by cause, one aggregate query; an abandonment
    without a cause counts as "other"."""
    named = [AbandonReason.TRANSFER.value, AbandonReason.RELEASE.value]
    rows = {
        r["cause"]: r
        for r in enrolments.filter(result=Result.ABANDONED)
        .annotate(
            cause=Case(
                When(abandon_reason__in=named, then=F("abandon_reason")),
                default=Value(AbandonReason.OTHER.value),
                output_field=CharField(),
            )
        )
        .values("cause")
        .annotate(enrolments=Count("id"), learners=Count("learner", distinct=True))
        .order_by()
    }
    return [
        AbandonRow(
            cause=cause,
            label=str(label),
            enrolments=rows[cause]["enrolments"] if cause in rows else 0,
            learners=rows[cause]["learners"] if cause in rows else 0,
        )
        for cause, label in AbandonReason.choices
    ]


def days(value: float | None) -> Days | None:
    return None if value is None else Days(value)


def _orientation(year: str, *, threshold: int | None = None) -> list[OrientationRow]:
    """The referrals of the year by region, provided by the orientation app (none without
    it); published (the masks of the orientation statistics pages) when a threshold is
    given."""
    provider = provided("bilan.orientation_rows")
    return list(provider(year, threshold=threshold)) if provider is not None else []


def bilan_tables(
    bilan: Bilan,
    *,
    with_trends: bool = True,
    with_orientation: bool = True,
    with_followup: bool = True,
) -> Tables:
    """The detail tables of a bilan, in the bilan's scope (the trend rows left empty without
    `with_trends`: reporting/stored.py keeps them per year; the orientation rows without
    `with_orientation`: stored.py draws them from the orientation statistics at each read; the
    follow-up rows without `with_followup`: stored.py keeps them per follow-up stamp)."""
    year, scope = bilan.academic_year, bilan.scope
    start, end = year_bounds(year)
    enrolments = counted_enrolments(year, scope)
    validated = Count("id", filter=Q(result=VALIDATED))

    # Grouped by the keys' ids, named afterwards: PostgreSQL sorts a year's rows (180,000 at
    # national scale) to group them, and sorting by names in its collation took twice as long.
    per_establishment = {
        r["establishment_id"]: r
        for r in enrolments.filter(establishment__isnull=False)
        .values("establishment_id")
        .annotate(
            learners=Count("learner", distinct=True), enrolments=Count("id"), validated=validated
        )
    }
    establishments = sorted(
        (
            EstablishmentRow(
                disp=disp,
                label=label,
                short_name=short_name,
                learners=per_establishment[pk]["learners"],
                enrolments=per_establishment[pk]["enrolments"],
                validated=per_establishment[pk]["validated"],
            )
            for pk, disp, label, short_name in Establishment.objects.filter(
                pk__in=list(per_establishment)
            ).values_list("pk", "disp__code", "label", "short_name")
        ),
        key=lambda r: (r.disp, r.label),
    )

    disp_info = {
        d.code: d for d in Disp.objects.filter(code__in=[figures.disp for figures in bilan.by_disp])
    }
    disps = [
        DispRow(
            code=figures.disp,
            name=disp_info[figures.disp].name,
            short_name=disp_info[figures.disp].short_name,
            is_overseas=disp_info[figures.disp].is_overseas,
            establishments=figures.establishments,
            learners=figures.learners,
        )
        for figures in bilan.by_disp
    ]

    per_sector = {
        r["unit__sector_id"]: r
        for r in enrolments.values("unit__sector_id").annotate(
            learners=Count("learner", distinct=True), enrolments=Count("id"), validated=validated
        )
    }
    sectors = [
        SectorRow(
            code=code,
            name=name,
            learners=per_sector[pk]["learners"],
            enrolments=per_sector[pk]["enrolments"],
            validated=per_sector[pk]["validated"],
            rate=percentage(per_sector[pk]["validated"], per_sector[pk]["enrolments"]),
        )
        for pk, code, name in Sector.objects.filter(pk__in=list(per_sector))
        .order_by("name")
        .values_list("pk", "code", "name")
    ]

    per_unit = {
        r["unit_id"]: r
        for r in enrolments.values("unit_id").annotate(enrolments=Count("id"), validated=validated)
    }
    units = [
        UnitRow(
            code=code,
            title=title,
            sector=sector,
            enrolments=per_unit[pk]["enrolments"],
            validated=per_unit[pk]["validated"],
        )
        for pk, code, title, sector in TeachingUnit.objects.filter(pk__in=list(per_unit))
        .order_by("code")
        .values_list("pk", "code", "title", "sector__name")
    ]

    graduates = sorted(
        (
            GraduateRow(
                formation=r["formation__code"],
                title=r["formation__title"],
                kind=r["formation__kind"],
                kind_label=str(KIND_LABELS.get(r["formation__kind"], r["formation__kind"])),
                establishment=r["establishment__label"],
                short_name=r["establishment__short_name"],
            )
            for r in awarded_certifications(start, end, scope).values(
                "formation__code",
                "formation__title",
                "formation__kind",
                "establishment__label",
                "establishment__short_name",
            )
        ),
        key=lambda r: (r.formation, r.kind, r.establishment or ""),
    )

    cohorts = emergence_cohorts(year, scope)
    emergence = [
        CohortRow(
            year=r["academic_year"],
            establishment=r["establishment__label"],
            short_name=r["establishment__short_name"],
            participants=r["people"],
            projects_presented=r["presented"],
            business_plans=r["plans"],
            continued_after_release=r["continued"],
        )
        for r in cohorts.values(
            "academic_year", "establishment__label", "establishment__short_name"
        )
        .annotate(
            people=Count("participants__learner", distinct=True),
            presented=Count("participants", filter=Q(participants__project_presented=True)),
            plans=Count("participants", filter=Q(participants__business_plan_written=True)),
            continued=Count("participants", filter=Q(participants__continued_after_release=True)),
        )
        .order_by("academic_year", "establishment__label")
    ]
    # The order in which the establishments of the window joined the programme (first cohort).
    joined = {
        r["establishment__label"]: (r["first_year"], r["first_start"])
        for r in Cohort.objects.filter(establishment__label__in=bilan.emergence.establishments)
        .values("establishment__label")
        .annotate(first_year=Min("academic_year"), first_start=Min("start_date"))
    }
    emergence_order = sorted(
        bilan.emergence.establishments,
        key=lambda label: (*joined.get(label, ("", date.max)), label),
    )

    named = (
        {label for figures in bilan.by_disp for label in figures.establishment_names}
        | {g.establishment for g in bilan.graduates if g.establishment}
        | set(bilan.emergence.establishments)
    )
    short_names = dict(
        Establishment.objects.filter(label__in=sorted(named)).values_list("label", "short_name")
    )

    return Tables(
        academic_year=year,
        scope=scope.label,
        disps=disps,
        establishments=establishments,
        sectors=sectors,
        units=units,
        graduates=graduates,
        followup=followup_rows(year, scope) if with_followup else [],
        emergence=emergence,
        trends=[row for row in _trends(scope) if row.year <= year] if with_trends else [],
        abandonments_by_cause=_abandonments(enrolments),
        short_names=short_names,
        emergence_order=emergence_order,
        whole_programme=scope.is_everything,
        orientation=orientation_rows(year, scope) if with_orientation else [],
    )


def followup_rows(year: str, scope: Scope) -> list[FollowupRow]:
    """The year's interviews in the scope by kind: interviews and distinct people."""
    start, end = year_bounds(year)
    per_kind = {
        r["kind"]: r
        for r in scoped_interviews(start, end, scope)
        .values("kind")
        .annotate(interviews=Count("id"), people=Count("learner", distinct=True))
    }
    return [
        FollowupRow(
            kind=kind,
            label=str(INTERVIEW_LABELS[kind]),
            interviews=per_kind[kind]["interviews"] if kind in per_kind else 0,
            people=per_kind[kind]["people"] if kind in per_kind else 0,
        )
        for kind in INTERVIEW_KINDS
    ]


def orientation_rows(year: str, scope: Scope) -> list[OrientationRow]:
    """The bilan's orientation rows: the year's referrals by region, for a bilan of everything
    (the referrals are placed at no establishment)."""
    return _orientation(year) if scope.is_everything else []


# --------------------------------------------------------------------------------------------
# Publication mode
# --------------------------------------------------------------------------------------------


def masked(value: Cell, threshold: int) -> Cell:
    """A learner count from 1 to threshold - 1 becomes "< threshold"; others stay."""
    if isinstance(value, int) and 0 < value < threshold:
        return f"< {threshold}"
    return value


def _is_masked(value: object) -> bool:
    return isinstance(value, str)


def _check_threshold(threshold: int) -> None:
    if threshold < 1:
        raise ValueError("Le seuil de publication doit être un entier positif.")


def mask_small_cells(bilan: dict[str, Any], threshold: int = 5) -> dict[str, Any]:
    """A copy of a bilan's JSON document for publication outside the Cnam (see the module's
    docstring), from the document alone. The exports, the dashboard and the API use `publish`,
    which masks the document and its tables together (so that a table cannot give back what
    the document masks)."""
    document = _published(bilan, None, threshold)[0]
    assert document is not None
    return document


def mask_tables(tables: Tables, threshold: int = 5) -> Tables:
    """The tables for publication, from the tables alone (see `publish`)."""
    published = _published(None, tables, threshold)[1]
    assert published is not None
    return published


def publish(
    bilan: Bilan, document: dict[str, Any], tables: Tables, threshold: int = 5
) -> tuple[dict[str, Any], Tables]:
    """A bilan's document and tables for publication: small counts of people masked
    (« < 5 »), then secondary suppression decided once for the year over every scope
    (`publication`) and completed over the relations of this document and its tables
    (`suppression`); the results computed on a masked population withheld (None); graduates
    listed by formation only when the formation's cell is published."""
    from .publication import published_cells

    cells = published_cells(bilan.academic_year, threshold)
    masked_document, published = _published(document, tables, threshold, (cells, bilan.scope))
    assert masked_document is not None and published is not None
    return masked_document, published


class _Cells:
    """The counts of a bilan and its tables by key, with the relations between them."""

    def __init__(self) -> None:
        self.people: dict[Any, int] = {}
        self.others: dict[Any, int] = {}
        self.relations: list[tuple[Any, list[Any]]] = []
        self.withheld: set[Any] = set()

    def person(self, key: Any, value: object) -> None:
        if isinstance(value, int):
            self.people[key] = value

    def other(self, key: Any, value: object) -> None:
        if isinstance(value, int):
            self.others[key] = value

    def relate(self, total: Any, parts: Iterable[Any]) -> None:
        self.relations.append((total, list(parts)))

    def hidden(self, threshold: int, forced: set[Any]) -> set[Any]:
        from .suppression import primary, suppress

        values = {**self.others, **self.people}
        hidden = primary(self.people, threshold) | forced
        while True:
            hidden = suppress(values, self.relations, hidden)
            # A figure shown next to masked people is withheld with them (cell, people).
            extra = {c for c, people in self.withheld if people in hidden and c not in hidden}
            if not extra:
                return hidden
            hidden |= extra


def _shown(value: Any, key: Any, hidden: set[Any], threshold: int) -> Any:
    """A cell as published: « < 5 » for a small count of people, `SECONDARY` for a count masked
    only so that another cannot be recovered, None for a result withheld."""
    from .suppression import SECONDARY

    if key not in hidden or not isinstance(value, int):
        return value
    if 0 < value < threshold:
        return f"< {threshold}"
    return SECONDARY


TOTAL = ("learners",)
ENROLMENTS = ("enrolments",)
VALIDATED_TOTAL = ("validated",)
FOLLOWED = ("followed",)
PARTICIPANTS = ("participants",)


def _collect(document: dict[str, Any] | None, tables: Tables | None) -> _Cells:
    cells = _Cells()
    year = document["academic_year"] if document else tables.academic_year if tables else ""
    if document is not None:
        cells.person(TOTAL, document["enrolled_learners"])
        cells.other(ENROLMENTS, document["ue_enrollments"])
        cells.other(VALIDATED_TOTAL, document["ue_validated"])
        cells.withheld |= {(VALIDATED_TOTAL, TOTAL), (ENROLMENTS, TOTAL)}
        for d in document["by_disp"]:
            cells.person(("disp", d["disp"]), d["learners"])
        cells.person(FOLLOWED, document["followup"]["people_followed"])
        cells.person(PARTICIPANTS, document["emergence"]["participants"])
    if tables is not None:
        for r in tables.disps:
            cells.person(("disp", r.code), r.learners)
        for e in tables.establishments:
            cells.person(("est", e.label), e.learners)
            cells.other(("est_enr", e.label), e.enrolments)
            cells.other(("est_val", e.label), e.validated)
            cells.withheld |= {(("est_enr", e.label), ("est", e.label))}
            cells.withheld |= {(("est_val", e.label), ("est", e.label))}
        for disp in {e.disp for e in tables.establishments}:
            members = [("est", e.label) for e in tables.establishments if e.disp == disp]
            cells.relate(("disp", disp), members)
        for sector in tables.sectors:
            cells.person(("sector", sector.name), sector.learners)
            cells.other(("sector_enr", sector.name), sector.enrolments)
            cells.other(("sector_val", sector.name), sector.validated)
            for what in ("sector_enr", "sector_val"):
                cells.withheld.add(((what, sector.name), ("sector", sector.name)))
            units = [u for u in tables.units if u.sector == sector.name]
            cells.relate(("sector_enr", sector.name), [("unit", u.code) for u in units])
            cells.relate(("sector_val", sector.name), [("unit_val", u.code) for u in units])
        for u in tables.units:
            cells.person(("unit", u.code), u.enrolments)
            cells.person(("unit_val", u.code), u.validated)
        cells.relate(TOTAL, [("sector", s.name) for s in tables.sectors])
        cells.relate(ENROLMENTS, [("est_enr", e.label) for e in tables.establishments])
        cells.relate(ENROLMENTS, [("sector_enr", s.name) for s in tables.sectors])
        cells.relate(ENROLMENTS, [("unit", u.code) for u in tables.units])
        cells.relate(VALIDATED_TOTAL, [("est_val", e.label) for e in tables.establishments])
        cells.relate(VALIDATED_TOTAL, [("sector_val", s.name) for s in tables.sectors])
        cells.relate(VALIDATED_TOTAL, [("unit_val", u.code) for u in tables.units])
        for f in tables.followup:
            cells.person(("kind", f.kind), f.people)
        cells.relate(FOLLOWED, [("kind", f.kind) for f in tables.followup])
        cohort_counts = [
            f.name
            for f in fields(CohortRow)
            if f.name not in {"year", "establishment", "short_name"}
        ]
        for c in tables.emergence:
            for name in cohort_counts:
                cells.person(("cohort", c.year, c.establishment, name), getattr(c, name))
        cells.relate(
            PARTICIPANTS,
            [("cohort", c.year, c.establishment, "participants") for c in tables.emergence],
        )
        for t in tables.trends:
            cells.person(TOTAL if t.year == year else ("trend", t.year), t.learners)
        for a in tables.abandonments_by_cause:
            cells.person(("abandon", a.cause), a.learners)
            cells.other(("abandon_enr", a.cause), a.enrolments)
            cells.withheld.add((("abandon_enr", a.cause), ("abandon", a.cause)))
        for o in tables.orientation:
            for name in ("sent", "contacted", "enrolled"):
                cells.person(("orientation", o.region, name), getattr(o, name))
        if tables.orientation:
            whole, *_ = tables.orientation[-1:]
            for name in ("sent", "contacted", "enrolled"):
                cells.relate(
                    ("orientation", whole.region, name),
                    [("orientation", o.region, name) for o in tables.orientation[:-1]],
                )
    if document is not None:
        cells.relate(TOTAL, [("disp", d["disp"]) for d in document["by_disp"]])
    return cells


class _Global:
    """The canonical cell (`publication`) of each local key of a bilan of one scope."""

    def __init__(self, published: Published, scope: Scope, tables: Tables | None) -> None:
        from .publication import column_of, place_of

        self.published = published
        self.year = published.year
        self.place, self.column = place_of(scope), column_of(scope)
        self.disp_of = dict(Establishment.objects.values_list("label", "disp__code"))
        sectors = {s.name: s.code for s in tables.sectors} if tables else {}
        self.sector_of_unit = (
            {u.code: sectors.get(u.sector, "") for u in tables.units} if tables else {}
        )
        self.sector_of_name = sectors

    def key(self, local: Any) -> Any:
        year, place, column = self.year, self.place, self.column
        simple = {
            TOTAL: ("learners", year, place, column),
            ENROLMENTS: ("enrolments", year, place, column),
            VALIDATED_TOTAL: ("validated", year, place, column),
            FOLLOWED: ("followed", year, place, ()),
            PARTICIPANTS: ("participants", year, place, ()),
        }
        if local in simple:
            return simple[local]
        kind, *rest = local
        measures = {"est": "learners", "est_enr": "enrolments", "est_val": "validated"}
        if kind == "disp":
            return ("learners", year, (rest[0], place[1]), column)
        if kind in measures:
            return (measures[kind], year, (self.disp_of.get(rest[0]), rest[0]), column)
        measures = {"sector": "learners", "sector_enr": "enrolments", "sector_val": "validated"}
        if kind in measures:
            return (measures[kind], year, place, (self.sector_of_name.get(rest[0], ""),))
        if kind in ("unit", "unit_val"):
            measure = "learners" if kind == "unit" else "validated"
            return (measure, year, place, (self.sector_of_unit.get(rest[0], ""), rest[0]))
        if kind == "kind":
            return ("followed", year, place, (rest[0],))
        if kind == "cohort" and rest[2] == "participants":
            label = rest[1]
            return ("participants", year, (self.disp_of.get(label), label), (rest[0],))
        if kind == "trend":
            return ("learners", rest[0], place, column)
        if kind in ("abandon", "abandon_enr"):
            measure = "abandoned" if kind == "abandon" else "abandon_enr"
            return (measure, year, place, (rest[0],))
        return None

    def forced(self, cells: _Cells) -> set[Any]:
        hidden = self.published.hidden
        return {key for key in [*cells.people, *cells.others] if self.key(key) in hidden}

    def graduate_cells(self) -> dict[str, tuple[int, bool]]:
        """The graduates of the scope by formation: (count, masked)."""
        found = {}
        for key, value in self.published.values.items():
            measure, year, place, column = key
            if (measure, year, place) != ("graduates", self.year, self.place):
                continue
            if len(column) == 2 and column[: len(self.column)] == self.column:
                found[column[1]] = (value, key in self.published.hidden)
            if column == self.column:
                found[ALL_GRADUATES] = (value, key in self.published.hidden)
        return found


def _published(
    bilan: dict[str, Any] | None,
    tables: Tables | None,
    threshold: int,
    across: tuple[Published, Scope] | None = None,
) -> tuple[dict[str, Any] | None, Tables | None]:
    _check_threshold(threshold)
    cells = _collect(bilan, tables)
    canon = _Global(across[0], across[1], tables) if across is not None else None
    hidden = cells.hidden(threshold, canon.forced(cells) if canon is not None else set())
    graduates = canon.graduate_cells() if canon is not None else None

    def show(value: Any, key: Any) -> Any:
        return _shown(value, key, hidden, threshold)

    def withheld_if(value: Any, *keys: Any) -> Any:
        return None if any(k in hidden for k in keys) else value

    document = None
    if bilan is not None:
        document = copy.deepcopy(bilan)
        document["enrolled_learners"] = show(document["enrolled_learners"], TOTAL)
        document["ue_enrollments"] = withheld_if(document["ue_enrollments"], ENROLMENTS)
        document["ue_validated"] = withheld_if(document["ue_validated"], TOTAL, VALIDATED_TOTAL)
        for rate in ("learner_success_rate", "ue_validation_rate"):
            document[rate] = withheld_if(document[rate], TOTAL, VALIDATED_TOTAL)
        for d in document["by_disp"]:
            d["learners"] = show(d["learners"], ("disp", d["disp"]))
        followup = document["followup"]
        followup["people_followed"] = show(followup["people_followed"], FOLLOWED)
        emergence = document["emergence"]
        emergence["participants"] = show(emergence["participants"], PARTICIPANTS)
        document["graduates"] = published_graduates(document["graduates"], threshold, graduates)
    if tables is None:
        return document, None

    cohort_counts = [
        f.name for f in fields(CohortRow) if f.name not in {"year", "establishment", "short_name"}
    ]
    year = tables.academic_year
    return document, replace(
        tables,
        disps=[replace(r, learners=show(r.learners, ("disp", r.code))) for r in tables.disps],
        establishments=[
            replace(
                r,
                learners=show(r.learners, ("est", r.label)),
                enrolments=withheld_if(r.enrolments, ("est_enr", r.label)),
                validated=withheld_if(r.validated, ("est_val", r.label), ("est", r.label)),
            )
            for r in tables.establishments
        ],
        sectors=[
            replace(
                r,
                learners=show(r.learners, ("sector", r.name)),
                enrolments=withheld_if(r.enrolments, ("sector_enr", r.name)),
                validated=withheld_if(r.validated, ("sector_val", r.name)),
                rate=withheld_if(
                    r.rate, ("sector", r.name), ("sector_enr", r.name), ("sector_val", r.name)
                ),
            )
            for r in tables.sectors
        ],
        units=[
            replace(
                r,
                enrolments=show(r.enrolments, ("unit", r.code)),
                validated=show(r.validated, ("unit_val", r.code)),
            )
            for r in tables.units
        ],
        graduates=published_graduate_rows(tables.graduates, threshold, graduates),
        followup=[replace(r, people=show(r.people, ("kind", r.kind))) for r in tables.followup],
        emergence=[
            replace(
                r,
                **{
                    name: show(getattr(r, name), ("cohort", r.year, r.establishment, name))
                    for name in cohort_counts
                },
            )
            for r in tables.emergence
        ],
        trends=[
            replace(
                r,
                learners=show(r.learners, key),
                learner_success_rate=withheld_if(r.learner_success_rate, key),
                ue_validation_rate=withheld_if(r.ue_validation_rate, key),
            )
            for r in tables.trends
            for key in [TOTAL if r.year == year else ("trend", r.year)]
        ],
        abandonments_by_cause=[
            replace(
                r,
                learners=show(r.learners, ("abandon", r.cause)),
                enrolments=withheld_if(r.enrolments, ("abandon_enr", r.cause)),
            )
            for r in tables.abandonments_by_cause
        ],
        orientation=(
            _orientation(year, threshold=threshold)
            if across is not None and tables.orientation
            else [_published_orientation(r, hidden, threshold) for r in tables.orientation]
        ),
        masked_below=threshold,
    )


def _published_orientation(row: OrientationRow, hidden: set[Any], threshold: int) -> OrientationRow:
    keys = {name: ("orientation", row.region, name) for name in ("sent", "contacted", "enrolled")}
    if not any(key in hidden for key in keys.values()):
        return row
    return replace(
        row,
        **{name: _shown(getattr(row, name), key, hidden, threshold) for name, key in keys.items()},
        enrolment_rate=None,
        median_days_to_first_contact=None,
        small_medium_share=None,
    )


#: The key of the scope's total in `_Global.graduate_cells`.
ALL_GRADUATES = ""
#: In publication mode, the graduates of the formations below the threshold, together.
OTHER_FORMATIONS = "autres formations"


def _by_formation(
    formations: Sequence[str],
    threshold: int,
    cells: dict[str, tuple[int, bool]] | None = None,
) -> tuple[dict[str, int], Cell]:
    """The formations listed in publication mode with their graduates, and the others' count:
    a formation is listed when it counts at least `threshold` graduates, and while the others
    would count from 1 to threshold - 1, the smallest listed one joins them (else the others
    would be the total minus the listed ones)."""
    counts: dict[str, int] = {}
    for formation in formations:
        counts[formation] = counts.get(formation, 0) + 1
    if cells is not None:  # decided across the scopes (`publication`)
        listed = {f: n for f, n in counts.items() if not cells.get(f, (n, True))[1]}
    else:
        listed = {f: n for f, n in counts.items() if n >= threshold}
    others = len(formations) - sum(listed.values())
    while listed and 0 < others < threshold:
        smallest = min(listed, key=lambda f: (listed[f], f))
        others += listed.pop(smallest)
    if others and cells is not None and cells.get(ALL_GRADUATES, (0, False))[1]:
        # The total is masked in another scope's relations: so is what would give it back.
        return listed, masked(others, threshold) if others < threshold else SECONDARY
    return listed, masked(others, threshold)


def published_graduates(
    graduates: list[dict[str, Any]],
    threshold: int,
    cells: dict[str, tuple[int, bool]] | None = None,
) -> list[dict[str, Any]]:
    """The graduates of a bilan document in publication mode: one entry per listed formation
    with its `count`, then the others together (« < 5 » when they are fewer than the
    threshold); never an establishment."""
    listed, others = _by_formation([g["formation"] for g in graduates], threshold, cells)
    kinds = {g["formation"]: g["kind"] for g in graduates}
    rows: list[dict[str, Any]] = [
        {"formation": f, "kind": kinds[f], "establishment": None, "count": n}
        for f, n in sorted(listed.items())
    ]
    if others:
        rows.append(
            {
                "formation": None,
                "kind": None,
                "establishment": None,
                "count": others,
            }
        )
    return rows


def published_graduate_rows(
    rows: list[GraduateRow], threshold: int, cells: dict[str, tuple[int, bool]] | None = None
) -> list[GraduateRow]:
    listed, others = _by_formation([r.formation for r in rows], threshold, cells)
    first = {r.formation: r for r in reversed(rows)}
    published = [
        replace(first[f], establishment=None, short_name=None, count=n)
        for f, n in sorted(listed.items())
    ]
    if others:
        published.append(
            GraduateRow(
                formation="",
                title=OTHER_FORMATIONS,
                kind="",
                kind_label="",
                establishment=None,
                short_name=None,
                count=others,
            )
        )
    return published


def graduates_count(bilan: dict[str, Any]) -> Cell:
    """The number of graduates of a document, published or not (« < 5 » when masked)."""
    counts = [g.get("count", 1) for g in bilan["graduates"]]
    masked_counts = [c for c in counts if isinstance(c, str)]
    if not masked_counts:
        return sum(int(c) for c in counts)
    if len(counts) == 1:
        return masked_counts[0]
    return f"≥ {sum(int(c) for c in counts if not isinstance(c, str)) + 1}"


def publication_for(user: Any, asked: bool) -> bool:
    """Whether `user` sees the published figures: when asked, and always for the roles that
    may only read published figures (the statistician)."""
    return asked or published_only(user)


def published_only(user: Any) -> bool:
    """Whether `user` may only read published figures (the statistician)."""
    from tremplin.core.scope import scope_of

    return scope_of(user).role in PUBLISHED_ONLY


#: The roles that never see unmasked figures.
PUBLISHED_ONLY = frozenset({Role.STATISTICIAN})
