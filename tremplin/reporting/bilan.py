"""The "bilan chiffré" of an academic year (DOMAIN.md, "The figures"). Read side only: nothing
here writes.

Definitions
-----------
- The academic year ``2019-2020`` runs from 1 September 2019 to 31 August 2020 (both included).
- An enrolment is one learner in one UE for one academic year (``Enrolment.academic_year``), at
  the establishment where the learner was placed when enrolled (``Enrolment.establishment``).
  Cancelled enrolments never count, anywhere: a learner whose only enrolments of the year are
  cancelled is not enrolled that year.
- ``enrolled_learners``: distinct learners with at least one enrolment of the year.
- ``partner_establishments``: distinct establishments of those enrolments.
- ``by_disp``: per DISP (sorted by code), the number and the labels (sorted) of its
  establishments with an enrolment of the year, and its distinct learners. A learner enrolled in
  two DISPs in the year (a transfer) counts in each of them, and once in ``enrolled_learners``.
- ``graduates``: certifications with the status *awarded* whose ``awarded_on`` lies within the
  year's bounds (proposed and revoked ones never count): the formation's code and kind and the
  establishment of the award, sorted.
- ``ue_enrollments`` / ``ue_validated``: enrolments of the year, and those validated.
- ``learner_success_rate``: percentage of ``enrolled_learners`` with at least one validated
  enrolment of the year; ``ue_validation_rate``: ``ue_validated`` / ``ue_enrollments`` as a
  percentage. Both rounded half up to two decimals, 0.0 when there is nothing to divide.
- ``followup``: the interviews dated within the year's bounds: distinct learners
  (``people_followed``), interviews, and interviews by kind (both kinds always present).
- ``emergence``: the cohorts of the three academic years ending with this one (for 2019-2020:
  2017-2018, 2018-2019 and 2019-2020): distinct participants, and the labels of the cohorts'
  establishments, sorted.

Scope
-----
Every figure can be restricted, consistently:

- ``disp`` (a DISP code, e.g. ``"DISP PARIS"``) and ``establishment`` (an official label, e.g.
  ``"CD MELUN"``), both case-insensitive, restrict

  * the enrolments to those made at an establishment of the scope (an enrolment without an
    establishment, a young person's, lies outside any such scope);
  * the graduates to certifications awarded at an establishment of the scope;
  * Émergence to the cohorts run at an establishment of the scope;
  * the follow-up to interviews of learners placed in the scope on the day of the interview.
    The placement in force on a day is the learner's last ``Placement`` (arrival, transfer or
    release) dated on or before that day; a released learner is placed nowhere, and an interview
    dated before the learner's first placement lies outside the scope.

  Both may be given together: the establishment must then belong to that DISP.
- ``sector`` (a sector code, the slug of ``Sector``, e.g. ``"informatique"``) restricts the
  enrolments to UEs of that sector and the graduates to formations of that sector. Interviews and
  Émergence cohorts belong to no sector: the follow-up and Émergence figures are unchanged by it.

An academic year that is not written ``2019-2020``, or an unknown DISP, establishment or sector,
raises ``ValueError`` with a French message.

Efficiency
----------
A fixed, small number of aggregate queries (``values`` / ``annotate`` / ``Count(distinct=True)``,
one correlated subquery inside the SQL for the placement in force): never a query per row, so the
cost grows with what the database scans, not with Python loops over enrolments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from tremplin.catalog.models import ACADEMIC_YEAR, Sector
from tremplin.core.routers import reports
from tremplin.emergence.models import Cohort, Participant
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import Placement
from tremplin.places.models import Disp, Establishment

__all__ = [
    "EMERGENCE_WINDOW",
    "Bilan",
    "DispFigures",
    "EmergenceFigures",
    "FollowupFigures",
    "Graduate",
    "Scope",
    "compute_bilan",
    "counted_enrolments",
    "emergence_years",
    "percentage",
    "resolve_scope",
    "scoped_interviews",
    "year_bounds",
]

VALIDATED = Result.VALIDATED.value
CANCELLED = Result.CANCELLED.value
AWARDED = Certification.Status.AWARDED.value
INTERVIEW_KINDS = tuple(Interview.Kind.values)
#: Émergence figures cover this many academic years, ending with the year of the bilan.
EMERGENCE_WINDOW = 3


# --------------------------------------------------------------------------------------------
# Years and scope
# --------------------------------------------------------------------------------------------


def year_bounds(year: str) -> tuple[date, date]:
    """1 September .. 31 August of an academic year written ``2019-2020``."""
    match = ACADEMIC_YEAR.match(year or "")
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValueError(
            f"L'année universitaire « {year} » n'est pas valide : écrivez-la par exemple 2019-2020."
        )
    start = int(match[1])
    return date(start, 9, 1), date(start + 1, 8, 31)


def shift_year(year: str, delta: int) -> str:
    start = int(year[:4]) + delta
    return f"{start}-{start + 1}"


def emergence_years(year: str) -> list[str]:
    """The academic years of the Émergence window ending with `year`, oldest first."""
    return [shift_year(year, delta) for delta in range(1 - EMERGENCE_WINDOW, 1)]


@dataclass(frozen=True)
class Scope:
    """What a bilan is restricted to (see the module's docstring); empty means everything."""

    disp: Disp | None = None
    establishment: Establishment | None = None
    sector: Sector | None = None

    @property
    def is_everything(self) -> bool:
        return self.disp is None and self.establishment is None and self.sector is None

    @property
    def places_restricted(self) -> bool:
        return self.disp is not None or self.establishment is not None

    @property
    def label(self) -> str:
        """The scope in French, for titles."""
        parts = []
        if self.establishment is not None:
            parts.append(f"{self.establishment.label} ({self.establishment.disp.code})")
        elif self.disp is not None:
            parts.append(f"{self.disp.code} ({self.disp.name})")
        if self.sector is not None:
            parts.append(f"secteur {self.sector.name}")
        return " — ".join(parts) if parts else "tous les établissements partenaires"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "disp": self.disp.code if self.disp else None,
            "establishment": self.establishment.label if self.establishment else None,
            "sector": self.sector.code if self.sector else None,
        }

    def place_filter(self, path: str) -> Q:
        """A Q restricting the establishment found at `path` (a foreign key) to the scope."""
        q = Q()
        if self.disp is not None:
            q &= Q(**{f"{path}__disp": self.disp})
        if self.establishment is not None:
            q &= Q(**{path: self.establishment})
        return q

    def establishment_ids(self) -> QuerySet[Establishment, Any]:
        """The establishments of the scope, as a subquery (no query of its own)."""
        establishments = Establishment.objects.order_by()
        if self.disp is not None:
            establishments = establishments.filter(disp=self.disp)
        if self.establishment is not None:
            establishments = establishments.filter(pk=self.establishment.pk)
        return establishments.values("pk")


