"""Changes to the Émergence cohorts: sessions, attendance, participants and their outcomes.

The views check who may make them (`permissions.py`); these functions check the rules of the
programme and raise a `ValidationError` in French when one is broken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from tremplin.core import journal
from tremplin.learners.models import Kind, Learner, Status
from tremplin.places.models import Establishment

from .models import Attendance, Cohort, Participant, Session


@transaction.atomic
@journal.emits(journal.Kind.EMERGENCE_SESSION_SAVED, lambda session, _: session)
def save_session(
    cohort: Cohort,
    *,
    on: date,
    modality: str,
    topic: str,
    facilitator: str = "",
    session: Session | None = None,
) -> Session:
    """Create a session of the cohort, or change `session`; its date falls within the cohort's
    academic year."""
    if session is None:
        session = Session(cohort=cohort)
    elif session.cohort_id != cohort.pk:
        raise ValidationError("Cette séance appartient à une autre cohorte.")
    elif on > date.today() and session.attendances.exists():
        raise ValidationError(
            {
                "date": "L'émargement de cette séance est saisi : elle ne peut pas passer dans le futur."
            }
        )
    session.date = on
    session.modality = modality
    session.topic = topic.strip()
    session.facilitator = facilitator.strip()
    session.full_clean()
    session.save()
    return session


@dataclass(frozen=True)
class AttendanceEntry:
    participant_id: int
    present: bool
    note: str = ""


@dataclass(frozen=True)
class AttendanceSummary:
    present: int
    total: int
    changed: int


@transaction.atomic
@journal.emits(
    journal.Kind.EMERGENCE_ATTENDANCE_RECORDED,
    lambda _, a: a["session"],
    lambda summary, _: {"present": summary.present, "total": summary.total},
)
def record_attendance(
    session: Session, entries: Sequence[AttendanceEntry], *, today: date | None = None
) -> AttendanceSummary:
    """Record who attended the session: one line per participant of the cohort, created or
    updated (never twice: one attendance per session and participant)."""
    today = today or date.today()
    if session.date > today:
        raise ValidationError(
            "L'émargement se saisit une fois la séance tenue : cette séance est prévue le "
            f"{session.date:%d/%m/%Y}."
        )
    members = set(session.cohort.participants.values_list("pk", flat=True))
    seen: set[int] = set()
    for entry in entries:
        if entry.participant_id not in members:
            raise ValidationError("Une des personnes ne fait pas partie de la cohorte.")
        if entry.participant_id in seen:
            raise ValidationError("Une personne figure deux fois dans l'émargement.")
        seen.add(entry.participant_id)
    existing = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    to_create: list[Attendance] = []
    to_update: list[Attendance] = []
    for entry in entries:
        note = entry.note.strip()
        current = existing.get(entry.participant_id)
        if current is None:
            row = Attendance(
                session=session,
                participant_id=entry.participant_id,
                present=entry.present,
                note=note,
            )
            row.full_clean(exclude=["session", "participant"], validate_constraints=False)
            to_create.append(row)
        elif (current.present, current.note) != (entry.present, note):
            current.present, current.note = entry.present, note
            current.full_clean(exclude=["session", "participant"], validate_constraints=False)
            to_update.append(current)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["present", "note"])
    return AttendanceSummary(
        present=sum(1 for entry in entries if entry.present),
        total=len(entries),
        changed=len(to_create) + len(to_update),
    )


@transaction.atomic
@journal.emits(journal.Kind.EMERGENCE_PARTICIPANT_ADDED, lambda participant, _: participant)
def add_participant(cohort: Cohort, learner: Learner) -> Participant:
    """Enrol a learner detained at the cohort's establishment in the cohort."""
    if learner.kind != Kind.DETAINED or learner.status != Status.PLACED:
        raise ValidationError(
            {"learner": "Seule une personne détenue actuellement peut rejoindre une cohorte."}
        )
    if learner.establishment_id != cohort.establishment_id:
        raise ValidationError(
            {
                "learner": (
                    f"{learner.full_name} n'est pas détenu(e) à {cohort.establishment.label}, "
                    "l'établissement de la cohorte."
                )
            }
        )
    if Participant.objects.filter(cohort=cohort, learner=learner).exists():
        raise ValidationError({"learner": f"{learner.full_name} participe déjà à cette cohorte."})
    return Participant.objects.create(cohort=cohort, learner=learner)


@transaction.atomic
@journal.emits(journal.Kind.EMERGENCE_OUTCOMES_RECORDED, lambda participant, _: participant)
def record_outcomes(
    participant: Participant,
    *,
    project_presented: bool,
    business_plan_written: bool,
    continued_after_release: bool,
) -> Participant:
    """The participant's outcomes; a project is continued after release only once released."""
    if continued_after_release and participant.learner.status != Status.RELEASED:
        raise ValidationError(
            {
                "continued_after_release": (
                    "Le projet ne peut être poursuivi après la sortie que pour une personne "
                    "libérée : enregistrez d'abord sa libération."
                )
            }
        )
    participant.project_presented = project_presented
    participant.business_plan_written = business_plan_written
    participant.continued_after_release = continued_after_release
    participant.save(
        update_fields=["project_presented", "business_plan_written", "continued_after_release"]
    )
    return participant


@transaction.atomic
def ensure_cohort(
    establishment: Establishment, academic_year: str, *, start_date: date, facilitator: str
) -> tuple[Cohort, bool]:
    """The cohort of the establishment and year, created with these when it is missing (the
    demo's cohorts). Returns it and whether it was created."""
    cohort, created = Cohort.objects.get_or_create(
        establishment=establishment,
        academic_year=academic_year,
        defaults={"start_date": start_date, "facilitator": facilitator},
    )
    if created:
        journal.record(journal.Kind.EMERGENCE_COHORT_CREATED, cohort)
    return cohort, created


@transaction.atomic
def insert_history(
    participants: Sequence[Participant] = (),
    sessions: Sequence[Session] = (),
    attendances: Sequence[Attendance] = (),
) -> None:
    """The bulk variant for a history written after the fact (the demo's): participants,
    sessions (checked as the form checks them) and attendance lines; their events recorded
    without consequences."""
    for session in sessions:
        session.full_clean(exclude=["cohort"])
    participants, sessions = list(participants), list(sessions)
    attendances = list(attendances)
    Participant.objects.bulk_create(participants)
    Session.objects.bulk_create(sessions)
    Attendance.objects.bulk_create(attendances, batch_size=500)
    journal.record_many(journal.Kind.EMERGENCE_PARTICIPANT_ADDED, participants, consequences=False)
    journal.record_many(journal.Kind.EMERGENCE_SESSION_SAVED, sessions, consequences=False)
    journal.record_many(journal.Kind.EMERGENCE_ATTENDANCE_RECORDED, attendances, consequences=False)
