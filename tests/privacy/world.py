"""A person with at least one record of every kind Tremplin holds, their whole history in
2019-2020 (so that it is counted in the bilan of that year), their name written in every free
text; and helpers to age a record's timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Model
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.credentials.services import issue as issue_credential
from tremplin.delivery.models import (
    Delivery,
    ExamRegistration,
    ExamSession,
    HandOver,
    MaterialPackage,
)
from tremplin.emergence.models import Attendance, Cohort, Participant, Session
from tremplin.enrolment.models import (
    Application,
    ApplicationStep,
    Certification,
    CertificationEvent,
    Enrolment,
    Result,
)
from tremplin.followup.models import Interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.orientation.models import Referral, ReferralEvent, YouthProfile
from tremplin.places.models import CnamCentre, Commune, Establishment, MissionLocale

MELUN = "CD MELUN"
YEAR = "2019-2020"


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class Person:
    learner: Learner
    last_name: str
    first_name: str
    reference: str

    @property
    def words(self) -> tuple[str, str, str]:
        return self.last_name, self.first_name, self.reference


def full_person(
    reference: str = "TP-0001",
    last_name: str = "Vasseur-Kerbrat",
    first_name: str = "Éloïse",
    *,
    establishment: str = MELUN,
) -> Person:
    melun = Establishment.objects.get(label=establishment)
    referent = User.objects.get(username="referent")
    coordinator = User.objects.get(username="coordination")
    name = f"{first_name} {last_name}"
    learner = Learner.objects.create(
        reference=reference,
        last_name=last_name,
        first_name=first_name,
        birth_date=date(1998, 5, 17),
        kind=Kind.DETAINED,
        status=Status.RELEASED,
        establishment=melun,
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-STMALO"),
    )
    Placement.objects.create(
        learner=learner, kind="arrival", date=date(2019, 9, 2), establishment=melun
    )
    release = Placement.objects.create(
        learner=learner,
        kind="release",
        date=date(2020, 7, 1),
        establishment=melun,
        release_commune=Commune.objects.get(code="35288"),
    )

    unit = TeachingUnit.objects.get(code="CCG101")
    application = Application.objects.create(
        learner=learner,
        academic_year=YEAR,
        funding="dap",
        motivation=f"{name} souhaite reprendre ses études.",
        rle_comment=f"Avis favorable pour {last_name}.",
        status="enrolled",
    )
    application.units.set([unit])
    ApplicationStep.objects.create(
        application=application, to_status="submitted", by=referent, note=f"Déposée pour {name}"
    )
    enrolment = Enrolment.objects.create(
        learner=learner,
        academic_year=YEAR,
        unit=unit,
        establishment=melun,
        application=application,
        funding="dap",
        result=Result.VALIDATED,
        grade=Decimal("14.5"),
    )
    Enrolment.objects.create(
        learner=learner,
        academic_year=YEAR,
        unit=TeachingUnit.objects.get(code="CCG102"),
        establishment=melun,
        funding="dap",
        result=Result.FAILED,
        grade=Decimal(7),
    )
    awarded = Certification.objects.create(
        learner=learner,
        formation=Formation.objects.get(code="CC13000"),
        status="awarded",
        number=f"CNAM-CERT-2020-{reference[-4:]}",
        awarded_on=date(2020, 6, 30),
        academic_year=YEAR,
        establishment=melun,
        credits=Decimal(20),
    )
    CertificationEvent.objects.create(
        certification=awarded, status="awarded", by=coordinator, note=f"Délivrée à {name}"
    )
    issue_credential(awarded)  # its verifiable credential names the person
    revoked = Certification.objects.create(
        learner=learner,
        formation=Formation.objects.exclude(code="CC13000").order_by("code").first(),
        status="revoked",
        academic_year=YEAR,
        establishment=melun,
        revoke_reason=f"Proposée par erreur à {last_name}",
    )
    CertificationEvent.objects.create(certification=revoked, status="revoked", by=coordinator)
    Interview.objects.create(
        learner=learner,
        date=date(2020, 1, 10),
        kind="training_followup",
        referent=referent,
        notes=f"{first_name} va bien ; {last_name} prépare l'examen.",
        next_steps=f"Revoir {name} en mars.",
    )

    cohort, _ = Cohort.objects.get_or_create(
        establishment=melun, academic_year=YEAR, defaults={"start_date": date(2019, 10, 1)}
    )
    session, _ = Session.objects.get_or_create(
        cohort=cohort, date=date(2019, 11, 5), topic="Le projet"
    )
    participant = Participant.objects.create(cohort=cohort, learner=learner, project_presented=True)
    Attendance.objects.create(
        session=session, participant=participant, present=True, note=f"{last_name} très impliqué(e)"
    )

    package, _ = MaterialPackage.objects.get_or_create(
        unit=unit, title="Devoir 1 CCG101", defaults={"kind": "assignment"}
    )
    Delivery.objects.create(
        enrolment=enrolment,
        package=package,
        sent_to=melun,
        sent_on=date(2019, 10, 1),
        handed_on=date(2019, 10, 8),
        returned_on=date(2019, 11, 8),
        grade=Decimal(13),
        feedback=f"Bon travail, {first_name}.",
    )
    exam = ExamSession.objects.create(
        establishment=melun,
        starts_at=at(date(2020, 6, 2)),
        room="Salle 3",
        invigilator="M. Surveillant",
    )
    ExamRegistration.objects.create(
        session=exam,
        enrolment=enrolment,
        accommodation=f"Tiers temps pour {last_name}",
        extra_time_minutes=60,
        flag=f"{name} signalé(e) au greffe",
    )
    HandOver.objects.create(
        learner=learner,
        placement=release,
        centre=CnamCentre.objects.get(code="DEMO-BRE"),
        distance_km=Decimal("12.3"),
        status="continued",
        note=f"{name} inscrit(e) au centre de Rennes",
        recorded_at=at(date(2020, 7, 20)),
    )

    YouthProfile.objects.create(
        learner=learner,
        commune=Commune.objects.get(code="35288"),
        qualification="bac",
        available_from=date(2020, 9, 1),
    )
    referral = Referral.objects.create(
        learner=learner,
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-STMALO"),
        centre=CnamCentre.objects.get(code="DEMO-BRE"),
        formation=Formation.objects.get(code="CC13000"),
        modality="on_site",
        distance_km=Decimal("65.2"),
        size_class="large",
        message=f"Bonjour, je vous oriente {name}.",
        status="contacted",
        sent_at=at(date(2020, 7, 15)),
        first_contact_at=at(date(2020, 7, 17)),
        first_contact_days=2,
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status="sent",
        to_status="contacted",
        at=at(date(2020, 7, 17)),
        note=f"{last_name} joint(e) par téléphone",
    )
    age_timestamps(learner, date(2020, 7, 20))
    learner.refresh_from_db()
    return Person(learner, last_name, first_name, reference)


#: The automatic timestamps of the records tied to a learner (auto_now_add): set at creation,
#: they are aged by the tests that need an old history.
TIMESTAMPS: tuple[tuple[type[Model], str, str], ...] = (
    (Learner, "pk", "created_at"),
    (Application, "learner", "created_at"),
    (ApplicationStep, "application__learner", "at"),
    (Certification, "learner", "proposed_at"),
    (CertificationEvent, "certification__learner", "at"),
    (HandOver, "learner", "created_at"),
    (YouthProfile, "learner", "created_at"),
)


def age_timestamps(learner: Learner, day: date) -> None:
    for model, path, field in TIMESTAMPS:
        model._default_manager.filter(**{path: learner.pk}).update(**{field: at(day)})
    Learner.objects.filter(pk=learner.pk).update(updated_at=at(day))
