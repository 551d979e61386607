"""Exam sessions inside the establishments: create a session with its candidates, change it and
its candidates until its day, record who sat the exams, and keep the registrations right when a
learner is transferred before the session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.catalog.academic import academic_year_of
from tremplin.catalog.models import TeachingUnit
from tremplin.core import journal
from tremplin.core.permissions import Actor
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Learner, Placement, Status
from tremplin.places.models import Establishment

from .models import ExamRegistration, ExamSession

#: How far (in days) a session of the new establishment may be from the one a transferred
#: learner was registered in.
FOLLOW_WINDOW = timedelta(days=14)


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
@journal.emits(journal.Kind.EXAM_SESSION_SAVED, lambda session, _: session)
def create_session(
    establishment: Establishment,
    *,
    starts_at: datetime,
    room: str,
    invigilator: str,
    units: Iterable[TeachingUnit],
    duration_minutes: int = 180,
    by: Actor = None,
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
        created_by=acting_user(by),
    )
    session.units.set(units)
    year = academic_year_of(timezone.localtime(starts_at).date())
    ExamRegistration.objects.bulk_create(
        ExamRegistration(session=session, enrolment=enrolment)
        for enrolment in candidates(establishment, units, year)
    )
    return session


def is_past(session: ExamSession, today: date | None = None) -> bool:
    """The session's day is over: it can no longer be changed, only its attendance recorded."""
    return timezone.localtime(session.starts_at).date() < (today or timezone.localdate())


def has_started(session: ExamSession, now: datetime | None = None) -> bool:
    """The session began: attendance can be recorded."""
    return session.starts_at <= (now or timezone.now())


PAST_SESSION = (
    "Cette session a eu lieu le {day:%d/%m/%Y} : elle ne peut plus être modifiée (ni sa date, "
    "ni sa salle, ni ses UE, ni ses candidats, ni leurs aménagements). Seule la présence des "
    "candidats peut encore être enregistrée."
)


def ensure_open(session: ExamSession) -> None:
    """Refuse a change to a session whose day is over."""
    if is_past(session):
        raise ValidationError(PAST_SESSION.format(day=timezone.localtime(session.starts_at).date()))


def session_units(establishment: Establishment, session: ExamSession | None = None) -> Any:
    """The UEs a session of the establishment may cover: those in which a learner detained there
    has a pending enrolment, and those the session already covers."""
    pending = Enrolment.objects.filter(
        result=Result.PENDING, learner__establishment=establishment, learner__status=Status.PLACED
    ).values("unit_id")
    condition = Q(pk__in=pending)
    if session is not None and session.pk:
        condition |= Q(exam_sessions=session)
    return TeachingUnit.objects.filter(condition).distinct().order_by("code")


@transaction.atomic
@journal.emits(
    journal.Kind.EXAM_SESSION_SAVED,
    lambda _, a: a["session"],
    lambda counts, _: {"added": counts[0], "removed": counts[1]},
)
def update_session(
    session: ExamSession,
    *,
    starts_at: datetime,
    room: str,
    invigilator: str,
    units: Iterable[TeachingUnit],
    duration_minutes: int,
) -> tuple[int, int]:
    """Change a session that has not taken place. A UE added registers its candidates (as at the
    creation); a UE removed takes its registrations away. Returns (added, removed)."""
    session = ExamSession.objects.select_for_update().get(pk=session.pk)
    ensure_open(session)
    units = list(units)
    if not units:
        raise ValidationError({"units": "Choisissez au moins une UE."})
    new_day = timezone.localtime(starts_at).date()
    if new_day < timezone.localdate():
        raise ValidationError({"starts_at": "La nouvelle date est déjà passée."})
    year = academic_year_of(timezone.localtime(session.starts_at).date())
    new_year = academic_year_of(new_day)
    if new_year != year and session.registrations.exists():
        raise ValidationError(
            {
                "starts_at": f"Cette date est dans l'année universitaire {new_year}, et les "
                f"candidats sont inscrits pour {year} : créez plutôt une nouvelle session."
            }
        )
    before = set(session.units.values_list("pk", flat=True))
    after = {unit.pk for unit in units}
    session.starts_at = starts_at
    session.room = room.strip()
    session.invigilator = invigilator.strip()
    session.duration_minutes = duration_minutes
    session.save(update_fields=["starts_at", "room", "invigilator", "duration_minutes"])
    session.units.set(units)
    removed, _ = ExamRegistration.objects.filter(
        session=session, enrolment__unit_id__in=before - after
    ).delete()
    added = [u for u in units if u.pk not in before]
    already = set(
        ExamRegistration.objects.filter(session=session).values_list("enrolment_id", flat=True)
    )
    created = ExamRegistration.objects.bulk_create(
        ExamRegistration(session=session, enrolment=enrolment)
        for enrolment in candidates(session.establishment, added, new_year)
        if enrolment.pk not in already
    )
    return len(created), removed


