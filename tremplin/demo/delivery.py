"""Demo course material, deliveries, exam sessions and a hand-over for the 2026-2027 cohort of
`tremplin.demo.learners`. Fixed dates, no randomness, idempotent: packages are keyed on their UE
and title, deliveries on enrolment and package, the sessions on their establishment and start,
the hand-over on the release.

Two sessions: one at CD MELUN on 9 December 2026, and one at CP OSNY PONTOISE two days later
covering CCE101, so that a learner of the Melun session transferred to Osny sees their CCE101
registration follow them (and their other UE flagged, with no session for it at Osny)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from tremplin.catalog.models import Modality, TeachingUnit
from tremplin.delivery import exams, services
from tremplin.delivery.models import (
    Delivery,
    ExamRegistration,
    ExamSession,
    HandOver,
    MaterialPackage,
)
from tremplin.demo.learners import CURRENT_RELEASE, CURRENT_YEAR, MELUN, OSNY, TZ
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Placement
from tremplin.places.models import Establishment

__all__ = ["load_delivery"]

K = MaterialPackage.Kind
#: (position, title, kind) of the packages of every distance UE of the cohort.
PACKAGES = (
    (1, "Livret de cours n° 1", K.BOOKLET),
    (2, "Clé USB : exercices et vidéos hors ligne", K.MEDIA),
    (3, "Devoir n° 1", K.ASSIGNMENT),
    (4, "Corrigé du devoir n° 1", K.CORRECTION),
)
FIRST_SENDING = date(2026, 10, 12)
HANDED = date(2026, 10, 16)
RETURNED = date(2026, 11, 9)
CORRECTIONS_SENT = date(2026, 11, 18)
SESSION_START = datetime.combine(date(2026, 12, 9), time(9, 0), tzinfo=TZ)
#: The second session, at Osny: its UEs are those of the learners detained there, plus CCE101.
OSNY_SESSION_START = datetime.combine(date(2026, 12, 11), time(14, 0), tzinfo=TZ)
FEEDBACK = (
    "Bonne maîtrise des notions ; soigner la présentation des calculs.",
    "Travail sérieux, quelques confusions à revoir avec le livret.",
    "Devoir complet et bien argumenté.",
)


def _cohort_enrolments() -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(
            academic_year=CURRENT_YEAR,
            result=Result.PENDING,
            unit__modality__in=[Modality.DISTANCE, Modality.HYBRID],
            establishment__isnull=False,
        )
        .select_related("unit", "learner", "establishment")
        .order_by("learner__reference", "unit__code")
    )


@transaction.atomic
def load_delivery() -> list[str]:
    enrolments = _cohort_enrolments()
    units = TeachingUnit.objects.filter(pk__in={e.unit_id for e in enrolments}).order_by("code")
    new_packages = 0
    packages: dict[int, dict[str, MaterialPackage]] = {}
    for unit in units:
        for position, title, kind in PACKAGES:
            package, created = services.ensure_package(
                unit, title=title, kind=kind, position=position
            )
            new_packages += created
            packages.setdefault(unit.pk, {})[kind] = package

    existing = set(Delivery.objects.values_list("enrolment_id", "package_id"))
    rows: list[Delivery] = []
    for index, enrolment in enumerate(enrolments):
        kit = packages[enrolment.unit_id]
        assert enrolment.establishment is not None
        handed = index % 4 != 3  # one in four still waits to be handed out
        returned = handed and index % 3 != 2  # some assignments still awaited
        plan = [
            (kit[K.BOOKLET], handed, False),
            (kit[K.MEDIA], handed, False),
            (kit[K.ASSIGNMENT], handed, returned),
        ]
        for package, is_handed, is_returned in plan:
            if (enrolment.pk, package.pk) in existing:
                continue
            rows.append(
                Delivery(
                    enrolment=enrolment,
                    package=package,
                    sent_to=enrolment.establishment,
                    sent_on=FIRST_SENDING,
                    handed_on=HANDED if is_handed else None,
                    returned_on=RETURNED if is_returned else None,
                    grade=Decimal(8 + (index * 7) % 11) + Decimal("0.5") if is_returned else None,
                    feedback=FEEDBACK[index % len(FEEDBACK)] if is_returned else "",
                )
            )
        if returned and (enrolment.pk, kit[K.CORRECTION].pk) not in existing:
            rows.append(
                Delivery(
                    enrolment=enrolment,
                    package=kit[K.CORRECTION],
                    sent_to=enrolment.learner.establishment or enrolment.establishment,
                    sent_on=CORRECTIONS_SENT,
                )
            )
    services.insert_deliveries_history(rows)

    lines = [
        f"Supports de cours : {new_packages} supports créés, {len(rows)} remises enregistrées."
    ]
    lines += _exam_session()
    lines += _osny_session()
    lines += _hand_over()
    return lines


def _exam_session() -> list[str]:
    melun = Establishment.objects.get(label=MELUN)
    if ExamSession.objects.filter(establishment=melun, starts_at=SESSION_START).exists():
        return ["Session d'examens de démonstration : déjà là."]
    units = TeachingUnit.objects.filter(
        enrolments__academic_year=CURRENT_YEAR,
        enrolments__result=Result.PENDING,
        enrolments__learner__establishment=melun,
        enrolments__learner__status="placed",
    ).distinct()
    session = exams.create_session(
        melun,
        starts_at=SESSION_START,
        room="Salle d'enseignement n° 2",
        invigilator="Mme Martine Lefort",
        units=units,
        duration_minutes=180,
    )
    first = ExamRegistration.objects.filter(session=session).order_by("pk").first()
    if first is not None:
        exams.update_accommodation(
            first,
            accommodation="Tiers temps ; sujet imprimé en gros caractères",
            extra_time_minutes=60,
        )
    return [
        f"Session d'examens du 9 décembre 2026 à {MELUN} : "
        f"{session.registrations.count()} inscriptions."
    ]


def _osny_session() -> list[str]:
    osny = Establishment.objects.get(label=OSNY)
    if ExamSession.objects.filter(establishment=osny, starts_at=OSNY_SESSION_START).exists():
        return ["Session d'examens de démonstration à Osny : déjà là."]
    pending = Enrolment.objects.filter(
        academic_year=CURRENT_YEAR,
        result=Result.PENDING,
        learner__establishment=osny,
        learner__status="placed",
    ).values("unit_id")
    units = TeachingUnit.objects.filter(Q(pk__in=pending) | Q(code="CCE101")).order_by("code")
    session = exams.create_session(
        osny,
        starts_at=OSNY_SESSION_START,
        room="Bibliothèque du quartier enseignement",
        invigilator="M. Karim Benali",
        units=units,
        duration_minutes=180,
    )
    return [
        f"Session d'examens du 11 décembre 2026 à {OSNY} : "
        f"{session.registrations.count()} inscriptions."
    ]


def _hand_over() -> list[str]:
    placement = (
        Placement.objects.filter(kind=Placement.Kind.RELEASE, date=CURRENT_RELEASE)
        .select_related("learner", "release_commune")
        .order_by("pk")
        .first()
    )
    if placement is None:
        return []
    existed = HandOver.objects.filter(placement=placement).exists()
    found = services.hand_over(placement)
    if found is None:
        return ["Reprise de formation : aucune (pas de formation en cours)."]
    if existed:
        return ["Reprise de formation de démonstration : déjà là."]
    return [
        f"Reprise de formation : {placement.learner.full_name} confié(e) à {found.centre.name} "
        f"({found.distance_km} km)."
    ]
