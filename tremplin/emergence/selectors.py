"""Reads on the Émergence cohorts, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from tremplin.core.permissions import UserLike
from tremplin.learners.models import Kind, Learner, Status
from tremplin.places.models import Establishment

from .models import Attendance, Cohort, Participant, Session


@dataclass(frozen=True)
class CohortFilters:
    academic_year: str = ""
    establishment: int | None = None


def visible_cohorts(user: UserLike) -> QuerySet[Cohort]:
    return Cohort.permissions.readable(user, Cohort.objects.all())


def cohorts(user: UserLike, filters: CohortFilters, *, today: date) -> QuerySet[Cohort]:
    """The cohorts the user reads, with their numbers of participants and of sessions (held
    up to `today`, and planned), the most recent year first."""
    found = visible_cohorts(user).select_related("establishment__disp")
    if filters.academic_year:
        found = found.filter(academic_year=filters.academic_year)
    if filters.establishment:
        found = found.filter(establishment_id=filters.establishment)
    return found.annotate(
        participant_count=Count("participants", distinct=True),
        session_count=Count("sessions", distinct=True),
        held_count=Count("sessions", filter=Q(sessions__date__lte=today), distinct=True),
    ).order_by("-academic_year", "establishment__label")


def academic_years(user: UserLike) -> list[str]:
    return list(
        visible_cohorts(user)
        .order_by("-academic_year")
        .values_list("academic_year", flat=True)
        .distinct()
    )


def establishments(user: UserLike) -> QuerySet[Establishment]:
    """The establishments of the cohorts the user reads."""
    return Establishment.objects.filter(
        pk__in=visible_cohorts(user).values("establishment_id")
    ).order_by("label")


def cohort_sessions(cohort: Cohort) -> QuerySet[Session]:
    return cohort.sessions.annotate(
        present_count=Count("attendances", filter=Q(attendances__present=True)),
        recorded_count=Count("attendances"),
    ).order_by("date", "id")


@dataclass(frozen=True)
class ParticipantRow:
    participant: Participant
    attended: int
    held: int

    @property
    def rate(self) -> int | None:
        """The share of the sessions held that the participant attended, in percent."""
        if not self.held:
            return None
        return round(100 * self.attended / self.held)


def held_sessions(cohort: Cohort, today: date) -> int:
    return cohort.sessions.filter(date__lte=today).count()


def participant_rows(cohort: Cohort, user: UserLike, *, today: date) -> list[ParticipantRow]:
    """The participants of the cohort that the user reads, with their attendance."""
    held = held_sessions(cohort, today)
    participants = (
        Participant.permissions.readable(user, cohort.participants.all())
        .select_related("learner")
        .annotate(
            attended=Count(
                "attendances",
                filter=Q(attendances__present=True, attendances__session__date__lte=today),
            )
        )
        .order_by("learner__last_name", "learner__first_name")
    )
    return [ParticipantRow(p, p.attended, held) for p in participants]


def attendance_of(session: Session) -> dict[int, Attendance]:
    """The attendance recorded for the session, by participant."""
    return {a.participant_id: a for a in session.attendances.all()}


def candidates(cohort: Cohort, user: UserLike) -> QuerySet[Learner]:
    """The learners who may join the cohort: detained now at its establishment, in the user's
    scope, not participants yet."""
    return (
        Learner.permissions.readable_few(
            user,
            Learner.objects.filter(
                establishment=cohort.establishment, kind=Kind.DETAINED, status=Status.PLACED
            ),
        )
        .exclude(emergence_participations__cohort=cohort)
        .order_by("last_name", "first_name", "reference")
    )


@dataclass(frozen=True)
class Participation:
    """What the learner's record shows of one participation."""

    participant: Participant
    attended: int
    held: int
    can_read_cohort: bool


def participations(learner: Learner, user: UserLike, *, today: date) -> list[Participation]:
    # Few learners take part in Émergence: whether this one does is asked first, by a query
    # much lighter to build and plan than the counts of attendances and sessions below.
    if not learner.emergence_participations.exists():
        return []
    found = list(
        Participant.permissions.readable(user, learner.emergence_participations.all())
        .select_related("cohort__establishment")
        .annotate(
            attended=Count(
                "attendances",
                filter=Q(attendances__present=True, attendances__session__date__lte=today),
                distinct=True,
            ),
            held=Count(
                "cohort__sessions", filter=Q(cohort__sessions__date__lte=today), distinct=True
            ),
        )
        .order_by("-cohort__academic_year")
    )
    if not found:
        return []
    readable = set(
        visible_cohorts(user)
        .filter(pk__in=[p.cohort_id for p in found])
        .values_list("pk", flat=True)
    )
    return [Participation(p, p.attended, p.held, p.cohort_id in readable) for p in found]
