"""The lifecycle consequences, declared once: what each domain event implies, applied by
subscribers of the event journal in the transaction of the change, whatever its origin (a form,
an import, the API, the establishment copy). Documented in docs/lifecycle.md.

Some consequences need no write: the lists follow the learner's state (material waiting to be
handed out is listed at the learner's current establishment, and never for a released learner);
they are declared here too, with `apply=None`, so that the table is complete."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from tremplin.core import journal
from tremplin.core.models import DomainEvent
from tremplin.enrolment.certifications import detect_certifications, detect_for_learners
from tremplin.enrolment.models import Enrolment, Result
from tremplin.enrolment.services import close_on_release
from tremplin.learners.models import Learner, Placement

from .exams import follow_transfer
from .models import ExamRegistration
from .services import hand_over, has_training_in_progress

Kind = journal.Kind
Apply = Callable[[list[DomainEvent], list[Any]], None]


@dataclass(frozen=True)
class Consequence:
    event: Kind
    what: str
    apply: Apply | None


def _actor(event: DomainEvent) -> Any:
    return event.actor if event.actor_id is not None else None


def exams_follow_transfer(events: list[DomainEvent], learners: list[Learner]) -> None:
    for event, learner in zip(events, learners, strict=True):
        follow_transfer(learner, on=date.fromisoformat(event.payload["on"]))


def hand_over_training(events: list[DomainEvent], learners: list[Learner]) -> None:
    for event, learner in zip(events, learners, strict=True):
        placement = Placement.objects.get(pk=event.payload["placement"])
        if has_training_in_progress(learner):
            hand_over(placement, by=_actor(event))


def withdraw_from_future_sessions(events: list[DomainEvent], learners: list[Learner]) -> None:
    for event, learner in zip(events, learners, strict=True):
        released_on = date.fromisoformat(event.payload["released_on"])
        ExamRegistration.objects.filter(
            enrolment__learner=learner,
            session__starts_at__date__gte=max(released_on, timezone.localdate()),
        ).delete()


def close_applications(events: list[DomainEvent], learners: list[Learner]) -> None:
    for event, learner in zip(events, learners, strict=True):
        close_on_release([learner], by=_actor(event))


def look_for_certifications(events: list[DomainEvent], learners: list[Learner]) -> None:
    for event, learner in zip(events, learners, strict=True):
        detect_certifications(learner, by=_actor(event))


def leave_later_sessions_of_the_ue(events: list[DomainEvent], enrolments: list[Any]) -> None:
    validated = [e.pk for e in enrolments if e.result == Result.VALIDATED]
    if validated:
        ExamRegistration.objects.filter(
            enrolment__in=Enrolment.objects.filter(pk__in=validated),
            session__starts_at__gt=timezone.now(),
        ).delete()


def propose_certifications(events: list[DomainEvent], enrolments: list[Any]) -> None:
    """A validated UE may complete a formation: the rules engine runs for its learners, once
    per author of the results (their name goes in the certification's history)."""
    learners: dict[int | None, set[int]] = {}
    authors: dict[int | None, DomainEvent] = {}
    for event, enrolment in zip(events, enrolments, strict=True):
        if enrolment.result == Result.VALIDATED:
            learners.setdefault(event.actor_id, set()).add(enrolment.learner_id)
            authors.setdefault(event.actor_id, event)
    for actor_id, ids in learners.items():
        detect_for_learners(ids, by=_actor(authors[actor_id]))


LIFECYCLE: tuple[Consequence, ...] = (
    Consequence(
        Kind.LEARNER_TRANSFERRED,
        "Les inscriptions aux sessions d'examens à venir passent à une session du nouvel "
        "établissement à 14 jours au plus, ou sont signalées (session à organiser).",
        exams_follow_transfer,
    ),
    Consequence(
        Kind.LEARNER_TRANSFERRED,
        "Les supports en attente de remise suivent la personne : listés au nouvel "
        "établissement, marqués « suit un transfert ».",
        None,
    ),
    Consequence(
        Kind.LEARNER_RELEASED,
        "Si une formation est en cours, la personne est confiée au centre Cnam le plus proche de "
        "sa commune de sortie (reprise de formation, événement handover.created).",
        hand_over_training,
    ),
    Consequence(
        Kind.LEARNER_RELEASED,
        "La personne est retirée des sessions d'examens à venir (liste d'émargement et "
        "convocations).",
        withdraw_from_future_sessions,
    ),
    Consequence(
        Kind.LEARNER_RELEASED,
        "Ses candidatures en cours sont retirées avec le motif « libération ».",
        close_applications,
    ),
    Consequence(
        Kind.LEARNER_RELEASED,
        "Les supports en attente ne sont plus à remettre ni à envoyer.",
        None,
    ),
    Consequence(
        Kind.RESULT_RECORDED,
        "Une UE validée retire le candidat des sessions d'examens ultérieures de cette UE.",
        leave_later_sessions_of_the_ue,
    ),
    Consequence(
        Kind.RESULT_RECORDED,
        "Une UE validée peut compléter une formation : la certification est proposée à la "
        "coordination.",
        propose_certifications,
    ),
    Consequence(
        Kind.LEARNER_MERGED,
        "Les UE des deux dossiers comptent ensemble : les certifications dont les conditions "
        "sont remplies sont proposées sur le dossier conservé.",
        look_for_certifications,
    ),
)


def consequences_of(kind: Kind) -> Sequence[Consequence]:
    return [c for c in LIFECYCLE if c.event == kind]


def register() -> None:
    for consequence in LIFECYCLE:
        if consequence.apply is not None:
            journal.subscribe(consequence.event, consequence.apply)
