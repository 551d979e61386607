"""Who reads which young people and referrals (through the models' permissions and the
selectors the pages use; the pages' 404 is tested with the pages)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tremplin.accounts.models import User
from tremplin.learners.models import Learner
from tremplin.orientation.models import CentreOffer, Referral, YouthProfile
from tremplin.orientation.selectors import (
    ReferralFilters,
    referral_events,
    referral_for,
    referrals_of_centre,
    referrals_of_mission_locale,
    search_referrals,
    status_counts,
    young_people,
    young_person_for,
)
from tremplin.orientation.services import move_referral, send_referral
from tremplin.places.models import CnamCentre, MissionLocale, Region

from .conftest import YoungPersonFactory, commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    young: YoungPersonFactory,
    offers: dict[str, CentreOffer],
    counselor: User,
    rennes_counselor: User,
    staff: User,
) -> dict[str, Referral]:
    """Saint-Malo young people referred to Rennes (DEMO-BRE) and Vitré; a Rennes young person
    referred to Rennes."""
    malo = young(first_name="Maël")
    rennes = young(
        first_name="Rose",
        mission_locale=MissionLocale.objects.get(code="DEMO-ML-RENNES"),
        commune=commune("35238"),
        by=rennes_counselor,
    )
    referrals = {
        "malo_rennes": send_referral(malo, offer=offers["rennes"], message="", by=counselor),
        "malo_vitre": send_referral(malo, offer=offers["vitre"], message="", by=counselor),
        "rennes_rennes": send_referral(
            rennes, offer=offers["rennes"], message="", by=rennes_counselor
        ),
    }
    referrals["malo_rennes"] = move_referral(referrals["malo_rennes"], "contact", by=staff)
    return referrals


def test_a_counselor_reads_only_their_mission_locales_young_people(
    world: dict[str, Referral], counselor: User, rennes_counselor: User
) -> None:
    malo = world["malo_rennes"].learner
    rennes = world["rennes_rennes"].learner

    assert list(young_people(counselor)) == [malo]
    assert list(young_people(rennes_counselor)) == [rennes]
    assert young_person_for(counselor, rennes.pk) is None
    assert young_person_for(counselor, malo.pk) == malo
    assert not Learner.permissions.can_read(counselor, rennes)
    assert not YouthProfile.permissions.can_read(
        counselor, YouthProfile.objects.get(learner=rennes)
    )


def test_a_counselor_reads_only_their_mission_locales_referrals(
    world: dict[str, Referral], counselor: User
) -> None:
    mine = {world["malo_rennes"].pk, world["malo_vitre"].pk}

    assert {r.pk for r in search_referrals(counselor)} == mine
    assert referral_for(counselor, world["rennes_rennes"].pk) is None
    assert not Referral.permissions.can_read(counselor, world["rennes_rennes"])
    centre = CnamCentre.objects.get(code="DEMO-BRE")
    assert [r.pk for r in referrals_of_centre(counselor, centre)] == [world["malo_rennes"].pk]
    other_ml = MissionLocale.objects.get(code="DEMO-ML-RENNES")
    assert list(referrals_of_mission_locale(counselor, other_ml)) == []


def test_centre_staff_read_only_the_referrals_addressed_to_their_centre(
    world: dict[str, Referral], staff: User, vitre_staff: User
) -> None:
    assert {r.pk for r in search_referrals(staff)} == {
        world["malo_rennes"].pk,
        world["rennes_rennes"].pk,
    }
    assert [r.pk for r in search_referrals(vitre_staff)] == [world["malo_vitre"].pk]
    assert referral_for(vitre_staff, world["malo_rennes"].pk) is None
    # The young people's own records stay with the missions locales.
    assert list(young_people(staff)) == []


def test_the_statistician_and_other_regions_read_no_referral(
    world: dict[str, Referral], statistician: User
) -> None:
    paris = User.objects.get(username="coord-paris")
    assert list(search_referrals(statistician)) == []
    assert list(search_referrals(paris)) == []
    assert list(young_people(statistician)) == []


def test_the_national_coordinator_reads_everything(
    world: dict[str, Referral], coordinator: User
) -> None:
    assert search_referrals(coordinator).count() == 3
    assert young_people(coordinator).count() == 2


def test_the_lists_filter_by_status_and_by_name_and_count_per_status(
    world: dict[str, Referral], staff: User
) -> None:
    centre = CnamCentre.objects.get(code="DEMO-BRE")

    contacted = referrals_of_centre(staff, centre, ReferralFilters(status="contacted"))
    live = referrals_of_centre(staff, centre, ReferralFilters(status="live"))
    by_name = referrals_of_centre(staff, centre, ReferralFilters(q="rose"))

    assert [r.pk for r in contacted] == [world["malo_rennes"].pk]
    assert live.count() == 2
    assert [r.pk for r in by_name] == [world["rennes_rennes"].pk]
    counts = status_counts(referrals_of_centre(staff, centre))
    assert counts["sent"] == 1 and counts["contacted"] == 1 and counts["closed"] == 0
    assert counts["live"] == 2 and counts["all"] == 2


def test_a_referrals_history_is_read_oldest_first(world: dict[str, Referral], staff: User) -> None:
    referral = referral_for(staff, world["malo_rennes"].pk)
    assert referral is not None
    assert [e.to_status for e in referral_events(referral)] == ["sent", "contacted"]


@pytest.mark.parametrize("regions", [["53"], ["11"], ["11", "53"], ["84"]])
def test_a_regions_referrals_are_counted_as_its_list_holds_them(
    world: dict[str, Referral], regions: list[str]
) -> None:
    CnamCentre.objects.filter(code="DEMO-BRE-VITRE").update(region_id="11")  # one of each kind
    regional = User.objects.get(username="coord-paris")
    regional.regions.set(Region.objects.filter(code__in=regions))
    for status in ["", "sent", "contacted"]:
        chosen = Referral.objects.filter(status=status) if status else Referral.objects.all()
        listed = Referral.permissions.readable(regional, chosen)
        assert Referral.permissions.readable_count(regional, chosen) == listed.count()
    expected = {("53",): 3, ("11",): 1, ("11", "53"): 3, ("84",): 0}[tuple(regions)]
    assert Referral.permissions.readable(regional, Referral.objects.all()).count() == expected


def test_a_regions_centres_and_missions_locales_are_read_once_per_request(
    world: dict[str, Referral],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    regional = User.objects.get(username="coord-paris")
    regional.regions.set(Region.objects.filter(code="11"))
    regional = User.objects.get(pk=regional.pk)  # as a request loads it
    with CaptureQueriesContext(connection) as queries:
        first = list(Referral.permissions.readable(regional, Referral.objects.all()))
        again = list(Referral.permissions.readable(regional, Referral.objects.all()))
        Referral.permissions.readable_count(regional, Referral.objects.all())
    assert first == again
    places = [q["sql"] for q in queries if 'FROM "places_cnamcentre"' in q["sql"]]
    assert len(places) == 1


def test_a_searched_referral_shows_its_places_and_formation_read_for_the_page_only(
    world: dict[str, Referral], coordinator: User
) -> None:
    """On PostgreSQL a search by name joins only the young people (the planner cannot count the
    matches of typed words, and joined every match's places before sorting); the page's places
    and formations are read for its rows. On SQLite everything is joined."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    expected = world["rennes_rennes"]
    shown = (
        expected.mission_locale.name,
        expected.centre.name,
        expected.centre.commune.name,
        expected.formation.code if expected.formation else None,
    )
    with CaptureQueriesContext(connection) as queries:
        [found] = list(search_referrals(coordinator, ReferralFilters(q="rose"))[:50])
        assert (
            found.mission_locale.name,
            found.centre.name,
            found.centre.commune.name,
            found.formation.code if found.formation else None,
        ) == shown
        assert found.learner.first_name == "Rose"
    page = queries.captured_queries[0]["sql"]
    assert "learners_learner" in page
    if connection.vendor == "postgresql":
        assert "places_missionlocale" not in page and "places_cnamcentre" not in page
        assert len(queries) == 3 + (1 if found.formation else 0)
    else:
        assert "places_missionlocale" in page
        assert "learner_search" in page  # the full-text index, where LIKE read every learner
        assert len(queries) == 1


def test_the_referrals_page_finds_a_young_persons_referrals_by_name_within_the_scope(
    world: dict[str, Referral], counselor: User, client_as: Callable[[User], Client]
) -> None:
    from tremplin.core.models import AuditEvent

    regional = User.objects.get(username="coord-paris")
    regional.regions.set(Region.objects.filter(code="53"))
    rose = world["rennes_rennes"]
    malo = world["malo_rennes"].learner

    page = client_as(regional).get("/orientation/", {"q": "ROSE"}).content.decode()
    assert "1 orientation pour « ROSE »" in page
    assert f'href="/orientation/{rose.pk}/"' in page
    assert f'href="/orientation/{world["malo_rennes"].pk}/"' not in page
    # Words narrow the status too, and the search is kept across the status filter.
    contacted = client_as(regional).get("/orientation/", {"q": "rose", "status": "contacted"})
    assert (
        "Aucune orientation ne correspond à « rose » avec ce statut" in contacted.content.decode()
    )
    # A counselor finds their young person by reference, and never another mission locale's.
    client = client_as(counselor)
    theirs = client.get("/orientation/", {"q": malo.reference.lower()}).content.decode()
    assert "2 orientations pour" in theirs
    elsewhere = client.get("/orientation/", {"q": rose.learner.reference}).content.decode()
    assert f'href="/orientation/{rose.pk}/"' not in elsewhere
    assert "Aucune orientation ne correspond" in elsewhere
    # Among the reminders too (none is overdue here).
    overdue = client.get("/orientation/", {"q": "maël", "status": "reminder"}).content.decode()
    assert "Aucune orientation ne correspond à « maël »" in overdue
    summaries = AuditEvent.objects.filter(summary__startswith="statut=").values_list(
        "summary", flat=True
    )
    assert sorted(summaries) == [
        "statut=, recherche par nom, page 1",
        "statut=, recherche par nom, page 1",
        "statut=, recherche par nom, page 1",
        "statut=contacted, recherche par nom, page 1",
        "statut=reminder, recherche par nom, page 1",
    ]


def test_a_searched_page_is_the_same_read_through_the_matches_or_in_the_pages_order(
    world: dict[str, Referral], coordinator: User, counselor: User
) -> None:
    """The count of a search chooses how its page is read (neither planner can count typed
    words' matches): few matches through their index then sorted, many in the page's order,
    each referral tested; a local scope's referrals are always each tested. Same rows, same
    order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filters = ReferralFilters(q="ma")  # Maël's two referrals
    ways = {}
    for matches in (None, 0, 10**9):
        with CaptureQueriesContext(connection) as queries:
            ways[matches] = [r.pk for r in search_referrals(coordinator, filters, matches=matches)]
        [page] = [q["sql"] for q in queries if 'JOIN "learners_learner"' in q["sql"]]
        ways[f"sql {matches}"] = page
    expected = [world["malo_vitre"].pk, world["malo_rennes"].pk]
    assert ways[None] == ways[0] == ways[10**9] == expected
    if connection.vendor == "sqlite":
        assert '"learner_id" + 0' in ways[f"sql {10**9}"]
        assert '"learner_id" + 0' not in ways["sql 0"]
    else:
        assert "ORDER BY (" in ways["sql 0"] and "ORDER BY (" not in ways[f"sql {10**9}"]
    # A counselor's referrals are each tested against the matches, whatever their count.
    with CaptureQueriesContext(connection) as queries:
        mine = [r.pk for r in search_referrals(counselor, filters)]
    assert mine == expected
    if connection.vendor == "sqlite":
        assert '"learner_id" + 0' in queries.captured_queries[0]["sql"]
