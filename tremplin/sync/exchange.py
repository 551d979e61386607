"""What travels between the centre and an establishment copy, and who decides what: one table,
read by the site file, the bundles, the conflict rules and docs/sync.md.

Each row names a model, the records of an establishment's scope (at the centre; a copy holds
only its scope), and what the establishment may decide: the fields it owns (a change from the
copy to another field is not taken, listed as a conflict), whether it may create or delete such
records, and the status moves it may make. Everything else is the centre's. Models come in an
order where a record's references come before it (applied in that order, deleted in reverse)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet

from tremplin.catalog.models import (
    ChoiceGroup,
    Edition,
    Formation,
    FormationOffer,
    Sector,
    TeachingUnit,
    UnitOffer,
)
from tremplin.delivery.models import Delivery, ExamRegistration, ExamSession, MaterialPackage
from tremplin.emergence.models import Attendance, Cohort, Participant, Session
from tremplin.enrolment.models import (
    Application,
    ApplicationStep,
    Certification,
    CertificationEvent,
    Enrolment,
)
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner, Placement, Status
from tremplin.places.models import Establishment

#: Every field of the model.
ALL = frozenset({"*"})
#: The ids of the records of one establishment's scope (at the centre).
Scope = Callable[[Establishment], QuerySet[Any]]
#: What the centre does after applying a copy's changes to these records (their consequences
#: that the copy may not decide): (records, changed fields by id).
AtCentre = Callable[[list[Any], Mapping[int, set[str]]], None]


@dataclass(frozen=True)
class Exchanged:
    model: type[models.Model]
    scope: Scope
    establishment_owns: frozenset[str] = frozenset()
    establishment_creates: bool = False
    establishment_deletes: bool = False
    #: field -> the (from, to) moves of that field the establishment may make.
    establishment_moves: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    #: Fields that do not travel: computed again on each side, or bumped on each write.
    local: frozenset[str] = frozenset()
    at_centre: AtCentre | None = None
    #: Computes the local fields of a record made from a bundle (before it is inserted).
    prepare: Callable[[Any], None] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def owned_by_establishment(self, name: str) -> bool:
        return "*" in self.establishment_owns or name in self.establishment_owns

    def may_move(self, name: str, before: Any, after: Any) -> bool:
        return (before, after) in self.establishment_moves.get(name, frozenset())


def _every(model: type[models.Model]) -> Scope:
    return lambda establishment: model._default_manager.all()


def learners(establishment: Establishment) -> QuerySet[Learner]:
    """The establishment's learners: those placed there now."""
    return Learner.objects.filter(establishment=establishment, status=Status.PLACED)


def _of_learners(model: type[models.Model]) -> Scope:
    return lambda e: model._default_manager.filter(learner__in=learners(e).values("pk"))


def _applications(e: Establishment) -> QuerySet[Application]:
    return Application.objects.filter(learner__in=learners(e).values("pk"))


def _enrolments(e: Establishment) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(learner__in=learners(e).values("pk"))


def _cohorts(e: Establishment) -> QuerySet[Cohort]:
    return Cohort.objects.filter(establishment=e)


def _sessions(e: Establishment) -> QuerySet[ExamSession]:
    return ExamSession.objects.filter(establishment=e)


def _results_at_centre(enrolments: list[Any], changed: Mapping[int, set[str]]) -> None:
    """Results recorded on the copy: their consequences at the centre (docs/lifecycle.md),
    among them the certifications' rules engine, which only the centre runs."""
    from tremplin.accounts.models import User
    from tremplin.enrolment.services import results_recorded

    results = [
        e
        for e in enrolments
        if changed[e.pk] & {"result", "grade", "abandon_reason"} and e.result != "pending"
    ]
    by_whom: dict[Any, list[Any]] = {}
    for enrolment in results:
        by_whom.setdefault(enrolment.result_by_id, []).append(enrolment)
    for who, theirs in by_whom.items():
        actor = User.objects.filter(pk=who).first() if who is not None else None
        results_recorded(theirs, by=actor)


