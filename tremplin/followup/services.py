from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from tremplin.accounts.models import acting_user
from tremplin.core import journal
from tremplin.core.csvimport import found_again, insert_dated, save_objects
from tremplin.core.permissions import Actor
from tremplin.core.rows import fast_insert
from tremplin.learners.models import Learner

from .models import Interview


@transaction.atomic
@journal.emits(journal.Kind.INTERVIEW_RECORDED, lambda interview, _: interview)
def record_interview(
    learner: Learner,
    *,
    on: date,
    kind: str,
    by: Actor,
    duration_minutes: int | None = None,
    notes: str = "",
    next_steps: str = "",
) -> Interview:
    if on > date.today():
        raise ValidationError(
            {"date": "Un entretien se saisit une fois mené : pas de date future."}
        )
    if learner.birth_date and on < learner.birth_date:
        raise ValidationError({"date": "La date précède la naissance de la personne."})
    interview = Interview(
        learner=learner,
        date=on,
        kind=kind,
        referent=acting_user(by),
        duration_minutes=duration_minutes,
        notes=notes,
        next_steps=next_steps,
    )
    interview.full_clean()
    interview.save()
    return interview


def save_interviews(
    to_create: list[Interview], to_update: list[Interview], fields: list[str]
) -> None:
    """The bulk variant for the interviews import (rows checked by the importer with the same
    rules as the form: authorship, dates): new rows through the database's bulk path."""
    fast_insert(Interview, to_create)
    save_objects(Interview, [], to_update, fields)
    # The rows inserted through the bulk path come back without their ids.
    inserted = found_again(Interview, to_create, ("learner_id", "date", "kind"))
    journal.record_many(journal.Kind.INTERVIEW_RECORDED, [*inserted, *to_update])


@transaction.atomic
def insert_interviews_history(interviews: list[Interview]) -> list[Interview]:
    """The interviews of a history written after the fact (the demo's), with their own dates;
    their events without consequences."""
    insert_dated(Interview, interviews, ("created_at",))
    journal.record_many(journal.Kind.INTERVIEW_RECORDED, interviews, consequences=False)
    return interviews
