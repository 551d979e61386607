"""Writes on learners: their record and their path (arrival, transfer, release)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import ModelForm

from tremplin.accounts.models import acting_user
from tremplin.core import journal
from tremplin.core.csvimport import insert_dated, save_objects
from tremplin.core.permissions import Actor
from tremplin.places.models import Commune, Establishment

from . import identity
from .models import Kind, Learner, Placement, Status

#: The status of a new file, by kind (the import's; the form's create_learner says the same).
INITIAL_STATUS: dict[str, str] = {Kind.DETAINED: Status.PLACED, Kind.YOUTH: Status.FOLLOWED}


@transaction.atomic
@journal.emits(
    journal.Kind.LEARNER_CREATED,
    lambda learner, _: learner,
    lambda created, _: {"kind": created.kind},
)
def create_learner(
    *,
    by: Actor,
    placed_on: date | None = None,
    numero_ecrou: str = "",
    other_person: bool = False,
    **fields: Any,
) -> Learner:
    """Create a learner; a detained learner gets an arrival at their establishment (with its
    numéro d'écrou when known). A person who may already have a file (same names, however
    written, and birth date) is refused with `PossibleDuplicate` unless `other_person` says it
    is someone else; an empty reference is generated ("D26-0142")."""
    learner = Learner(**fields)
    if learner.kind == Kind.DETAINED and learner.mission_locale_id is not None:
        raise ValidationError({"mission_locale": "Une personne détenue n'a pas de mission locale."})
    if learner.kind == Kind.YOUTH and learner.establishment_id is not None:
        raise ValidationError({"establishment": "Un jeune n'est pas placé dans un établissement."})
    if learner.kind == Kind.DETAINED:
        if learner.establishment_id is None:
            raise ValidationError({"establishment": "Une personne détenue a un établissement."})
        learner.status = Status.PLACED
    elif learner.kind == Kind.YOUTH:
        if learner.mission_locale_id is None:
            raise ValidationError({"mission_locale": "Un jeune est suivi par une mission locale."})
        learner.status = Status.FOLLOWED
    else:
        learner.status = Status.OTHER
    if learner.last_name and learner.first_name and learner.birth_date:
        identity.check_new_person(
            learner.last_name, learner.first_name, learner.birth_date, other_person=other_person
        )
    learner.reference = learner.reference.strip()
    generated = not learner.reference
    for attempt in range(5):
        if generated:
            learner.reference = identity.new_reference(learner.kind, date.today())
        learner.full_clean()
        try:
            with transaction.atomic():
                learner.save()
            break
        except IntegrityError:
            # Another file took the same generated reference at the same instant: the next one.
            if not generated or attempt == 4:
                raise
    if learner.kind == Kind.DETAINED:
        Placement.objects.create(
            learner=learner,
            kind=Placement.Kind.ARRIVAL,
            date=placed_on or date.today(),
            establishment=learner.establishment,
            numero_ecrou=numero_ecrou.strip(),
            recorded_by=acting_user(by),
        )
    return learner


@transaction.atomic
def update_learner(form: ModelForm[Learner], *, by: Actor) -> Learner:
    """Save the record's validated form (identity, contact); the journal names the fields
    changed, never their values (nor the reference, which an erasure replaces)."""
    learner = form.save()
    if form.changed_data:
        journal.record(
            journal.Kind.LEARNER_UPDATED,
            learner,
            actor=by,
            payload={"fields": sorted(form.changed_data)},
        )
    return learner


def _last_date(learner: Learner) -> date | None:
    last = learner.placements.order_by("-date", "-id").first()
    return last.date if last else None


def _check_date(learner: Learner, on: date) -> None:
    last = _last_date(learner)
    if last is not None and on < last:
        raise ValidationError(
            {"date": f"La date précède la dernière étape du parcours ({last:%d/%m/%Y})."}
        )
    if on > date.today():
        raise ValidationError({"date": "La date ne peut pas être dans le futur."})


@transaction.atomic
def arrive(
    learner: Learner, *, at: Establishment, on: date, by: Actor, numero_ecrou: str = ""
) -> Placement:
    """A released learner back in detention (the movements import): an arrival at `at`; the
    path, enrolments and results stay theirs."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if learner.status == Status.PLACED:
        raise ValidationError("La personne est déjà en détention.")
    if learner.status != Status.RELEASED:
        raise ValidationError(
            "Seule une personne libérée revient en détention : créez le dossier d'une personne "
            "détenue."
        )
    _check_date(learner, on)
    placement = Placement.objects.create(
        learner=learner,
        kind=Placement.Kind.ARRIVAL,
        date=on,
        establishment=at,
        numero_ecrou=numero_ecrou.strip(),
        recorded_by=acting_user(by),
    )
    learner.status = Status.PLACED
    learner.establishment = at
    learner.save(update_fields=["status", "establishment", "updated_at"])
    journal.record(
        journal.Kind.LEARNER_ARRIVED,
        learner,
        actor=by,
        payload={"placement": placement.pk, "at": at.label, "on": on},
    )
    return placement