def resolve_scope(
    disp: str | None = None, establishment: str | None = None, sector: str | None = None
) -> Scope:
    """The scope named by a DISP code, an establishment label and a sector code (each optional,
    case-insensitive); ValueError with a French message for an unknown one."""
    found_disp = found_establishment = found_sector = None
    if disp:
        found_disp = Disp.objects.filter(code__iexact=disp.strip()).first()
        if found_disp is None:
            known = ", ".join(Disp.objects.order_by("code").values_list("code", flat=True))
            raise ValueError(f"DISP inconnue : « {disp} ». DISP connues : {known}.")
    if establishment:
        found_establishment = (
            Establishment.objects.select_related("disp")
            .filter(label__iexact=establishment.strip())
            .first()
        )
        if found_establishment is None:
            raise ValueError(
                f"Établissement inconnu : « {establishment} ». Indiquez son libellé officiel, "
                "par exemple CP FRESNES."
            )
        if found_disp is not None and found_establishment.disp_id != found_disp.pk:
            raise ValueError(
                f"L'établissement {found_establishment.label} relève de la "
                f"{found_establishment.disp.code}, pas de la {found_disp.code}."
            )
    if sector:
        found_sector = Sector.objects.filter(code__iexact=sector.strip()).first()
        if found_sector is None:
            known = ", ".join(Sector.objects.order_by("code").values_list("code", flat=True))
            raise ValueError(f"Secteur inconnu : « {sector} ». Secteurs connus : {known}.")
    return Scope(found_disp, found_establishment, found_sector)


