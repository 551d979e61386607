"""The orientation's access matrix: every URL of the app, every demo role, a young person and a
referral inside and outside each scope. A role without access to the orientation answers 403;
inside the role, a record outside the scope answers 404 (its existence is never disclosed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests.core.test_pages import named_patterns
from tremplin.accounts.models import User
from tremplin.learners.models import Learner
from tremplin.orientation.models import CentreOffer, Referral
from tremplin.orientation.services import send_referral
from tremplin.places.models import MissionLocale

from .conftest import YoungPersonFactory, commune, offer

pytestmark = pytest.mark.django_db

USERS = (
    "coordination",
    "coord-paris",
    "referent",
    "rle-melun",
    "conseil-ml",
    "centre-rennes",
    "enseignant",
    "statistique",
)
#: Roles that never reach the young people's files, nor the referrals.
NO_YOUNG_PEOPLE = {"coord-paris", "referent", "rle-melun", "centre-rennes", "enseignant"}
NO_REFERRALS = {"referent", "rle-melun", "enseignant", "statistique"}

#: Who reads each record: Saint-Malo's young person referred to Rennes (Brittany); a young
#: person of Rennes's mission locale referred to Paris (Île-de-France).
READERS = {
    "stmalo": {
        "young": {"coordination", "conseil-ml"},
        "referral": {"coordination", "conseil-ml", "centre-rennes"},
    },
    "rennes": {"young": {"coordination"}, "referral": {"coordination", "coord-paris"}},
}

YOUNG_PAGES = ("orientation:young_person",)
REFERRAL_PAGES = ("orientation:referral",)
LISTS = {
    "orientation:young_people": NO_YOUNG_PEOPLE | {"statistique"},
    "orientation:referrals": NO_REFERRALS,
    "orientation:statistics": {"referent", "rle-melun", "enseignant"},
}
SPECIAL = {
    # POST actions, tested below; creation needs a mission locale (tested in test_pages.py).
    "orientation:referral_send",
    "orientation:referral_move",
    "orientation:young_person_create",
    "orientation:young_person_contact",
    "orientation:statistics_export",
}


@pytest.fixture
def world(
    young: YoungPersonFactory, counselor: User, rennes_counselor: User
) -> dict[str, tuple[Learner, Referral]]:
    rennes_ml = MissionLocale.objects.get(code="DEMO-ML-RENNES")
    stmalo = young(last_name="Matrice")
    rennes = young(
        last_name="Horschamp",
        mission_locale=rennes_ml,
        commune=commune("35238"),
        by=rennes_counselor,
    )
    to_rennes: CentreOffer = offer("DEMO-BRE", "CPN58", "on_site")
    to_paris: CentreOffer = offer("DEMO-IDF", "DIE3100", "distance")
    return {
        "stmalo": (stmalo, send_referral(stmalo, offer=to_rennes, message="", by=counselor)),
        "rennes": (rennes, send_referral(rennes, offer=to_paris, message="", by=rennes_counselor)),
    }


def test_every_pattern_of_the_orientation_is_classified() -> None:
    known = set(YOUNG_PAGES) | set(REFERRAL_PAGES) | set(LISTS) | SPECIAL
    for name, _ in named_patterns():
        if name.startswith("orientation:"):
            assert name in known, f"{name} is not in the orientation's access matrix"


def _expected(username: str, readers: set[str], denied_roles: set[str]) -> int:
    if username in readers:
        return 200
    return 403 if username in denied_roles else 404


@pytest.mark.parametrize("username", USERS)
def test_each_user_reads_exactly_the_young_people_and_referrals_of_their_scope(
    client_as: Callable[[User], Client],
    world: dict[str, tuple[Learner, Referral]],
    username: str,
) -> None:
    client = client_as(User.objects.get(username=username))
    for key, (learner, referral) in world.items():
        for name in YOUNG_PAGES:
            status = client.get(reverse(name, args=[learner.pk])).status_code
            expected = _expected(username, READERS[key]["young"], NO_YOUNG_PEOPLE | {"statistique"})
            assert status == expected, (username, key, name, status)
        for name in REFERRAL_PAGES:
            status = client.get(reverse(name, args=[referral.pk])).status_code
            expected = _expected(username, READERS[key]["referral"], NO_REFERRALS)
            assert status == expected, (username, key, name, status)


@pytest.mark.parametrize("username", USERS)
def test_lists_show_only_the_records_of_the_scope(
    client_as: Callable[[User], Client],
    world: dict[str, tuple[Learner, Referral]],
    username: str,
) -> None:
    client = client_as(User.objects.get(username=username))
    for name, denied in LISTS.items():
        response = client.get(reverse(name))
        if username in denied:
            assert response.status_code == 403, (username, name)
            continue
        assert response.status_code == 200, (username, name)
        if name == "orientation:statistics":
            continue  # aggregates only: tested in test_statistics_page.py
        page = response.content.decode()
        kind = "young" if name == "orientation:young_people" else "referral"
        for key, (learner, _) in world.items():
            shown = learner.last_name.upper() in page
            assert shown == (username in READERS[key][kind]), (username, name, key)


@pytest.mark.parametrize("username", USERS)
def test_moves_and_sends_outside_the_scope_change_nothing(
    client_as: Callable[[User], Client],
    world: dict[str, tuple[Learner, Referral]],
    username: str,
) -> None:
    client = client_as(User.objects.get(username=username))
    learner, referral = world["rennes"]
    move = client.post(
        reverse("orientation:referral_move", args=[referral.pk, "contact"]),
        {"contact-version": referral.version, "contact-on": date.today().isoformat()},
    )
    contact = client.post(
        reverse("orientation:young_person_contact", args=[learner.pk]),
        {"phone": "06 00 00 00 00", "email": "", "contact_consent": "on"},
    )
    send = client.post(
        reverse("orientation:referral_send", args=[learner.pk]),
        {"offer": CentreOffer.objects.get(centre__code="DEMO-BRE", formation__code="CPN58").pk},
    )

    if username in READERS["rennes"]["referral"]:
        assert move.status_code == 302
    else:
        assert move.status_code == (403 if username in NO_REFERRALS else 404), username
    if username not in READERS["rennes"]["young"]:
        assert send.status_code == (
            403 if username in NO_YOUNG_PEOPLE | {"statistique"} else 404
        ), username
        assert Referral.objects.filter(learner=learner).count() == 1
        assert contact.status_code == send.status_code, username
        assert learner.youth_profile.phone != "06 00 00 00 00"
