"""Demo Émergence cohorts, consistent with the seed: the programme started in 2016-2017 at
Meaux; over 2017-2018, 2018-2019 and 2019-2020 it counted 51 participants in 4 establishments
(Meaux, Fresnes, Nanterre and Fleury-Mérogis); in 2020-2021 it opened with the Cnam
Centre-Val de Loire, at Orléans-Saran.

The participants are fictitious learners created for Émergence (references ``E17-0001``: the
first year of the cohort's academic year, then a number), detained at the cohort's establishment
(an arrival before the cohort starts), some released since. They are enrolled in no UE: the
enrolment figures of the demo history (`tremplin.demo.learners`) do not move.

Each cohort met every other week from its start, ten sessions in all (one in three at distance),
facilitated by the cohort's team; the attendance of every participant at every session is
recorded (a participant who went on to present a project came more often).

Deterministic (seeded `random.Random`s walked in a fixed order, fixed dates: the sessions and
the attendance have a generator of their own, so that the participants stay as they were) and
idempotent (learners keyed on their reference, cohorts on establishment and year, participations
on cohort and learner, sessions on cohort and date, attendance on session and participant). Names combine common first names (those of the demo history) with surnames of a
list of its own, so that no participant shares a name with a learner of the history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction

from tremplin.accounts.models import User
from tremplin.demo.learners import (
    EDUCATION_WEIGHTS,
    FEMALE_FIRST_NAMES,
    MALE_FIRST_NAMES,
    TZ,
    DemoDataMissing,
    release_communes,
)
from tremplin.demo.names import NAMES
from tremplin.emergence.models import Attendance, Cohort, Participant, Session
from tremplin.emergence.services import ensure_cohort, insert_history
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.learners.services import insert_learners_history, insert_placements_history
from tremplin.places.models import Commune, Establishment

__all__ = [
    "COHORTS",
    "EMERGENCE_SEED",
    "SESSIONS_PER_COHORT",
    "SESSIONS_SEED",
    "SURNAMES",
    "load_emergence",
]

EMERGENCE_SEED = 20160912
#: The sessions and the attendance draw from a generator of their own.
SESSIONS_SEED = 20170109
SESSIONS_PER_COHORT = 10
#: Days between two sessions of a cohort.
SESSION_INTERVAL = 14
#: Releases happen no later than this day (the end of the demo history).
LAST_RELEASE = date(2021, 6, 30)

MEAUX = "CP MEAUX CHAUCONIN NEUFMONTIERS"
FRESNES = "CP FRESNES"
NANTERRE = "CP NANTERRE"
FLEURY = "CP FLEURY MEROGIS"
ORLEANS = "CP ORLEANS SARAN"

IDF = "Cnam Entrepreneurs, Île-de-France"
CVL = "Cnam Centre-Val de Loire"


@dataclass(frozen=True)
class CohortPlan:
    year: str
    establishment: str
    start: date
    participants: int
    facilitator: str


COHORTS: tuple[CohortPlan, ...] = (
    CohortPlan("2016-2017", MEAUX, date(2017, 1, 9), 8, IDF),
    CohortPlan("2017-2018", MEAUX, date(2017, 11, 6), 9, IDF),
    CohortPlan("2017-2018", FRESNES, date(2018, 1, 15), 8, IDF),
    CohortPlan("2018-2019", MEAUX, date(2018, 11, 5), 8, IDF),
    CohortPlan("2018-2019", NANTERRE, date(2019, 1, 14), 9, IDF),
    CohortPlan("2019-2020", FLEURY, date(2019, 11, 4), 9, IDF),
    CohortPlan("2019-2020", FRESNES, date(2020, 1, 13), 8, IDF),
    CohortPlan("2020-2021", ORLEANS, date(2021, 1, 11), 7, CVL),
)

#: Share of women in a cohort (the women's quarters of Fleury-Mérogis and Fresnes).
WOMEN_SHARE = {FLEURY: 0.25, FRESNES: 0.1}

SURNAMES: tuple[str, ...] = tuple(NAMES["emergence_surnames"])


@dataclass(frozen=True)
class PlannedParticipant:
    reference: str
    first_name: str
    last_name: str
    birth_date: date
    education_level: str
    cohort: CohortPlan
    arrival: date
    released_on: date | None
    release_commune: str | None
    project_presented: bool
    business_plan_written: bool
    continued_after_release: bool


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def plan(release_communes: dict[str, tuple[str, ...]]) -> list[PlannedParticipant]:
    """The participants, as plain data (no database access)."""
    rng = random.Random(EMERGENCE_SEED)  # noqa: S311 - fictitious data, not security
    names: set[tuple[str, str]] = set()
    numbers: dict[int, int] = {}
    planned: list[PlannedParticipant] = []
    for cohort in COHORTS:
        entry = int(cohort.year[:4])
        end = cohort.start + timedelta(weeks=20)
        for _ in range(cohort.participants):
            woman = rng.random() < WOMEN_SHARE.get(cohort.establishment, 0.0)
            first_names = FEMALE_FIRST_NAMES if woman else MALE_FIRST_NAMES
            while True:
                name = (rng.choice(first_names), rng.choice(SURNAMES))
                if name not in names:
                    names.add(name)
                    break
            age = rng.randint(22, 52)
            birth = date(cohort.start.year - age, 1, 1) + timedelta(days=rng.randint(0, 364))
            arrival = cohort.start - timedelta(days=rng.randint(120, 900))
            released_on = None
            if rng.random() < 0.55:
                day = end + timedelta(days=rng.randint(20, 500))
                if day <= LAST_RELEASE:
                    released_on = day
            presented = rng.random() < 0.75
            plan_written = presented and rng.random() < 0.6
            continued = released_on is not None and plan_written and rng.random() < 0.6
            numbers[entry] = numbers.get(entry, 0) + 1
            planned.append(
                PlannedParticipant(
                    reference=f"E{entry % 100:02d}-{numbers[entry]:04d}",
                    first_name=name[0],
                    last_name=name[1],
                    birth_date=birth,
                    education_level=_weighted(rng, EDUCATION_WEIGHTS),
                    cohort=cohort,
                    arrival=arrival,
                    released_on=released_on,
                    release_commune=(
                        rng.choice(release_communes[cohort.establishment]) if released_on else None
                    ),
                    project_presented=presented,
                    business_plan_written=plan_written,
                    continued_after_release=continued,
                )
            )
    return planned


TOPICS = (
    "L'envie d'entreprendre : se connaître, connaître ses ressources",
    "De l'envie à l'idée : trouver et formuler son idée",
    "Le marché : clients, concurrents, besoins",
    "L'offre : produit, service, prix",
    "Les statuts de l'entreprise et la micro-entreprise",
    "Les chiffres du projet : charges, chiffre d'affaires, seuil de rentabilité",
    "Le financement : microcrédit, aides à la création, prêts d'honneur",
    "Les réseaux d'accompagnement après la sortie",
    "Préparer la présentation du projet",
    "Présentation des projets devant un jury",
)

#: What is noted for an absence (never the offence, the sentence or health).
ABSENCE_NOTES = ("", "", "Parloir", "Travail en atelier", "Mouvement non assuré")


@dataclass(frozen=True)
class PlannedSession:
    cohort: CohortPlan
    date: date
    modality: str
    topic: str
    facilitator: str


def plan_sessions() -> list[PlannedSession]:
    """The sessions of every cohort, as plain data: every other week from the cohort's start,
    one in three at distance; all within the cohort's academic year."""
    return [
        PlannedSession(
            cohort=cohort,
            date=cohort.start + timedelta(days=SESSION_INTERVAL * index),
            modality=Session.Modality.DISTANCE if index % 3 == 2 else Session.Modality.ON_SITE,
            topic=TOPICS[index],
            facilitator=cohort.facilitator,
        )
        for cohort in COHORTS
        for index in range(SESSIONS_PER_COHORT)
    ]


