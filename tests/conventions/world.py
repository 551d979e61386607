"""Hand-built records for the indicator tests: learners, enrolments, interviews, certifications
and Émergence cohorts, each placed and dated on purpose."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.emergence.models import Cohort, Participant
from tremplin.enrolment.models import Certification, Enrolment
from tremplin.followup.models import Interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.places.models import Establishment, MissionLocale

_numbers = count(1)


def learner(establishment: str | None = None, *, mission_locale: str | None = None) -> Learner:
    number = next(_numbers)
    place = Establishment.objects.get(label=establishment) if establishment else None
    created = Learner.objects.create(
        reference=f"T-CONV-{number:04d}",
        last_name=f"Nom{number}",
        first_name="Prénom",
        birth_date=date(1992, 3, 4),
        kind=Kind.DETAINED if place else Kind.YOUTH,
        status=Status.PLACED if place else Status.FOLLOWED,
        establishment=place,
        mission_locale=MissionLocale.objects.get(code=mission_locale) if mission_locale else None,
    )
    if place:
        Placement.objects.create(
            learner=created, kind="arrival", date=date(2015, 1, 5), establishment=place
        )
    return created


def transfer(who: Learner, to: str, on: date) -> None:
    place = Establishment.objects.get(label=to)
    Placement.objects.create(learner=who, kind="transfer", date=on, establishment=place)
    who.establishment = place
    who.save()


def enrol(who: Learner, year: str, result: str = "pending", *, unit: int = 0) -> Enrolment:
    units = list(TeachingUnit.objects.order_by("code")[:10])
    return Enrolment.objects.create(
        learner=who,
        academic_year=year,
        unit=units[unit],
        establishment=who.establishment,
        result=result,
    )


def interview(who: Learner, on: date) -> Interview:
    return Interview.objects.create(learner=who, date=on, kind="training_followup")


def certify(who: Learner, on: date, status: str = "awarded", formation: str = "CC13000") -> None:
    Certification.objects.create(
        learner=who,
        formation=Formation.objects.get(code=formation),
        status=status,
        number=f"T-CONV-{next(_numbers):05d}" if status == "awarded" else None,
        awarded_on=on if status == "awarded" else None,
        establishment=who.establishment,
        credits=Decimal(20),
    )


def cohort(establishment: str, year: str, *people: Learner) -> Cohort:
    created = Cohort.objects.create(
        establishment=Establishment.objects.get(label=establishment),
        academic_year=year,
        start_date=date(int(year[:4]), 10, 1),
    )
    for person in people:
        Participant.objects.create(cohort=created, learner=person)
    return created
