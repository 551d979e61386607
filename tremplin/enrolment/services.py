"""Writes on applications and enrolments. The allowed moves of an application are data
(TRANSITIONS: which method, which roles, what it needs); anything else is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.core import journal
from tremplin.core.actions import REFUSALS, Action, can
from tremplin.core.csvimport import found_again, insert_dated, save_objects
from tremplin.core.permissions import Actor, UserLike
from tremplin.core.pipeline import Move, Pipeline, advance, history
from tremplin.core.roles import Role
from tremplin.core.rows import fast_insert
from tremplin.learners.models import Learner, Status

from .models import (
    PASS_MARK,
    AbandonReason,
    Application,
    ApplicationStep,
    Enrolment,
    Result,
)

COORDINATORS = frozenset({Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR})
S = Application.Status
TRANSITIONS: dict[str, Move] = {
    move.name: move
    for move in (
        Move("review", "Donner l'avis du RLE", S.REVIEWED, frozenset({Role.RLE}) | COORDINATORS),
        Move("validate", "Valider le parcours pédagogique", S.VALIDATED, COORDINATORS),
        Move("enrol", "Inscrire aux UE", S.ENROLLED, COORDINATORS | {Role.REFERENT}),
        Move("refuse", "Refuser", S.REFUSED, COORDINATORS, needs_reason=True),
        Move(
            "withdraw",
            "Retirer la candidature",
            S.WITHDRAWN,
            COORDINATORS | {Role.REFERENT, Role.RLE},
            needs_reason=True,
        ),
    )
}


PIPELINE = Pipeline(
    Application, TRANSITIONS, "Cette candidature", history(ApplicationStep, "application")
)


def allowed_moves(application: Application, user: Any) -> list[Move]:
    """The moves this user may make now, in the order of TRANSITIONS."""
    return PIPELINE.available(application, user)


@transaction.atomic
@journal.emits(journal.Kind.APPLICATION_SUBMITTED, lambda application, _: application)
def submit(
    learner: Learner,
    *,
    academic_year: str,
    formation: Formation | None,
    unit_codes: Sequence[str],
    funding: str,
    motivation: str = "",
    by: Actor,
) -> Application:
    if learner.status == Status.RELEASED:
        raise ValidationError("Cette personne est libérée : orientez-la vers un centre Cnam.")
    units = list(TeachingUnit.objects.filter(code__in=unit_codes))
    unknown = sorted(set(unit_codes) - {u.code for u in units})
    if unknown:
        raise ValidationError({"units": f"UE inconnue(s) : {', '.join(unknown)}."})
    if not units and formation is None:
        raise ValidationError("Indiquez une formation ou au moins une UE.")
    taken = dict(
        Enrolment.objects.filter(
            learner=learner, unit__in=units, result__in=[Result.VALIDATED, Result.PENDING]
        ).values_list("unit__code", "result")
    )
    if taken:
        done = sorted(c for c, r in taken.items() if r == Result.VALIDATED)
        running = sorted(c for c, r in taken.items() if r == Result.PENDING)
        parts = ([f"déjà validée(s) : {', '.join(done)}"] if done else []) + (
            [f"déjà en cours : {', '.join(running)}"] if running else []
        )
        raise ValidationError({"units": "UE " + " ; ".join(parts) + "."})
    application = Application(
        learner=learner,
        academic_year=academic_year,
        formation=formation,
        funding=funding,
        motivation=motivation,
        created_by=acting_user(by),
    )
    application.full_clean(exclude=["units", "status"])
    application.save()
    application.units.set(units)
    ApplicationStep.objects.create(
        application=application, to_status=application.status, by=acting_user(by)
    )
    return application


@transaction.atomic
@journal.emits(
    journal.Kind.APPLICATION_STATUS_CHANGED,
    lambda application, _: application,
    lambda application, a: {"move": a["name"], "to_status": application.status},
)
def move(
    application: Application,
    name: str,
    *,
    by: Actor,
    reason: str = "",
    opinion: str = "",
    version: int | None = None,
) -> Application:
    """Make one move of the application's pipeline, as `by`; record who and when."""
    spec = TRANSITIONS.get(name)

    def prepare(current: Application) -> list[str]:
        if spec is not None and spec.needs_reason and not reason.strip():
            raise ValidationError({"reason": "Indiquez le motif."})
        if name == "review":
            if opinion not in Application.Opinion.values:
                raise ValidationError({"opinion": "Choisissez un avis."})
            current.rle_opinion = opinion
            current.rle_comment = reason
            return ["rle_opinion", "rle_comment"]
        return _with_reason(current, reason) if name in ("refuse", "withdraw") else []

    current, _ = advance(
        PIPELINE, application, name, by=by, version=version, note=reason, prepare=prepare
    )
    if name == "enrol":
        _enrol(current)
    return current


