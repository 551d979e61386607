"""The indicators an objective of a convention can aim at, computed from the data (never stored).

Each indicator is a function `(scope, start, end) -> Decimal | int | None` registered under a
key, with a French label and a unit. `None` means "cannot be computed": the indicator then says
why (`unavailable`), and no number is ever made up.

Conventions used by every indicator:

- **Period.** Enrolments, Émergence cohorts and the like are dated by academic year
  (`2019-2020` runs from 1 September 2019 to 31 August 2020): such a record belongs to the
  period `[start, end]` when its academic year *overlaps* the period. A period from 1 January
  2020 to 31 December 2020 therefore takes both 2019-2020 and 2020-2021. Interviews and awarded
  certifications carry a day: they belong to the period when that day lies in it (both ends
  included).
- **Cancelled enrolments never count** (DOMAIN.md, "The figures").
- **Scope.** A national scope takes everything, young people of the missions locales included.
  A DISP scope takes the establishments of those DISPs, an establishment scope those
  establishments; a region scope takes the establishments located in those regions *and* the
  young people whose mission locale is in them. An enrolment or a certification is placed at
  its own establishment (where the learner was when enrolled); an interview at the
  establishment where the learner's placement history puts them on the day of the interview
  (for a learner without any history: their recorded establishment); an Émergence participant
  at the establishment of the cohort. A referral of a mission locale belongs to the regions of
  its mission locale, and to the period when it was sent in it (its day, local time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tremplin.catalog.academic import academic_years_overlapping
from tremplin.emergence.models import Participant
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import Placement
from tremplin.orientation.models import Referral
from tremplin.places.models import Establishment
from tremplin.reporting.models import FollowupStamp, ReferralStamp, Stamp, YearStamp

__all__ = [
    "INDICATORS",
    "ConventionScope",
    "Indicator",
    "Value",
    "academic_years_overlapping",
    "get_indicator",
    "indicator_choices",
]

Value = Decimal | int | None
IndicatorFunction = Callable[["ConventionScope", date, date], Value]

PERCENT = "%"


@dataclass(frozen=True)
class ConventionScope:
    """Where a convention applies. `national` takes everything; otherwise the union of the
    listed DISPs, establishments and regions (an empty union takes nothing)."""

    national: bool = False
    disp_ids: frozenset[int] = frozenset()
    establishment_ids: frozenset[int] = frozenset()
    region_codes: frozenset[str] = frozenset()

    def establishments(self) -> QuerySet[Establishment]:
        """The establishments of a non-national scope (a subquery, not evaluated)."""
        condition = Q(pk__in=[])
        if self.disp_ids:
            condition |= Q(disp_id__in=self.disp_ids)
        if self.establishment_ids:
            condition |= Q(pk__in=self.establishment_ids)
        if self.region_codes:
            condition |= Q(commune__region_id__in=self.region_codes)
        return Establishment.objects.filter(condition)

    def as_key(self) -> list[object]:
        """The scope as plain data, for the stored figures' keys."""
        return [
            self.national,
            sorted(self.disp_ids),
            sorted(self.establishment_ids),
            sorted(self.region_codes),
        ]

    def youth_condition(self, learner: str) -> Q:
        """Young people (no establishment) whose mission locale lies in the scope's regions;
        `learner` is the path to the learner, e.g. "learner"."""
        if not self.region_codes:
            return Q(pk__in=[])
        return Q(**{f"{learner}__mission_locale__commune__region_id__in": self.region_codes})

    def placed(self, establishment: str, learner: str) -> Q | None:
        """The condition on a record placed at `establishment` (a path to an establishment
        foreign key) for a learner at `learner`; None for a national scope."""
        if self.national:
            return None
        return Q(**{f"{establishment}__in": self.establishments()}) | (
            Q(**{f"{establishment}__isnull": True}) & self.youth_condition(learner)
        )


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    #: Printed after the figures: "établissements", "personnes inscrites", "%"...
    unit: str
    compute: IndicatorFunction
    #: The unit after 0 or 1 ("établissement"); the plural unit when empty.
    unit_one: str = ""
    #: Printed instead of a figure when `compute` returns None.
    unavailable: str = "non calculable sur la période"
    definition: str = ""
    #: The stamps whose tokens key the stored value (reporting/stamps.py): the year stamps
    #: watch every write but the referrals (the referral stamps) and the interviews and
    #: placements (the follow-up stamps).
    stamps: tuple[type[Stamp], ...] = (YearStamp,)

    @property
    def is_rate(self) -> bool:
        return self.unit == PERCENT

    def unit_for(self, value: Decimal | int) -> str:
        """The unit after a figure, agreed in number (French: 0 and 1 take the singular)."""
        return self.unit_one if self.unit_one and -2 < value < 2 else self.unit

    def __call__(self, scope: ConventionScope, start: date, end: date) -> Value:
        return self.compute(scope, start, end)


INDICATORS: dict[str, Indicator] = {}


def register(
    key: str,
    label: str,
    unit: str,
    *,
    one: str = "",
    unavailable: str = "",
    definition: str = "",
    stamps: tuple[type[Stamp], ...] = (YearStamp,),
) -> Callable[[IndicatorFunction], IndicatorFunction]:
    def decorator(function: IndicatorFunction) -> IndicatorFunction:
        if key in INDICATORS:
            raise ValueError(f"indicator {key!r} registered twice")
        INDICATORS[key] = Indicator(
            key,
            label,
            unit,
            function,
            unit_one=one,
            unavailable=unavailable or "non calculable sur la période",
            definition=definition,
            stamps=stamps,
        )
        return function

    return decorator


