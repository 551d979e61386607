"""The orientation pages, as a counselor and a centre's staff use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from tremplin.accounts.models import User
from tremplin.demo.orientation import load_orientation
from tremplin.orientation.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: None) -> None:
    load_orientation()


def test_a_counselor_creates_a_young_person_and_sees_proposals(
    client_as: Callable[[User], Client], demo: None
) -> None:
    client = client_as(User.objects.get(username="conseil-ml"))
    born = date(date.today().year - 19, 3, 4)
    response = client.post(
        "/orientation/jeunes/nouveau/",
        {
            "reference": "ML-TEST-1",
            "last_name": "Le Bihan",
            "first_name": "Maëlle",
            "birth_date": born.isoformat(),
            "commune": "Saint-Malo",
            "qualification": "bac",
            "can_travel": "on",
            "max_distance_km": "80",
            "rhythm": "full_time",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200, page[:500]
    assert "Formations proposées" in page
    assert "À distance (toujours proposées)" in page
    assert "Orienter" in page


def test_an_age_out_of_range_is_refused_with_a_clear_message(
    client_as: Callable[[User], Client], demo: None
) -> None:
    client = client_as(User.objects.get(username="conseil-ml"))
    response = client.post(
        "/orientation/jeunes/nouveau/",
        {
            "reference": "ML-TEST-2",
            "last_name": "Trop",
            "first_name": "Âgé",
            "birth_date": date(date.today().year - 30, 1, 1).isoformat(),
            "commune": "35288",
            "qualification": "bac",
            "rhythm": "full_time",
        },
    )
    assert response.status_code == 400
    assert "entre 16 et 25 ans" in response.content.decode()


def test_centre_staff_move_a_referral_and_the_counselor_sees_it(
    client_as: Callable[[User], Client], demo: None
) -> None:
    staff = User.objects.get(username="centre-rennes")
    referral = Referral.objects.filter(centre=staff.centre, status="sent").first()
    assert referral is not None
    client = client_as(staff)
    assert client.get("/orientation/").status_code == 200
    client.post(
        f"/orientation/{referral.pk}/contact/",
        {
            "contact-version": referral.version,
            "contact-note": "Joint par téléphone",
            "contact-on": date.today().isoformat(),
        },
    )
    assert Referral.objects.get(pk=referral.pk).status == "contacted"


def test_a_counselor_never_opens_another_mission_locales_young_person(
    client_as: Callable[[User], Client], demo: None
) -> None:
    other = Referral.objects.exclude(mission_locale__code="DEMO-ML-STMALO").first()
    assert other is not None
    client = client_as(User.objects.get(username="conseil-ml"))
    assert client.get(f"/orientation/jeunes/{other.learner_id}/").status_code == 404
    assert client.get(f"/orientation/{other.pk}/").status_code == 404


def test_a_counselor_finds_their_young_people_by_name_and_the_audit_keeps_no_name(
    client_as: Callable[[User], Client], demo: None
) -> None:
    from tremplin.core.models import AuditEvent
    from tremplin.learners.models import Learner

    counselor = User.objects.get(username="conseil-ml")
    client = client_as(counselor)
    everyone = client.get("/orientation/jeunes/")
    theirs = Learner.objects.filter(kind="youth", mission_locale__code="DEMO-ML-STMALO")
    one = theirs.order_by("pk").first()
    other = Learner.objects.filter(kind="youth").exclude(mission_locale__code="DEMO-ML-STMALO")
    stranger = other.order_by("pk").first()
    assert one is not None and stranger is not None
    assert everyone.status_code == 200
    assert f"{theirs.count()} jeune" in everyone.content.decode()

    # Typed without its accents, in lower case: found, alone or with namesakes of theirs.
    typed = one.last_name.lower().replace("é", "e").replace("è", "e")
    found = client.get("/orientation/jeunes/", {"q": typed})
    page = found.content.decode()
    assert found.status_code == 200
    assert f'href="/orientation/jeunes/{one.pk}/"' in page
    assert f"pour « {typed} »" in page
    assert 'value="' + typed + '"' in page
    # Another mission locale's young person is never listed, even by their exact reference.
    elsewhere = client.get("/orientation/jeunes/", {"q": stranger.reference}).content.decode()
    assert f'href="/orientation/jeunes/{stranger.pk}/"' not in elsewhere
    assert f"Aucun jeune ne correspond à « {stranger.reference} »" in elsewhere
    summaries = list(
        AuditEvent.objects.filter(user=counselor, summary__startswith="jeunes des").values_list(
            "summary", flat=True
        )
    )
    assert sorted(summaries) == [
        "jeunes des missions locales, page 1",
        "jeunes des missions locales, recherche par nom, page 1",
        "jeunes des missions locales, recherche par nom, page 1",
    ]
    assert not [s for s in summaries if typed in s.lower() or stranger.reference in s]