@dataclass(frozen=True)
class PlannedAttendance:
    session: PlannedSession
    reference: str
    present: bool
    note: str


def plan_attendance(
    planned: list[PlannedParticipant], sessions: list[PlannedSession]
) -> list[PlannedAttendance]:
    """Who attended each session (no database access): cohort by cohort, session by session,
    participant by participant, in the plan's order."""
    rng = random.Random(SESSIONS_SEED)  # noqa: S311 - fictitious data, not security
    by_cohort: dict[CohortPlan, list[PlannedParticipant]] = {}
    for p in planned:
        by_cohort.setdefault(p.cohort, []).append(p)
    rows = []
    for session in sessions:
        for p in by_cohort.get(session.cohort, []):
            present = rng.random() < (0.9 if p.project_presented else 0.7)
            note = "" if present else rng.choice(ABSENCE_NOTES)
            rows.append(PlannedAttendance(session, p.reference, present, note))
    return rows


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@transaction.atomic
def load_emergence() -> list[str]:
    """Create the demo Émergence cohorts and their participants; a second call changes nothing."""
    labels = sorted({cohort.establishment for cohort in COHORTS})
    establishments = {e.label: e for e in Establishment.objects.filter(label__in=labels)}
    missing = sorted(set(labels) - set(establishments))
    if missing:
        raise DemoDataMissing(f"Établissement introuvable(s) : {', '.join(missing)}")
    planned = plan(release_communes(labels))
    recorder = User.objects.filter(username="referent").first()

    existing = {
        learner.reference: learner
        for learner in Learner.objects.filter(reference__in=[p.reference for p in planned])
    }
    new = [p for p in planned if p.reference not in existing]
    communes = {
        c.code: c
        for c in Commune.objects.filter(code__in={p.release_commune for p in new} - {None})
    }
    rows = [
        Learner(
            reference=p.reference,
            last_name=p.last_name,
            first_name=p.first_name,
            birth_date=p.birth_date,
            kind=Kind.DETAINED,
            education_level=p.education_level,
            status=Status.RELEASED if p.released_on else Status.PLACED,
            establishment=establishments[p.cohort.establishment],
        )
        for p in new
    ]
    for row, p in zip(rows, new, strict=True):
        row.created_at = _at(p.cohort.start - timedelta(days=14), 9)
        row.updated_at = _at(p.released_on or p.cohort.start, 17)
    insert_learners_history(rows)
    placements: list[Placement] = []
    for row, p in zip(rows, new, strict=True):
        placements.append(
            Placement(
                learner=row,
                kind=Placement.Kind.ARRIVAL,
                date=p.arrival,
                establishment=establishments[p.cohort.establishment],
                recorded_by=recorder,
                recorded_at=_at(p.arrival, 14),
            )
        )
        if p.released_on and p.release_commune:
            placements.append(
                Placement(
                    learner=row,
                    kind=Placement.Kind.RELEASE,
                    date=p.released_on,
                    release_commune=communes[p.release_commune],
                    recorded_by=recorder,
                    recorded_at=_at(p.released_on, 14),
                )
            )
    insert_placements_history(placements)
    existing.update({row.reference: row for row in rows})

    cohorts: dict[tuple[str, str], Cohort] = {}
    created_cohorts = 0
    for plan_ in COHORTS:
        cohort, created = ensure_cohort(
            establishments[plan_.establishment],
            plan_.year,
            start_date=plan_.start,
            facilitator=plan_.facilitator,
        )
        cohorts[(plan_.year, plan_.establishment)] = cohort
        created_cohorts += created
    present = set(
        Participant.objects.filter(cohort__in=list(cohorts.values())).values_list(
            "cohort_id", "learner_id"
        )
    )
    participants = []
    for p in planned:
        cohort = cohorts[(p.cohort.year, p.cohort.establishment)]
        learner = existing[p.reference]
        if (cohort.pk, learner.pk) in present:
            continue
        participants.append(
            Participant(
                cohort=cohort,
                learner=learner,
                project_presented=p.project_presented,
                business_plan_written=p.business_plan_written,
                continued_after_release=p.continued_after_release,
            )
        )
    insert_history(participants=participants)
    sessions, attendances = _load_sessions(planned, cohorts, existing)

    if not (rows or created_cohorts or participants or sessions or attendances):
        return [
            f"Émergence : les {len(COHORTS)} cohortes, leurs {len(planned)} participants et "
            "leurs séances sont déjà là, rien n'a changé."
        ]
    return [
        f"Émergence : {created_cohorts} cohortes, {len(participants)} participations, "
        f"{len(rows)} participants fictifs ({COHORTS[0].year} à {COHORTS[-1].year}), "
        f"{sessions} séances, {attendances} présences saisies."
    ]


