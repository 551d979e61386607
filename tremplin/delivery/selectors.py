"""What the RLE and the referents see per establishment: the material waiting to be handed out,
the assignments awaited back, the exam sessions, the offline pack of each learner; and the
packages of the UEs taught at distance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from tremplin.catalog.models import Modality, TeachingUnit
from tremplin.core.permissions import UserLike
from tremplin.core.scope import scope_of
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Learner, Status, words_match
from tremplin.places.models import Establishment

from .models import Delivery, ExamRegistration, ExamSession, HandOver, MaterialPackage
from .permissions import LOGISTICS, establishment_filter


def establishments_in_scope(user: UserLike) -> QuerySet[Establishment]:
    """The establishments whose material and exams the user organises."""
    scope = scope_of(user)
    if not (scope.everything or scope.role in LOGISTICS):
        return Establishment.objects.none()
    condition = establishment_filter(scope, "")
    establishments = Establishment.objects.select_related("disp")
    return establishments if condition is None else establishments.filter(condition)


def _deliveries(user: UserLike, establishment: Establishment) -> QuerySet[Delivery]:
    """The deliveries of the learners now detained in the establishment (material sent
    elsewhere before a transfer included: it follows the learner)."""
    return Delivery.permissions.readable(
        user,
        Delivery.objects.filter(enrolment__learner__establishment=establishment)
        .exclude(enrolment__learner__status="released")
        .select_related("enrolment__learner", "enrolment__unit", "package", "sent_to"),
    ).order_by(
        "enrolment__learner__last_name",
        "enrolment__learner__first_name",
        "package__unit__code",
        "package__position",
    )


def waiting_handout(user: UserLike, establishment: Establishment) -> QuerySet[Delivery]:
    return _deliveries(user, establishment).filter(handed_on__isnull=True)


def awaited_returns(user: UserLike, establishment: Establishment) -> QuerySet[Delivery]:
    return _deliveries(user, establishment).filter(
        package__kind=MaterialPackage.Kind.ASSIGNMENT,
        handed_on__isnull=False,
        returned_on__isnull=True,
    )


def recent_returns(user: UserLike, establishment: Establishment) -> QuerySet[Delivery]:
    return (
        _deliveries(user, establishment).filter(returned_on__isnull=False).order_by("-returned_on")
    )


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def slip_lines(user: UserLike, establishment: Establishment, day: date) -> QuerySet[Delivery]:
    """The packages to hand out in the week of `day`: sent by the end of that week, not handed
    out yet."""
    _, sunday = week_of(day)
    return waiting_handout(user, establishment).filter(sent_on__lte=sunday)


@dataclass(frozen=True)
class EstablishmentSummary:
    establishment: Establishment
    to_hand_out: int
    awaited: int
    sessions: int


def summaries(user: UserLike, today: date) -> list[EstablishmentSummary]:
    """Per establishment in scope, the counts of the page, in two aggregate queries."""
    establishments = list(establishments_in_scope(user).order_by("label"))
    ids = [e.pk for e in establishments]
    deliveries = (
        Delivery.permissions.readable(
            user, Delivery.objects.filter(enrolment__learner__establishment__in=ids)
        )
        .exclude(enrolment__learner__status="released")
        .values("enrolment__learner__establishment")
        .annotate(
            waiting=Count("id", filter=Q(handed_on__isnull=True)),
            awaited=Count(
                "id",
                filter=Q(
                    package__kind=MaterialPackage.Kind.ASSIGNMENT,
                    handed_on__isnull=False,
                    returned_on__isnull=True,
                ),
            ),
        )
        .order_by()
    )
    counts: dict[int, tuple[int, int]] = {
        row["enrolment__learner__establishment"]: (row["waiting"], row["awaited"])
        for row in deliveries
    }
    sessions = dict(
        ExamSession.objects.filter(establishment__in=ids, starts_at__date__gte=today)
        .values("establishment")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("establishment", "n")
    )
    return [
        EstablishmentSummary(
            establishment=e,
            to_hand_out=counts.get(e.pk, (0, 0))[0],
            awaited=counts.get(e.pk, (0, 0))[1],
            sessions=sessions.get(e.pk, 0),
        )
        for e in establishments
    ]


@dataclass(frozen=True)
class Candidate:
    """A candidate of a session: their registrations (one per UE), accommodations merged."""

    learner: Any
    registrations: list[ExamRegistration]

    @property
    def units(self) -> str:
        return ", ".join(r.enrolment.unit.code for r in self.registrations)

    @property
    def extra_time_minutes(self) -> int:
        return max((r.extra_time_minutes for r in self.registrations), default=0)

    @property
    def accommodation(self) -> str:
        texts = dict.fromkeys(r.accommodation for r in self.registrations if r.accommodation)
        return " ; ".join(texts)

    @property
    def flags(self) -> list[str]:
        return [r.flag for r in self.registrations if r.flag]


def session_candidates(session: ExamSession, user: UserLike | None = None) -> list[Candidate]:
    registrations = ExamRegistration.objects.filter(session=session).select_related(
        "enrolment__learner", "enrolment__unit"
    )
    if user is not None:
        registrations = ExamRegistration.permissions.readable(user, registrations)
    by_learner: dict[int, Candidate] = {}
    for registration in registrations.order_by(
        "enrolment__learner__last_name", "enrolment__learner__first_name", "enrolment__unit__code"
    ):
        learner = registration.enrolment.learner
        if learner.pk not in by_learner:
            by_learner[learner.pk] = Candidate(learner, [])
        by_learner[learner.pk].registrations.append(registration)
    return list(by_learner.values())


def hand_overs_for(user: UserLike) -> QuerySet[HandOver]:
    return HandOver.permissions.readable(
        user,
        HandOver.objects.select_related(
            "learner", "centre__commune", "placement__release_commune", "placement__establishment"
        ),
    )


# --------------------------------------------------------------------------------------------
# The packages of the UEs taught at distance, and a learner's offline pack
# --------------------------------------------------------------------------------------------

#: The modalities whose material is carried into the establishments.
DISTANCE_MODALITIES = (Modality.DISTANCE, Modality.HYBRID)

#: The kinds of package every establishment lets in; the offline media (USB keys, audio,
#: video) only when the establishment allows digital material.
PRINTED_KINDS = (
    MaterialPackage.Kind.BOOKLET,
    MaterialPackage.Kind.ASSIGNMENT,
    MaterialPackage.Kind.CORRECTION,
)


def package_units() -> QuerySet[TeachingUnit]:
    """The UEs taught at distance (and any other UE that has packages), with their number of
    packages."""
    return (
        TeachingUnit.objects.filter(Q(modality__in=DISTANCE_MODALITIES) | Q(packages__isnull=False))
        .annotate(package_count=Count("packages", distinct=True))
        .order_by("code")
        .distinct()
    )


def unit_packages(unit: TeachingUnit) -> QuerySet[MaterialPackage]:
    return (
        MaterialPackage.objects.filter(unit=unit)
        .annotate(delivery_count=Count("deliveries"))
        .order_by("position", "id")
    )


def allowed_kinds(*, digital_allowed: bool) -> list[str]:
    kinds = [str(kind) for kind in PRINTED_KINDS]
    if digital_allowed:
        kinds.append(str(MaterialPackage.Kind.MEDIA))
    return kinds


def _distance_enrolments() -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(result=Result.PENDING, unit__modality__in=DISTANCE_MODALITIES)


def pack_learners(
    user: UserLike, establishment: Establishment, searched: str = ""
) -> QuerySet[Learner]:
    """The learners detained in the establishment, whom the user reads, with a pending enrolment
    in a UE taught at distance: each of the establishment's learners tested on their own
    enrolments, where a list of every such learner in the country was read first (SQLite,
    national demo: 56 ms of a 183 ms page). With `searched`, those whose names or number start
    with each word typed (as the learners' list searches)."""
    learners = Learner.objects.filter(
        Exists(_distance_enrolments().filter(learner_id=OuterRef("pk"))),
        establishment=establishment,
        status=Status.PLACED,
    )
    if searched.split():
        # Tested on the establishment's learners: its index would read the whole country's
        # matches (« ma »: about 32,800 on the national demo) to keep one establishment's.
        learners = learners.filter(
            words_match(searched, connections[learners.db].vendor, tested=True)
        )
    return Learner.permissions.readable_few(user, learners).order_by(
        "last_name", "first_name", "reference"
    )


@dataclass(frozen=True)
class PackUnit:
    """One UE of a learner's offline pack and its packages of the kinds allowed."""

    unit: TeachingUnit
    packages: list[MaterialPackage]


def offline_pack(learner: Learner, *, digital_allowed: bool) -> list[PackUnit]:
    """The learner's pending UEs taught at distance, each with its packages of the allowed
    kinds, in their order."""
    units = TeachingUnit.objects.filter(
        pk__in=_distance_enrolments().filter(learner=learner).values("unit_id")
    ).order_by("code")
    packages: dict[int, list[MaterialPackage]] = {}
    for package in MaterialPackage.objects.filter(
        unit__in=units, kind__in=allowed_kinds(digital_allowed=digital_allowed)
    ).order_by("unit__code", "position", "id"):
        packages.setdefault(package.unit_id, []).append(package)
    return [PackUnit(unit, packages.get(unit.pk, [])) for unit in units]
