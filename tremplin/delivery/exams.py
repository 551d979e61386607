"""Exam sessions inside the establishments: create a session with its candidates, and keep the
registrations right when a learner is transferred before the session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tremplin.catalog.models import TeachingUnit
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Learner, Placement, Status
from tremplin.places.models import Establishment

from .models import ExamRegistration, ExamSession

#: How far (in days) a session of the new establishment may be from the one a transferred
#: learner was registered in.
FOLLOW_WINDOW = timedelta(days=14)


def academic_year_of(day: date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def candidates(establishment: Establishment, units: Iterable[TeachingUnit], year: str) -> Any:
    """The pending enrolments of the year in these UEs of the learners detained there."""
    return Enrolment.objects.filter(
        academic_year=year,
        unit__in=list(units),
        result=Result.PENDING,
        learner__establishment=establishment,
        learner__status=Status.PLACED,
    ).select_related("learner", "unit")


@transaction.atomic
def create_session(
    establishment: Establishment,
    *,
    starts_at: datetime,
    room: str,
    invigilator: str,
    units: Iterable[TeachingUnit],
    duration_minutes: int = 180,
    by: Any = None,
) -> ExamSession:
    """A session and its candidates: every pending enrolment of the session's academic year in
    one of its UEs, of the learners detained in the establishment."""
    units = list(units)
    if not units:
        raise ValidationError({"units": "Choisissez au moins une UE."})
    session = ExamSession.objects.create(
        establishment=establishment,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        room=room.strip(),
        invigilator=invigilator.strip(),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    session.units.set(units)
    year = academic_year_of(timezone.localtime(starts_at).date())
    ExamRegistration.objects.bulk_create(
        ExamRegistration(session=session, enrolment=enrolment)
        for enrolment in candidates(establishment, units, year)
    )
    return session


def _destination(registration: ExamRegistration, establishment: Establishment) -> Any:
    day = timezone.localtime(registration.session.starts_at).date()
    return (
        ExamSession.objects.filter(
            establishment=establishment,
            units=registration.enrolment.unit_id,
            starts_at__date__range=(day - FOLLOW_WINDOW, day + FOLLOW_WINDOW),
        )
        .order_by("starts_at", "id")
        .first()
    )


@transaction.atomic
def follow_transfer(learner: Learner, *, on: date | None = None) -> list[ExamRegistration]:
    """After a transfer: move the learner's registrations in sessions held after the transfer at
    another establishment to a session of the new establishment within 14 days of the same date
    covering the UE; flag those that have none. Returns the registrations moved or flagged."""
    establishment = learner.establishment
    if establishment is None:
        return []
    if on is None:
        last = (
            Placement.objects.filter(learner=learner, kind=Placement.Kind.TRANSFER)
            .order_by("-date", "-id")
            .first()
        )
        on = last.date if last else timezone.localdate()
    registrations = list(
        ExamRegistration.objects.filter(
            enrolment__learner=learner,
            enrolment__result=Result.PENDING,
            session__starts_at__date__gte=on,
        )
        .exclude(session__establishment=establishment)
        .select_related("session__establishment", "enrolment__unit")
    )
    changed = []
    for registration in registrations:
        target = _destination(registration, establishment)
        old = registration.session
        if target is None:
            registration.flag = (
                f"Transfert vers {establishment.label} le {on:%d/%m/%Y} : aucune session de "
                f"{registration.enrolment.unit.code} n'y est prévue à moins de 14 jours du "
                f"{timezone.localtime(old.starts_at):%d/%m/%Y} ; une session est à organiser."
            )
            registration.save(update_fields=["flag"])
        elif ExamRegistration.objects.filter(
            session=target, enrolment=registration.enrolment
        ).exists():
            registration.delete()
            registration = ExamRegistration.objects.get(
                session=target, enrolment=registration.enrolment
            )
        else:
            registration.session = target
            registration.flag = (
                f"Suit un transfert : inscription déplacée depuis la session du "
                f"{timezone.localtime(old.starts_at):%d/%m/%Y} à {old.establishment.label}."
            )
            registration.save(update_fields=["session", "flag"])
        changed.append(registration)
    return changed


@transaction.atomic
def update_accommodation(
    registration: ExamRegistration, *, accommodation: str, extra_time_minutes: int
) -> ExamRegistration:
    if extra_time_minutes < 0 or extra_time_minutes > 240:
        raise ValidationError(
            {"extra_time_minutes": "Le temps supplémentaire va de 0 à 240 minutes."}
        )
    registration.accommodation = accommodation.strip()
    registration.extra_time_minutes = extra_time_minutes
    registration.save(update_fields=["accommodation", "extra_time_minutes"])
    return registration