@transaction.atomic
def transfer(
    learner: Learner, *, to: Establishment, on: date, by: Actor, numero_ecrou: str = ""
) -> Placement:
    """Move a detained learner; every enrolment, result and interview stays with them. The form,
    the learners import and the movements import all call this (same consequences)."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if learner.status != Status.PLACED:
        raise ValidationError("Seule une personne en détention peut être transférée.")
    if learner.establishment_id == to.pk:
        raise ValidationError({"establishment": "La personne est déjà dans cet établissement."})
    _check_date(learner, on)
    placement = Placement.objects.create(
        learner=learner,
        kind=Placement.Kind.TRANSFER,
        date=on,
        establishment=to,
        numero_ecrou=numero_ecrou.strip(),
        recorded_by=acting_user(by),
    )
    former = learner.establishment
    learner.establishment = to
    learner.save(update_fields=["establishment", "updated_at"])
    # Its consequences (exam registrations, material): subscribers, see docs/lifecycle.md.
    journal.record(
        journal.Kind.LEARNER_TRANSFERRED,
        learner,
        actor=by,
        payload={
            "placement": placement.pk,
            "from": former.label if former is not None else None,
            "to": to.label,
            "on": on,
        },
    )
    return placement


@transaction.atomic
def release(learner: Learner, *, on: date, commune: Commune | None, by: Actor) -> Placement:
    """Record a release. The establishment stays as the last one, for the hand-over."""
    learner = Learner.objects.select_for_update().get(pk=learner.pk)
    if learner.status != Status.PLACED:
        raise ValidationError("Seule une personne en détention peut être libérée.")
    _check_date(learner, on)
    placement = Placement.objects.create(
        learner=learner,
        kind=Placement.Kind.RELEASE,
        date=on,
        establishment=learner.establishment,
        release_commune=commune,
        recorded_by=acting_user(by),
    )
    learner.status = Status.RELEASED
    learner.save(update_fields=["status", "updated_at"])
    # Its consequences (the hand-over to a Cnam centre, exam sessions, applications):
    # subscribers, see docs/lifecycle.md. A webhook event too (the hand-over joined to it).
    journal.record(
        journal.Kind.LEARNER_RELEASED,
        learner,
        actor=by,
        payload={
            "learner": learner.reference,
            "placement": placement.pk,
            "released_on": placement.date,
            "establishment": placement.establishment.label if placement.establishment else None,
            "release_commune": placement.release_commune_id,
        },
    )
    return placement


def save_learners(
    to_create: list[Learner],
    to_update: list[Learner],
    fields: list[str],
    *,
    establishments_before: Mapping[str, int | None],
    numeros_ecrou: Mapping[str, str],
    on: date,
    by: Actor,
) -> None:
    """The bulk variant for the learners import (rows checked by the importer with the form's
    rules: identity, duplicates, scope): new files with their arrival, changed ones in bulk. A
    changed establishment is a transfer, made by `transfer()` as on the form (its consequences
    follow), after the other fields are saved."""
    for learner in to_create:
        learner.status = INITIAL_STATUS.get(learner.kind, Status.OTHER)
    moves = {
        learner.pk: learner.establishment_id
        for learner in to_update
        if learner.establishment_id is not None
        and establishments_before.get(learner.reference) not in (None, learner.establishment_id)
    }
    for learner in to_update:
        if learner.pk in moves:
            learner.establishment_id = establishments_before[learner.reference]
    save_objects(Learner, to_create, to_update, fields)
    journal.record_many(
        journal.Kind.LEARNER_CREATED,
        to_create,
        actor=by,
        payloads=[{"id": learner.pk, "kind": learner.kind} for learner in to_create],
    )
    changed = [learner for learner in to_update if fields]
    journal.record_many(
        journal.Kind.LEARNER_UPDATED,
        changed,
        actor=by,
        payloads=[{"fields": sorted(fields)} for _ in changed],
    )
    Placement.objects.bulk_create(
        Placement(
            learner=learner,
            kind=Placement.Kind.ARRIVAL,
            date=on,
            establishment_id=learner.establishment_id,
            numero_ecrou=numeros_ecrou.get(learner.reference, ""),
            recorded_by=acting_user(by),
        )
        for learner in to_create
        if learner.establishment_id is not None
    )
    destinations = Establishment.objects.in_bulk(set(moves.values()))
    for learner in to_update:
        if learner.pk in moves:
            transfer(
                learner,
                to=destinations[moves[learner.pk]],
                on=on,
                by=by,
                numero_ecrou=numeros_ecrou.get(learner.reference, ""),
            )


#: The event of each kind of placement.
PLACEMENT_EVENTS = {
    Placement.Kind.ARRIVAL: journal.Kind.LEARNER_ARRIVED,
    Placement.Kind.TRANSFER: journal.Kind.LEARNER_TRANSFERRED,
    Placement.Kind.RELEASE: journal.Kind.LEARNER_RELEASED,
}


@transaction.atomic
def insert_learners_history(learners: list[Learner]) -> list[Learner]:
    """The bulk variant for a history written after the fact (the demo's): the files with their
    own dates; their events recorded without consequences (those are in the history)."""
    insert_dated(Learner, learners, ("created_at", "updated_at"))
    journal.record_many(
        journal.Kind.LEARNER_CREATED,
        learners,
        payloads=[{"id": learner.pk, "kind": learner.kind} for learner in learners],
        consequences=False,
    )
    return learners


@transaction.atomic
def insert_placements_history(placements: list[Placement]) -> list[Placement]:
    """The placements of a history (arrivals, transfers, releases) with their own dates, and
    their events, without consequences."""
    insert_dated(Placement, placements, ("recorded_at",))
    for kind, event in PLACEMENT_EVENTS.items():
        these = [p for p in placements if p.kind == kind]
        journal.record_many(
            event,
            [p.learner for p in these],
            payloads=[{"placement": p.pk, "on": p.date} for p in these],
            consequences=False,
        )
    return placements
