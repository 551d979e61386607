"""A small orientation world on top of the shared fixtures (real communes, demo centres and
missions locales, the demo catalogue and accounts): a few centres' offers, counselors of two
missions locales, and a helper that registers a young person of a given age."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, Modality
from tremplin.core.roles import Role
from tremplin.learners.models import Learner
from tremplin.orientation.models import CentreOffer, CloseReason, Qualification, Referral, Rhythm
from tremplin.orientation.services import create_young_person, move_referral, send_referral
from tremplin.places.models import CnamCentre, Commune, MissionLocale

NEXT_START = date(2099, 9, 1)


def years_ago(years: int, *, days: int = 0) -> date:
    """The birth date of someone who turns `years` today, moved by `days`."""
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return date.fromordinal(born.toordinal() + days)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def centre(code: str) -> CnamCentre:
    return CnamCentre.objects.select_related("commune").get(code=code)


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


def offer(
    centre_code: str, formation_code: str, modality: str, next_start: date | None = NEXT_START
) -> CentreOffer:
    return CentreOffer.objects.create(
        centre=centre(centre_code),
        formation=Formation.objects.get(code=formation_code),
        modality=modality,
        next_start=next_start,
    )


@pytest.fixture
def counselor(db: None) -> User:
    """conseil-ml: Mission locale du Pays de Saint-Malo."""
    return User.objects.get(username="conseil-ml")


@pytest.fixture
def rennes_counselor(db: None) -> User:
    return User.objects.create(
        username="conseil-rennes",
        role=Role.ML_COUNSELOR,
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-RENNES"),
    )


@pytest.fixture
def staff(db: None) -> User:
    """centre-rennes: Cnam Bretagne (DEMO-BRE)."""
    return User.objects.get(username="centre-rennes")


@pytest.fixture
def vitre_staff(db: None) -> User:
    return User.objects.create(
        username="centre-vitre", role=Role.CENTRE_STAFF, centre=centre("DEMO-BRE-VITRE")
    )


@pytest.fixture
def offers(db: None) -> dict[str, CentreOffer]:
    """Offers around Saint-Malo and Rennes, and distance offers far away."""
    return {
        "rennes": offer("DEMO-BRE", "CPN58", Modality.ON_SITE),
        "rennes_hybrid": offer("DEMO-BRE", "CC13500", Modality.HYBRID),
        "stbrieuc": offer("DEMO-BRE-STBRIEUC", "CPN58", Modality.ON_SITE),
        "vitre": offer("DEMO-BRE-VITRE", "CC13000", Modality.ON_SITE),
        "vitre_prebac": offer("DEMO-BRE-VITRE", "CPN71", Modality.ON_SITE),
        "quimper": offer("DEMO-BRE-QUIMPER", "CPN63", Modality.HYBRID),
        "lyon_distance": offer("DEMO-ARA", "CPN63", Modality.DISTANCE),
        "paris_distance": offer("DEMO-IDF", "DIE3100", Modality.DISTANCE),
    }


YoungPersonFactory = Callable[..., Learner]


@pytest.fixture
def young(counselor: User) -> YoungPersonFactory:
    """Register a young person of the Saint-Malo mission locale (20 years old by default)."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Learner:
        n = next(counter)
        fields: dict[str, Any] = {
            "mission_locale": MissionLocale.objects.get(code="DEMO-ML-STMALO"),
            "reference": f"TJ-{n:04d}",
            "last_name": "Morvan",
            "first_name": f"Lina{n}",
            "birth_date": years_ago(20, days=-40),
            "commune": commune("35288"),  # Saint-Malo
            "qualification": Qualification.BAC,
            "sectors": [],
            "can_travel": True,
            "max_distance_km": 80,
            "available_from": None,
            "rhythm": Rhythm.FULL_TIME,
            "by": counselor,
        }
        fields.update(overrides)
        return create_young_person(**fields)

    return make


@pytest.fixture
def dataset(
    young: YoungPersonFactory,
    offers: dict[str, CentreOffer],
    counselor: User,
    rennes_counselor: User,
    staff: User,
    vitre_staff: User,
    coordinator: User,
) -> dict[str, Referral]:
    brieuc_2 = offer("DEMO-BRE-STBRIEUC", "CC13000", "on_site")
    a, b, c, d = (young(first_name=n) for n in ("Anna", "Basile", "Chloé", "Dylan"))
    e = young(
        first_name="Emma",
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-RENNES"),
        commune=commune("35238"),
        by=rennes_counselor,
    )

    def sent(learner: object, offer_: CentreOffer, day: date, by: User = counselor) -> Referral:
        return send_referral(learner, offer=offer_, message="", by=by, now=at(day))  # type: ignore[arg-type]

    def days(day: date, n: int) -> datetime:
        return at(day + timedelta(days=n))

    r1 = sent(a, offers["rennes"], date(2026, 3, 2))
    r1 = move_referral(r1, "contact", by=staff, now=days(date(2026, 3, 2), 2))
    r1 = move_referral(r1, "meet", by=staff, now=days(date(2026, 3, 2), 9))
    r1 = move_referral(r1, "enrol", by=staff, now=days(date(2026, 3, 2), 20))
    r2 = sent(b, offers["vitre"], date(2026, 3, 10))
    r2 = move_referral(r2, "contact", by=vitre_staff, now=days(date(2026, 3, 10), 4))
    r3 = sent(c, offers["stbrieuc"], date(2026, 4, 1))
    r3 = move_referral(
        r3, "close", by=counselor, reason=CloseReason.NO_ANSWER, now=days(date(2026, 4, 1), 30)
    )
    r4 = sent(d, brieuc_2, date(2026, 4, 5))
    r4 = move_referral(r4, "contact", by=coordinator, now=days(date(2026, 4, 5), 10))
    r4 = move_referral(
        r4, "close", by=counselor, reason=CloseReason.OTHER_PATH, now=days(date(2026, 4, 5), 12)
    )
    r5 = sent(e, offers["rennes"], date(2026, 4, 20), by=rennes_counselor)
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5}
