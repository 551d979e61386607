"""A small world of personal records for the access tests: three learners in different scopes,
each with an application, an enrolment, an interview and an awarded certification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.enrolment.models import Application, Certification, Enrolment
from tremplin.followup.models import Interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.places.models import Establishment, MissionLocale


@dataclass
class Record:
    learner: Learner
    application: Application
    enrolment: Enrolment
    certification: Certification
    interview: Interview


def make_record(
    reference: str, *, establishment: str | None = None, mission_locale: str | None = None
) -> Record:
    place = Establishment.objects.get(label=establishment) if establishment else None
    learner = Learner.objects.create(
        reference=reference,
        last_name=f"Nom{reference}",
        first_name="Prénom",
        birth_date=date(1990, 5, 17),
        kind=Kind.DETAINED if place else Kind.YOUTH,
        status=Status.PLACED if place else Status.FOLLOWED,
        establishment=place,
        mission_locale=MissionLocale.objects.get(code=mission_locale) if mission_locale else None,
    )
    if place:
        Placement.objects.create(
            learner=learner, kind="arrival", date=date(2024, 9, 1), establishment=place
        )
    unit = TeachingUnit.objects.get(code="CCG101")
    application = Application.objects.create(
        learner=learner, academic_year="2026-2027", funding="dap"
    )
    application.units.set([unit])
    enrolment = Enrolment.objects.create(
        learner=learner, academic_year="2026-2027", unit=unit, establishment=place, funding="dap"
    )
    certification = Certification.objects.create(
        learner=learner,
        formation=Formation.objects.get(code="CC13000"),
        status="awarded",
        number=f"CNAM-CERT-2099-{reference[-4:]}",
        awarded_on=date(2026, 7, 1),
        academic_year="2025-2026",
        establishment=place,
        credits=Decimal(20),
    )
    interview = Interview.objects.create(
        learner=learner, date=date(2026, 10, 1), kind="training_followup"
    )
    return Record(learner, application, enrolment, certification, interview)