def _load_sessions(
    planned: list[PlannedParticipant],
    cohorts: dict[tuple[str, str], Cohort],
    learners: dict[str, Learner],
) -> tuple[int, int]:
    """Create the missing sessions and attendance lines; how many of each were created."""
    session_plan = plan_sessions()
    cohort_ids = [cohort.pk for cohort in cohorts.values()]
    known = {(s.cohort_id, s.date): s for s in Session.objects.filter(cohort_id__in=cohort_ids)}
    new_sessions = []
    for planned_session in session_plan:
        cohort = cohorts[(planned_session.cohort.year, planned_session.cohort.establishment)]
        if (cohort.pk, planned_session.date) in known:
            continue
        session = Session(
            cohort=cohort,
            date=planned_session.date,
            modality=planned_session.modality,
            topic=planned_session.topic,
            facilitator=planned_session.facilitator,
        )
        new_sessions.append(session)
    insert_history(sessions=new_sessions)
    known.update({(s.cohort_id, s.date): s for s in new_sessions})

    participant_ids = {
        (cohort_id, learner_id): pk
        for pk, cohort_id, learner_id in Participant.objects.filter(
            cohort_id__in=cohort_ids
        ).values_list("pk", "cohort_id", "learner_id")
    }
    recorded = set(
        Attendance.objects.filter(session__cohort_id__in=cohort_ids).values_list(
            "session_id", "participant_id"
        )
    )
    new_attendances = []
    for line in plan_attendance(planned, session_plan):
        cohort = cohorts[(line.session.cohort.year, line.session.cohort.establishment)]
        session = known[(cohort.pk, line.session.date)]
        participant_id = participant_ids[(cohort.pk, learners[line.reference].pk)]
        if (session.pk, participant_id) in recorded:
            continue
        new_attendances.append(
            Attendance(
                session=session,
                participant_id=participant_id,
                present=line.present,
                note=line.note,
            )
        )
    insert_history(attendances=new_attendances)
    return len(new_sessions), len(new_attendances)