#: The applications still under way (a decision or an enrolment to come).
UNDER_WAY = (
    Application.Status.SUBMITTED,
    Application.Status.REVIEWED,
    Application.Status.VALIDATED,
)
RELEASE_REASON = "libération"


def close_on_release(learners: Sequence[Learner], *, by: Actor) -> list[Application]:
    """A consequence of a release (docs/lifecycle.md): the learners' applications under way are
    withdrawn with the reason « libération » (the hand-over to a Cnam centre takes them on).
    Not a user's move: no role check, the release itself was checked."""
    closed = []
    for application in Application.objects.filter(learner__in=learners, status__in=UNDER_WAY):
        current, _ = advance(
            PIPELINE,
            application,
            "withdraw",
            by=by,
            note=RELEASE_REASON,
            prepare=lambda a: _with_reason(a, RELEASE_REASON),
            consequence=True,
        )
        closed.append(current)
    return closed


def _with_reason(application: Application, reason: str) -> list[str]:
    application.reason = reason
    return ["reason"]


def _enrol(application: Application) -> list[Enrolment]:
    learner = application.learner
    if learner.status != Status.PLACED and learner.kind == "detained":
        raise ValidationError("La personne n'est plus en détention : inscription impossible.")
    units = list(application.units.all())
    if not units and application.formation_id:
        formation = application.formation
        assert formation is not None
        units = list(formation.mandatory_units.all())
    if not units:
        raise ValidationError("La candidature ne nomme aucune UE à laquelle inscrire.")
    # Never enrol again in a UE already validated (any year) or already in progress this year.
    already = set(
        Enrolment.objects.filter(learner=learner, unit__in=units)
        .filter(Q(result=Result.VALIDATED) | Q(academic_year=application.academic_year))
        .values_list("unit_id", flat=True)
    )
    created = [
        Enrolment(
            learner=learner,
            academic_year=application.academic_year,
            unit=unit,
            establishment_id=learner.establishment_id,
            application=application,
            funding=application.funding,
        )
        for unit in units
        if unit.pk not in already
    ]
    return Enrolment.objects.bulk_create(created)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ResultEntry:
    enrolment_id: int
    result: str
    grade: Decimal | None
    abandon_reason: str = ""
    version: int | None = None


#: Computed once: an enum's `values` is rebuilt at every access (the import checks every row).
RESULT_VALUES = frozenset(Result.values)
ABANDON_REASONS = frozenset(AbandonReason.values)


def check_result(entry: ResultEntry) -> str | None:
    """Why this result cannot be recorded, in French; None when it is consistent."""
    if entry.result not in RESULT_VALUES:
        return "résultat inconnu."
    if entry.grade is not None and not (Decimal(0) <= entry.grade <= Decimal(20)):
        return "la note est sur 20 (entre 0 et 20)."
    if entry.result == Result.VALIDATED and (entry.grade is None or entry.grade < PASS_MARK):
        return "une UE validée a une note d'au moins 10/20."
    if entry.result == Result.FAILED and entry.grade is not None and entry.grade >= PASS_MARK:
        return "une note d'au moins 10/20 valide l'UE."
    if entry.result in (Result.ABSENT, Result.ABANDONED, Result.CANCELLED, Result.PENDING) and (
        entry.grade is not None
    ):
        return "pas de note pour ce résultat."
    if entry.result == Result.ABANDONED and entry.abandon_reason not in ABANDON_REASONS:
        return "indiquez le motif de l'abandon (transfert, libération, autre)."
    return None


@transaction.atomic
def record_results(entries: Sequence[ResultEntry], *, by: UserLike) -> int:
    """Record a grid of results: all or nothing; a row changed meanwhile by someone else is refused."""
    from .models import Enrolment as EnrolmentModel

    rows = {
        e.pk: e
        for e in EnrolmentModel.permissions.readable(
            by,
            # Only the enrolments are locked: a scope's filter may join nullable relations.
            EnrolmentModel.objects.select_for_update(of=("self",)).filter(
                pk__in=[x.enrolment_id for x in entries]
            ),
        )
    }
    errors: list[str] = []
    changed: list[Enrolment] = []
    for entry in entries:
        enrolment = rows.get(entry.enrolment_id)
        if enrolment is None:
            errors.append(f"Inscription {entry.enrolment_id} : introuvable.")
            continue
        problem = check_result(entry)
        if not can(by, Action.ENTER_RESULTS, enrolment):
            problem = REFUSALS[Action.ENTER_RESULTS] + "."
        if problem:
            errors.append(f"{enrolment.learner} : {problem}")
            continue
        if entry.version is not None and enrolment.version != entry.version:
            errors.append(
                f"{enrolment.learner} : résultat modifié entre-temps par quelqu'un d'autre, "
                "rechargez la grille."
            )
            continue
        reason = entry.abandon_reason if entry.result == Result.ABANDONED else ""
        if (enrolment.result, enrolment.grade, enrolment.abandon_reason) == (
            entry.result,
            entry.grade,
            reason,
        ):
            continue
        enrolment.result, enrolment.grade, enrolment.abandon_reason = (
            entry.result,
            entry.grade,
            reason,
        )
        enrolment.result_by = acting_user(by)
        enrolment.result_at = timezone.now()
        enrolment.version += 1
        enrolment.save(
            update_fields=["result", "grade", "abandon_reason", "result_by", "result_at", "version"]
        )
        changed.append(enrolment)
    if errors:
        raise ValidationError(errors)
    results_recorded(changed, by=by)
    return len(changed)