# --------------------------------------------------------------------------------------------
# Base querysets (shared with the detail tables)
# --------------------------------------------------------------------------------------------


def counted_enrolments(year: str | None, scope: Scope) -> QuerySet[Enrolment]:
    """The enrolments that count (not cancelled) of a year (every year if None), in scope."""
    enrolments = Enrolment.objects.exclude(result=CANCELLED)
    if year is not None:
        enrolments = enrolments.filter(academic_year=year)
    enrolments = enrolments.filter(scope.place_filter("establishment"))
    if scope.sector is not None:
        enrolments = enrolments.filter(unit__sector=scope.sector)
    return enrolments.order_by()


def awarded_certifications(start: date, end: date, scope: Scope) -> QuerySet[Certification]:
    certifications = Certification.objects.filter(
        status=AWARDED, awarded_on__range=(start, end)
    ).filter(scope.place_filter("establishment"))
    if scope.sector is not None:
        certifications = certifications.filter(formation__sector=scope.sector)
    return certifications.order_by()


def scoped_interviews(start: date, end: date, scope: Scope) -> QuerySet[Interview]:
    """Interviews dated within [start, end]; with a DISP or an establishment, only those of
    learners placed in the scope on the interview's day (one correlated subquery in the SQL)."""
    interviews = Interview.objects.filter(date__range=(start, end)).order_by()
    if scope.places_restricted:
        in_force = (
            Placement.objects.filter(learner=OuterRef("learner"), date__lte=OuterRef("date"))
            .order_by("-date", "-id")
            .values("establishment")[:1]
        )
        interviews = interviews.annotate(placed_at=Subquery(in_force)).filter(
            placed_at__in=scope.establishment_ids()
        )
    return interviews


def followup_figures(year: str, scope: Scope) -> FollowupFigures:
    """The year's interviews in the scope: people followed, interviews, interviews by kind."""
    start, end = year_bounds(year)
    kinds = {kind: Count("id", filter=Q(kind=kind)) for kind in INTERVIEW_KINDS}
    followed = scoped_interviews(start, end, scope).aggregate(
        people=Count("learner", distinct=True), interviews=Count("id"), **kinds
    )
    return FollowupFigures(
        people_followed=followed["people"],
        interviews=followed["interviews"],
        by_kind={kind: followed[kind] for kind in INTERVIEW_KINDS},
    )


def emergence_cohorts(year: str, scope: Scope) -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(academic_year__in=emergence_years(year))
        .filter(scope.place_filter("establishment"))
        .order_by()
    )