def addable_enrolments(session: ExamSession) -> Any:
    """The enrolments that may join the session: pending, of its academic year, in one of its
    UEs, of a learner detained in its establishment, and not registered yet."""
    year = academic_year_of(timezone.localtime(session.starts_at).date())
    return (
        candidates(session.establishment, session.units.all(), year)
        .exclude(exam_registrations__session=session)
        .order_by("learner__last_name", "learner__first_name", "unit__code")
    )


@transaction.atomic
@journal.emits(journal.Kind.EXAM_CANDIDATES_ADDED, lambda registrations, _: registrations)
def add_candidates(session: ExamSession, enrolments: Iterable[Enrolment]) -> list[ExamRegistration]:
    """Register enrolments after the creation (a learner enrolled or arrived since)."""
    ensure_open(session)
    enrolments = list(enrolments)
    if not enrolments:
        raise ValidationError({"enrolments": "Choisissez au moins un candidat à ajouter."})
    allowed = set(addable_enrolments(session).values_list("pk", flat=True))
    refused = [e for e in enrolments if e.pk not in allowed]
    if refused:
        raise ValidationError(
            {
                "enrolments": "Ces inscriptions ne peuvent pas rejoindre la session (déjà "
                "inscrites, d'une autre UE ou d'une autre année, ou d'un apprenant qui n'est "
                "pas dans l'établissement) : "
                + ", ".join(f"{e.learner.full_name} ({e.unit.code})" for e in refused)
            }
        )
    return ExamRegistration.objects.bulk_create(
        ExamRegistration(session=session, enrolment=enrolment) for enrolment in enrolments
    )


@transaction.atomic
def remove_candidate(registration: ExamRegistration) -> None:
    """Take a registration out of a session that has not taken place."""
    ensure_open(registration.session)
    journal.record(
        journal.Kind.EXAM_CANDIDATE_REMOVED,
        registration,
        payload={"id": registration.pk, "session": registration.session_id},
    )
    registration.delete()


@transaction.atomic
@journal.emits(
    journal.Kind.EXAM_PRESENCE_RECORDED,
    lambda _, a: a["session"],
    lambda changed, _: {"changed": changed},
)
def record_presence(session: ExamSession, presence: dict[int, bool | None]) -> int:
    """Record who sat the exams (registration id → present, absent, or unknown), once the
    session has begun; allowed after its day. Returns the number of registrations changed."""
    if not has_started(session):
        raise ValidationError(
            "La présence s'enregistre une fois la session commencée "
            f"(le {timezone.localtime(session.starts_at):%d/%m/%Y à %H:%M})."
        )
    changed = 0
    for registration in ExamRegistration.objects.select_for_update().filter(
        session=session, pk__in=list(presence)
    ):
        value = presence[registration.pk]
        if registration.present != value:
            registration.present = value
            registration.save(update_fields=["present"])
            changed += 1
    return changed


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
@journal.emits(journal.Kind.EXAM_ACCOMMODATION_SAVED, lambda registration, _: registration)
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
