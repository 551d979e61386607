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

from tremplin.catalog.models import FormationKind
from tremplin.core.text import sort_key
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
    enrolments: int
    validated: int | None


@dataclass(frozen=True)
class SectorRow:
    code: str
    name: str
    learners: Cell
    enrolments: int
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
    enrolments: int
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
                ("Formation", "Intitulé", "Nature", "Établissement"),
                [
                    (r.formation, r.title, r.kind_label, r.establishment or "non renseigné")
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


def _orientation(year: str) -> list[OrientationRow]:
    from tremplin.orientation.stats import Figures, referral_stats

    stats = referral_stats(year=year)
    if not stats.total.sent:
        return []

    def row(figures: Figures) -> OrientationRow:
        return OrientationRow(
            region=figures.label,
            sent=figures.sent,
            contacted=figures.contacted,
            enrolled=figures.enrolled,
            enrolment_rate=figures.enrolment_rate,
            median_days_to_first_contact=days(figures.median_days_to_first_contact),
            small_medium_share=figures.small_medium_share,
        )

    regions = sorted(stats.by_region, key=lambda f: sort_key(f.label))
    return [*(row(f) for f in regions), row(stats.total)]


def bilan_tables(bilan: Bilan, *, with_trends: bool = True) -> Tables:
    """The detail tables of a bilan, in the bilan's scope (the trend rows left empty without
    `with_trends`: reporting/stored.py keeps them per year)."""
    year, scope = bilan.academic_year, bilan.scope
    start, end = year_bounds(year)
    enrolments = counted_enrolments(year, scope)
    validated = Count("id", filter=Q(result=VALIDATED))

    per_establishment = (
        enrolments.filter(establishment__isnull=False)
        .values("establishment__disp__code", "establishment__label", "establishment__short_name")
        .annotate(
            learners=Count("learner", distinct=True), enrolments=Count("id"), validated=validated
        )
    )
    establishments = sorted(
        (
            EstablishmentRow(
                disp=r["establishment__disp__code"],
                label=r["establishment__label"],
                short_name=r["establishment__short_name"],
                learners=r["learners"],
                enrolments=r["enrolments"],
                validated=r["validated"],
            )
            for r in per_establishment
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

    sectors = [
        SectorRow(
            code=r["unit__sector__code"],
            name=r["unit__sector__name"],
            learners=r["learners"],
            enrolments=r["enrolments"],
            validated=r["validated"],
            rate=percentage(r["validated"], r["enrolments"]),
        )
        for r in enrolments.values("unit__sector__code", "unit__sector__name")
        .annotate(
            learners=Count("learner", distinct=True), enrolments=Count("id"), validated=validated
        )
        .order_by("unit__sector__name")
    ]

    units = [
        UnitRow(
            code=r["unit__code"],
            title=r["unit__title"],
            sector=r["unit__sector__name"],
            enrolments=r["enrolments"],
            validated=r["validated"],
        )
        for r in enrolments.values("unit__code", "unit__title", "unit__sector__name")
        .annotate(enrolments=Count("id"), validated=validated)
        .order_by("unit__code")
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

    per_kind = {
        r["kind"]: r
        for r in scoped_interviews(start, end, scope)
        .values("kind")
        .annotate(interviews=Count("id"), people=Count("learner", distinct=True))
    }
    followup = [
        FollowupRow(
            kind=kind,
            label=str(INTERVIEW_LABELS[kind]),
            interviews=per_kind[kind]["interviews"] if kind in per_kind else 0,
            people=per_kind[kind]["people"] if kind in per_kind else 0,
        )
        for kind in INTERVIEW_KINDS
    ]

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
        followup=followup,
        emergence=emergence,
        trends=[row for row in _trends(scope) if row.year <= year] if with_trends else [],
        abandonments_by_cause=_abandonments(enrolments),
        short_names=short_names,
        emergence_order=emergence_order,
        whole_programme=scope.is_everything,
        orientation=_orientation(year) if scope.is_everything else [],
    )


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


def mask_small_cells(bilan: dict[str, Any], threshold: int = 5) -> dict[str, Any]:
    """A copy of a bilan's JSON document for publication outside the Cnam (see the module's
    docstring): learner counts below `threshold` read "< 5"; the results of a masked
    population are withheld (None)."""
    if threshold < 1:
        raise ValueError("Le seuil de publication doit être un entier positif.")
    document = copy.deepcopy(bilan)
    document["enrolled_learners"] = masked(document["enrolled_learners"], threshold)
    if _is_masked(document["enrolled_learners"]):
        document["ue_validated"] = None
        document["learner_success_rate"] = None
        document["ue_validation_rate"] = None
    for disp in document["by_disp"]:
        disp["learners"] = masked(disp["learners"], threshold)
    followup = document["followup"]
    followup["people_followed"] = masked(followup["people_followed"], threshold)
    emergence = document["emergence"]
    emergence["participants"] = masked(emergence["participants"], threshold)
    return document


def _mask_row(row: Any, threshold: int, counts: Sequence[str], withheld: Sequence[str]) -> Any:
    changes: dict[str, object] = {name: masked(getattr(row, name), threshold) for name in counts}
    if any(_is_masked(changes[name]) for name in counts[:1]):
        changes.update(dict.fromkeys(withheld))
    return replace(row, **changes)


def mask_tables(tables: Tables, threshold: int = 5) -> Tables:
    """The tables for publication: the same rules as `mask_small_cells`."""
    if threshold < 1:
        raise ValueError("Le seuil de publication doit être un entier positif.")

    def each(rows: Sequence[Any], counts: Sequence[str], withheld: Sequence[str] = ()) -> list[Any]:
        return [_mask_row(row, threshold, counts, withheld) for row in rows]

    cohort_counts = [
        f.name for f in fields(CohortRow) if f.name not in {"year", "establishment", "short_name"}
    ]
    return replace(
        tables,
        disps=each(tables.disps, ["learners"]),
        establishments=each(tables.establishments, ["learners"], ["validated"]),
        sectors=each(tables.sectors, ["learners"], ["validated", "rate"]),
        units=each(tables.units, ["enrolments", "validated"]),
        followup=each(tables.followup, ["people"]),
        emergence=each(tables.emergence, cohort_counts),
        trends=each(tables.trends, ["learners"], ["learner_success_rate", "ue_validation_rate"]),
        abandonments_by_cause=each(tables.abandonments_by_cause, ["learners"]),
        orientation=each(
            tables.orientation,
            ["sent", "contacted", "enrolled"],
            ["enrolment_rate", "median_days_to_first_contact", "small_medium_share"],
        ),
        masked_below=threshold,
    )
