"""The demo orientation: deterministic, idempotent, every state of the pipeline, reminders, small
and medium towns, and something to see for the demo counselor and the demo centre staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.demo.learners import DEMO_NOW
from tremplin.demo.orientation import FIRST_SENT, LAST_SENT, load_orientation
from tremplin.learners.models import Learner
from tremplin.orientation.models import MAX_AGE, MIN_AGE, CentreOffer, Referral, YouthProfile
from tremplin.orientation.selectors import search_referrals
from tremplin.orientation.services import age_on, reminders
from tremplin.orientation.stats import referral_stats

pytestmark = pytest.mark.django_db

S = Referral.Status


@pytest.fixture
def demo(db: None) -> list[str]:
    return load_orientation()


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Referral.objects.order_by("learner__reference", "sent_at").values_list(
            "learner__reference",
            "centre__code",
            "formation__code",
            "status",
            "close_reason",
            "sent_at",
            "first_contact_at",
            "distance_km",
            "size_class",
        )
    )


def test_the_demo_is_idempotent(demo: list[str]) -> None:
    counts = (CentreOffer.objects.count(), Learner.objects.count(), Referral.objects.count())
    before = snapshot()

    again = load_orientation()

    assert (
        CentreOffer.objects.count(),
        Learner.objects.count(),
        Referral.objects.count(),
    ) == counts
    assert snapshot() == before
    assert "(0 créées)" in again[0]
    assert "déjà chargés" in again[1]


def test_the_demo_is_deterministic(demo: list[str]) -> None:
    before = snapshot()
    Referral.objects.all().delete()
    YouthProfile.objects.all().delete()
    Learner.objects.filter(reference__startswith="J26-").delete()

    load_orientation()

    assert snapshot() == before


def test_about_sixty_young_people_of_the_fifteen_missions_locales_aged_16_to_25(
    demo: list[str],
) -> None:
    people = Learner.objects.filter(reference__startswith="J26-")
    assert people.count() == 60
    assert people.values("mission_locale").distinct().count() == 15
    assert YouthProfile.objects.filter(learner__in=people).count() == 60
    for referral in Referral.objects.select_related("learner"):
        age = age_on(referral.learner.birth_date, timezone.localdate(referral.sent_at))
        assert MIN_AGE <= age <= MAX_AGE


def test_a_year_of_referrals_in_every_state_with_their_steps(demo: list[str]) -> None:
    statuses = dict(Referral.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(S.values)
    assert all(n >= 5 for n in statuses.values())
    first = min(Referral.objects.values_list("sent_at", flat=True))
    last = max(Referral.objects.values_list("sent_at", flat=True))
    assert timezone.localdate(first) >= FIRST_SENT and timezone.localdate(last) <= LAST_SENT
    for referral in Referral.objects.prefetch_related("events"):
        events = list(referral.events.all())
        assert events[0].to_status == S.SENT
        assert events[-1].to_status == referral.status
        assert referral.version == len(events)
        assert all(e.at.date() <= DEMO_NOW for e in events)
        if referral.status == S.CLOSED:
            assert referral.close_reason


def test_some_referrals_wait_for_a_first_contact_and_many_go_to_small_and_medium_towns(
    demo: list[str], coordinator: User
) -> None:
    assert reminders(coordinator, today=DEMO_NOW).count() >= 5
    stats = referral_stats(year="2025-2026")
    assert stats.total.small_medium >= 10
    assert Referral.objects.filter(size_class="small").exists()


def test_the_demo_counselor_and_the_demo_centre_staff_both_see_referrals(
    demo: list[str],
) -> None:
    counselor = User.objects.get(username="conseil-ml")
    staff = User.objects.get(username="centre-rennes")

    mine = search_referrals(counselor)
    assert mine.count() >= 20
    assert {r.mission_locale.code for r in mine} == {"DEMO-ML-STMALO"}
    assert {r.status for r in mine} == set(S.values)
    assert reminders(counselor, today=DEMO_NOW).exists()
    to_rennes = search_referrals(staff)
    assert to_rennes.count() >= 20
    assert {r.centre.code for r in to_rennes} == {"DEMO-BRE"}
    # Every Saint-Malo young person was first referred to Cnam Bretagne in Rennes.
    for learner in Learner.objects.filter(mission_locale__code="DEMO-ML-STMALO"):
        assert learner.referrals.order_by("sent_at").first().centre.code == "DEMO-BRE"  # type: ignore[union-attr]
    assert {r.centre.code for r in mine} <= {
        "DEMO-BRE",
        "DEMO-BRE-LANNION",
        "DEMO-BRE-STBRIEUC",
        "DEMO-BRE-QUIMPER",
        "DEMO-BRE-LORIENT",
        "DEMO-BRE-VITRE",
    }
    assert any(e.by == staff for r in to_rennes for e in r.events.all())
    assert DEMO_NOW - timedelta(days=400) < FIRST_SENT


@pytest.mark.parametrize("regions", [["53"], ["11", "53"], ["84"]])
def test_the_reminders_are_counted_as_their_list_holds_them_in_every_scope(
    demo: list[str], regions: list[str]
) -> None:
    from tremplin.orientation.services import count_reminders
    from tremplin.places.models import CnamCentre, Region

    CnamCentre.objects.filter(code="DEMO-BRE-VITRE").update(region_id="11")  # one of each kind
    regional = User.objects.get(username="coord-paris")
    regional.regions.set(Region.objects.filter(code__in=regions))
    users = [regional, *User.objects.filter(username__in=["conseil-ml", "centre-rennes"])]
    for user in users:
        user = User.objects.get(pk=user.pk)  # as a request loads it
        listed = reminders(user, today=DEMO_NOW).count()
        assert count_reminders(user, today=DEMO_NOW) == listed
    assert count_reminders(regional, today=DEMO_NOW) > 0 or regions == ["84"]