A = Application.Status
TABLE: tuple[Exchanged, ...] = (
    # The catalogue: the centre's.
    Exchanged(Sector, _every(Sector)),
    Exchanged(TeachingUnit, _every(TeachingUnit)),
    Exchanged(Formation, _every(Formation)),
    Exchanged(ChoiceGroup, _every(ChoiceGroup)),
    Exchanged(Edition, _every(Edition)),
    Exchanged(FormationOffer, _every(FormationOffer)),
    Exchanged(UnitOffer, _every(UnitOffer)),
    Exchanged(MaterialPackage, _every(MaterialPackage)),
    # The learners and their path: the centre's (custody movements, identity).
    Exchanged(
        Learner,
        learners,
        local=frozenset({"search_key", "updated_at"}),
        prepare=lambda learner: setattr(learner, "search_key", learner.compute_search_key()),
    ),
    Exchanged(Placement, _of_learners(Placement)),
    # Applications: filed and reviewed in the establishment, decided by the Cnam.
    Exchanged(
        Application,
        _of_learners(Application),
        establishment_owns=frozenset(
            {"academic_year", "formation", "units", "funding", "motivation", "rle_opinion"}
            | {"rle_comment", "reason", "created_by", "created_at"}
        ),
        establishment_creates=True,
        establishment_moves={
            "status": frozenset(
                {(A.SUBMITTED, A.REVIEWED), (A.SUBMITTED, A.WITHDRAWN), (A.REVIEWED, A.WITHDRAWN)}
            )
        },
        local=frozenset({"version"}),
    ),
    Exchanged(
        ApplicationStep,
        lambda e: ApplicationStep.objects.filter(application__in=_applications(e).values("pk")),
        establishment_owns=ALL,
        establishment_creates=True,
    ),
    # Enrolments: made on either side; the results are entered where the teaching happens.
    Exchanged(
        Enrolment,
        _enrolments,
        establishment_owns=frozenset(
            {"result", "grade", "abandon_reason", "result_by", "result_at", "funding"}
        ),
        establishment_creates=True,
        local=frozenset({"version"}),
        at_centre=_results_at_centre,
    ),
    # Certifications: proposed by the centre's rules engine, awarded by the coordinations.
    Exchanged(Certification, _of_learners(Certification)),
    Exchanged(
        CertificationEvent,
        lambda e: CertificationEvent.objects.filter(
            certification__in=Certification.objects.filter(
                learner__in=learners(e).values("pk")
            ).values("pk")
        ),
    ),
    # The referents' interviews, Émergence, attendance and material: the establishment's.
    Exchanged(
        Interview,
        _of_learners(Interview),
        establishment_owns=ALL,
        establishment_creates=True,
    ),
    Exchanged(Cohort, _cohorts, establishment_owns=ALL, establishment_creates=True),
    Exchanged(
        Participant,
        lambda e: Participant.objects.filter(
            cohort__in=_cohorts(e).values("pk"), learner__in=learners(e).values("pk")
        ),
        establishment_owns=ALL,
        establishment_creates=True,
    ),
    Exchanged(
        Session,
        lambda e: Session.objects.filter(cohort__in=_cohorts(e).values("pk")),
        establishment_owns=ALL,
        establishment_creates=True,
    ),
    Exchanged(
        Attendance,
        lambda e: Attendance.objects.filter(
            session__cohort__in=_cohorts(e).values("pk"),
            participant__learner__in=learners(e).values("pk"),
        ),
        establishment_owns=ALL,
        establishment_creates=True,
        establishment_deletes=True,
    ),
    Exchanged(
        Delivery,
        lambda e: Delivery.objects.filter(enrolment__in=_enrolments(e).values("pk")),
        establishment_owns=frozenset(
            {"handed_on", "returned_on", "grade", "feedback", "recorded_by"}
        ),
        local=frozenset({"updated_at"}),
    ),
    Exchanged(ExamSession, _sessions, establishment_owns=ALL, establishment_creates=True),
    Exchanged(
        ExamRegistration,
        lambda e: ExamRegistration.objects.filter(
            session__in=_sessions(e).values("pk"), enrolment__in=_enrolments(e).values("pk")
        ),
        establishment_owns=ALL,
        establishment_creates=True,
        establishment_deletes=True,
    ),
)
BY_LABEL: dict[str, Exchanged] = {spec.label: spec for spec in TABLE}

#: References that both sides hold from the reference data, named by their natural key.
NATURAL_KEYS: dict[str, str] = {
    "places.establishment": "label",
    "places.disp": "code",
    "places.cnamcentre": "code",
    "places.missionlocale": "code",
    "accounts.user": "username",
}