def percentage(part: int, whole: int) -> float:
    """100 * part / whole, rounded half up to two decimals; 0.0 when whole is 0."""
    if not whole:
        return 0.0
    ratio = Decimal(100 * part) / Decimal(whole)
    return float(ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------------
# The bilan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispFigures:
    disp: str
    establishments: int
    learners: int
    establishment_names: list[str]


@dataclass(frozen=True, order=True)
class Graduate:
    formation: str
    kind: str
    establishment: str | None


@dataclass(frozen=True)
class FollowupFigures:
    people_followed: int
    interviews: int
    by_kind: dict[str, int]


#: The follow-up figures of a bilan computed without them (never shown: stored.py replaces them).
NOT_COUNTED = FollowupFigures(people_followed=-1, interviews=-1, by_kind={})


@dataclass(frozen=True)
class EmergenceFigures:
    years: list[str]
    participants: int
    establishments: list[str]


@dataclass(frozen=True)
class Bilan:
    academic_year: str
    enrolled_learners: int
    partner_establishments: int
    by_disp: list[DispFigures]
    graduates: list[Graduate]
    ue_enrollments: int
    ue_validated: int
    learner_success_rate: float
    ue_validation_rate: float
    followup: FollowupFigures
    emergence: EmergenceFigures
    #: Not part of the JSON document: what the figures are restricted to.
    scope: Scope = field(default_factory=Scope, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document, keys in this exact order."""
        return {
            "academic_year": self.academic_year,
            "enrolled_learners": self.enrolled_learners,
            "partner_establishments": self.partner_establishments,
            "by_disp": [
                {
                    "disp": d.disp,
                    "establishments": d.establishments,
                    "learners": d.learners,
                    "establishment_names": list(d.establishment_names),
                }
                for d in self.by_disp
            ],
            "graduates": [
                {"formation": g.formation, "kind": g.kind, "establishment": g.establishment}
                for g in self.graduates
            ],
            "ue_enrollments": self.ue_enrollments,
            "ue_validated": self.ue_validated,
            "learner_success_rate": self.learner_success_rate,
            "ue_validation_rate": self.ue_validation_rate,
            "followup": {
                "people_followed": self.followup.people_followed,
                "interviews": self.followup.interviews,
                "by_kind": dict(self.followup.by_kind),
            },
            "emergence": {
                "years": list(self.emergence.years),
                "participants": self.emergence.participants,
                "establishments": list(self.emergence.establishments),
            },
        }


@reports  # read-only: on the replica when there is one (docs/scaling.md)
def compute_bilan(
    year: str,
    *,
    disp: str | None = None,
    establishment: str | None = None,
    sector: str | None = None,
    with_followup: bool = True,
) -> Bilan:
    """The figures of `year`, restricted to the scope (see the module's docstring); without
    `with_followup`, the follow-up figures left `NOT_COUNTED` (reporting/stored.py stores them
    per follow-up stamp)."""
    start, end = year_bounds(year)
    scope = resolve_scope(disp, establishment, sector)
    enrolments = counted_enrolments(year, scope)

    totals = enrolments.aggregate(
        learners=Count("learner", distinct=True),
        successful=Count("learner", distinct=True, filter=Q(result=VALIDATED)),
        establishments=Count("establishment", distinct=True),
        enrolments=Count("id"),
        validated=Count("id", filter=Q(result=VALIDATED)),
    )

    placed = enrolments.filter(establishment__isnull=False)
    names: dict[str, list[str]] = defaultdict(list)
    for code, label in placed.values_list(
        "establishment__disp__code", "establishment__label"
    ).distinct():
        names[code].append(label)
    learners_by_disp = dict(
        placed.values("establishment__disp__code")
        .annotate(learners=Count("learner", distinct=True))
        .values_list("establishment__disp__code", "learners")
    )
    by_disp = [
        DispFigures(
            disp=code,
            establishments=len(names[code]),
            learners=learners_by_disp.get(code, 0),
            establishment_names=sorted(names[code]),
        )
        for code in sorted(names)
    ]

    graduates = sorted(
        (
            Graduate(formation, kind, label)
            for formation, kind, label in awarded_certifications(start, end, scope).values_list(
                "formation__code", "formation__kind", "establishment__label"
            )
        ),
        key=lambda g: (g.formation, g.kind, g.establishment or ""),
    )

    cohorts = emergence_cohorts(year, scope)
    participants = Participant.objects.filter(cohort__in=cohorts.values("pk")).aggregate(
        n=Count("learner", distinct=True)
    )["n"]
    emergence_labels = sorted(set(cohorts.values_list("establishment__label", flat=True)))

    return Bilan(
        academic_year=year,
        enrolled_learners=totals["learners"],
        partner_establishments=totals["establishments"],
        by_disp=by_disp,
        graduates=graduates,
        ue_enrollments=totals["enrolments"],
        ue_validated=totals["validated"],
        learner_success_rate=percentage(totals["successful"], totals["learners"]),
        ue_validation_rate=percentage(totals["validated"], totals["enrolments"]),
        followup=followup_figures(year, scope) if with_followup else NOT_COUNTED,
        emergence=EmergenceFigures(
            years=emergence_years(year),
            participants=participants,
            establishments=emergence_labels,
        ),
        scope=scope,
    )