def results_recorded(enrolments: Sequence[Enrolment], *, by: Actor) -> None:
    """The journal's events for results just written (the grid, the import, the API): their
    consequences follow (docs/lifecycle.md)."""
    journal.record_many(
        journal.Kind.RESULT_RECORDED,
        enrolments,
        actor=by,
        payloads=[
            {
                "enrolment": e.pk,
                "learner": e.learner_id,
                "unit": e.unit_id,
                "academic_year": e.academic_year,
                "result": e.result,
                "grade": e.grade,
            }
            for e in enrolments
        ],
    )


def save_enrolments(
    to_create: list[Enrolment], to_update: list[Enrolment], fields: list[str], *, by: Actor
) -> None:
    """The bulk variant for the enrolments import (rows already checked by the same rules as the
    grid: `check_result`, the action matrix): new rows through the database's bulk path,
    changed ones with a new version (a results grid opened before the import must not overwrite
    them unnoticed), then the results' journal events and their consequences."""
    fast_insert(Enrolment, to_create)
    if to_update:
        now = timezone.now()
        for enrolment in to_update:
            enrolment.version += 1
            enrolment.result_at = now
            enrolment.result_by = acting_user(by)
        fields = sorted({*fields, "version", "result_at", "result_by"})
    save_objects(Enrolment, [], to_update, fields)
    # The rows inserted through the bulk path come back without their ids.
    inserted = found_again(Enrolment, to_create, ("learner_id", "academic_year", "unit_id"))
    journal.record_many(
        journal.Kind.ENROLMENT_CREATED,
        inserted,
        actor=by,
        payloads=[{"id": e.pk, "academic_year": e.academic_year} for e in inserted],
    )
    graded = {"result", "grade"} & set(fields)
    results = [e for e in to_update if graded] + [e for e in inserted if e.result != Result.PENDING]
    results_recorded(results, by=by)


#: A step of a history: (from status, to status, by, note, when).
StepSpec = tuple[str, str, Actor, str, datetime]


@transaction.atomic
def insert_applications_history(
    applications: list[Application],
    unit_ids: Sequence[Sequence[int]],
    steps: Sequence[Sequence[StepSpec]],
) -> list[Application]:
    """The bulk variant for a history written after the fact (the demo's): applications with
    their UEs and their steps, with their own dates; their events recorded without
    consequences (those are in the history)."""
    insert_dated(Application, applications, ("created_at",))
    through = Application.units.through
    through.objects.bulk_create(
        [
            through(application_id=application.pk, teachingunit_id=unit_id)
            for application, ids in zip(applications, unit_ids, strict=True)
            for unit_id in ids
        ]
    )
    rows = [
        ApplicationStep(
            application=application,
            from_status=before,
            to_status=after,
            by=acting_user(by),
            note=note,
            at=at,
        )
        for application, specs in zip(applications, steps, strict=True)
        for before, after, by, note, at in specs
    ]
    insert_dated(ApplicationStep, rows, ("at",))
    journal.record_many(journal.Kind.APPLICATION_SUBMITTED, applications, consequences=False)
    moves = [row for row in rows if row.from_status]
    journal.record_many(
        journal.Kind.APPLICATION_STATUS_CHANGED,
        [row.application for row in moves],
        payloads=[{"to_status": row.to_status, "at": row.at} for row in moves],
        consequences=False,
    )
    return applications


@transaction.atomic
def insert_enrolments_history(enrolments: list[Enrolment]) -> list[Enrolment]:
    """The enrolments of a history, their results with them; events without consequences."""
    insert_dated(Enrolment, enrolments)
    journal.record_many(
        journal.Kind.ENROLMENT_CREATED,
        enrolments,
        payloads=[{"id": e.pk, "academic_year": e.academic_year} for e in enrolments],
        consequences=False,
    )
    graded = [e for e in enrolments if e.result != Result.PENDING]
    journal.record_many(
        journal.Kind.RESULT_RECORDED,
        graded,
        payloads=[{"result": e.result, "grade": e.grade} for e in graded],
        consequences=False,
    )
    return enrolments