def get_indicator(key: str) -> Indicator:
    """The registered indicator; KeyError for an unknown key."""
    return INDICATORS[key]


def indicator_choices() -> list[tuple[str, str]]:
    return [(i.key, i.label) for i in INDICATORS.values()]


def _enrolments(scope: ConventionScope, start: date, end: date) -> QuerySet[Enrolment]:
    """The non-cancelled enrolments of the academic years overlapping the period, in scope."""
    enrolments = Enrolment.objects.filter(
        academic_year__in=academic_years_overlapping(start, end)
    ).exclude(result=Result.CANCELLED)
    condition = scope.placed("establishment", "learner")
    return enrolments if condition is None else enrolments.filter(condition)


@register(
    "partner_establishments",
    "Établissements partenaires",
    "établissements",
    one="établissement",
    definition="Établissements distincts ayant au moins une inscription non annulée sur la période.",
)
def partner_establishments(scope: ConventionScope, start: date, end: date) -> int:
    found = _enrolments(scope, start, end).aggregate(n=Count("establishment", distinct=True))
    return int(found["n"])


@register(
    "disps_covered",
    "DISP couvertes",
    "DISP",
    definition="Directions interrégionales des établissements partenaires de la période.",
)
def disps_covered(scope: ConventionScope, start: date, end: date) -> int:
    found = _enrolments(scope, start, end).aggregate(n=Count("establishment__disp", distinct=True))
    return int(found["n"])


@register(
    "enrolled_learners",
    "Personnes inscrites",
    "personnes inscrites",
    one="personne inscrite",
    definition="Apprenants distincts ayant au moins une inscription non annulée sur la période.",
)
def enrolled_learners(scope: ConventionScope, start: date, end: date) -> int:
    found = _enrolments(scope, start, end).aggregate(n=Count("learner", distinct=True))
    return int(found["n"])


@register(
    "ue_validation_rate",
    "Taux d'UE validées",
    PERCENT,
    unavailable="aucune inscription sur la période",
    definition="Inscriptions validées / inscriptions non annulées de la période, en pourcentage.",
)
def ue_validation_rate(scope: ConventionScope, start: date, end: date) -> Decimal | None:
    found = _enrolments(scope, start, end).aggregate(
        total=Count("pk"), validated=Count("pk", filter=Q(result=Result.VALIDATED))
    )
    if not found["total"]:
        return None
    rate = Decimal(100 * found["validated"]) / Decimal(found["total"])
    return rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@register(
    "emergence_participants",
    "Participants à Émergence",
    "participants",
    one="participant",
    definition="Apprenants distincts des cohortes Émergence des années universitaires de la période.",
)
def emergence_participants(scope: ConventionScope, start: date, end: date) -> int:
    participants = Participant.objects.filter(
        cohort__academic_year__in=academic_years_overlapping(start, end)
    )
    if not scope.national:
        participants = participants.filter(cohort__establishment__in=scope.establishments())
    return int(participants.aggregate(n=Count("learner", distinct=True))["n"])


@register(
    "interviews",
    "Entretiens menés",
    "entretiens",
    one="entretien",
    definition="Entretiens (information et orientation, suivi de formation) datés dans la période.",
    # The interviews and the placements (the follow-up stamps), the learners' own
    # establishments and the regions (the year stamps).
    stamps=(YearStamp, FollowupStamp),
)
def interviews(scope: ConventionScope, start: date, end: date) -> int:
    found = Interview.objects.filter(date__gte=start, date__lte=end)
    if not scope.national:
        history = Placement.objects.filter(
            learner=OuterRef("learner_id"), date__lte=OuterRef("date")
        )
        found = found.annotate(
            has_history=Exists(history),
            placed_at=Subquery(history.order_by("-date", "-id").values("establishment_id")[:1]),
        ).filter(
            Q(has_history=True, placed_at__in=scope.establishments())
            | Q(has_history=False, learner__establishment__in=scope.establishments())
            | (Q(learner__establishment__isnull=True) & scope.youth_condition("learner"))
        )
    return found.count()


@register(
    "certifications_awarded",
    "Certifications délivrées",
    "certifications",
    one="certification",
    definition="Certifications délivrées (non retirées) dont la date de délivrance est dans la période.",
)
def certifications_awarded(scope: ConventionScope, start: date, end: date) -> int:
    found = Certification.objects.filter(
        status=Certification.Status.AWARDED, awarded_on__gte=start, awarded_on__lte=end
    )
    condition = scope.placed("establishment", "learner")
    return (found if condition is None else found.filter(condition)).count()


@register(
    "mission_locale_referrals",
    "Orientations par les missions locales",
    "orientations",
    one="orientation",
    definition=(
        "Orientations envoyées vers un centre Cnam par une mission locale du périmètre "
        "(sa commune dans une région de la convention ; toutes pour une convention nationale) "
        "dans la période."
    ),
    # The referrals, and the regions of the missions locales' communes (a commune is watched
    # by the year stamps).
    stamps=(YearStamp, ReferralStamp),
)
def mission_locale_referrals(scope: ConventionScope, start: date, end: date) -> int:
    first = timezone.make_aware(datetime.combine(start, time.min))
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    found = Referral.objects.filter(sent_at__gte=first, sent_at__lt=after)
    if not scope.national:
        found = found.filter(mission_locale__commune__region_id__in=scope.region_codes)
    return found.count()
