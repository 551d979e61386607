"""The orientation statistics in publication mode (issue 17, item 7): whatever page a
statistician opens (all referrals, a mission locale, a region, a centre, a mission locale in a
region; an academic year), no masked count can be recovered by subtracting what the pages show.
With a threshold of 2 the small data set of `conftest.dataset` has cells to mask and cells to
show."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from tests.orientation.conftest import at
from tests.reporting.test_publication_attack import Attacker, Cell
from tremplin.accounts.models import User
from tremplin.orientation import publication
from tremplin.orientation.models import Referral
from tremplin.orientation.publication import NotPublishable, publish_stats
from tremplin.orientation.services import send_referral
from tremplin.orientation.stats import COUNTS, referral_stats
from tremplin.places.models import CnamCentre, MissionLocale
from tremplin.reporting.suppression import primary, suppress

pytestmark = pytest.mark.django_db

PERIODS = ["2025-2026"]
MISSIONS = ["DEMO-ML-STMALO", "DEMO-ML-RENNES"]
CENTRES = ["DEMO-BRE", "DEMO-BRE-VITRE", "DEMO-BRE-STBRIEUC"]
REGION = "53"
MONTHS = ["2026-03", "2026-04"]
#: Every page a statistician can open: a mission locale is never crossed with a centre.
PAGES = [
    (ml, place)
    for ml, place in itertools.product(["*", *MISSIONS], ["*", REGION, *CENTRES])
    if ml == "*" or place not in CENTRES
]
PAGES_CELLS = [(name, ml, place) for name in COUNTS for ml, place in PAGES]


def read_page(attacker: Attacker, period: str, ml: str, place: str) -> None:
    stats = publish_stats(
        referral_stats(
            year=period or None,
            mission_locale=MissionLocale.objects.get(code=ml) if ml != "*" else None,
            centre=CnamCentre.objects.get(code=place) if place in CENTRES else None,
            region=REGION if place == REGION else None,
        ),
        threshold=2,
    )
    assert stats.withheld == (
        ("mission_locale",) if place in CENTRES else ("centre",) if ml != "*" else ()
    )
    for name in COUNTS:
        attacker.read((name, ml, place, period), getattr(stats.total, name))
        for f in stats.by_mission_locale:
            attacker.read((name, f.key, place, period), getattr(f, name))
        for f in stats.by_centre:
            attacker.read((name, ml, f.key, period), getattr(f, name))
        for f in stats.by_region:  # within a centre's page, that centre's referrals
            region = place if place in CENTRES else f.key
            attacker.read((name, ml, region, period), getattr(f, name))
        for f in stats.by_month:
            attacker.read((name, ml, place, f.key), getattr(f, name))


def equations() -> list[tuple[Cell, list[Cell]]]:
    found: list[tuple[Cell, list[Cell]]] = []

    for name, time in itertools.product(COUNTS, [*PERIODS, *MONTHS]):
        for place in ["*", REGION]:  # a mission locale is never published with a centre
            found.append(((name, "*", place, time), [(name, m, place, time) for m in MISSIONS]))
        for ml in ["*", *MISSIONS]:
            found.append(((name, ml, "*", time), [(name, ml, REGION, time)]))
        found.append(((name, "*", REGION, time), [(name, "*", c, time) for c in CENTRES]))
        found.append(((name, "*", "*", time), [(name, "*", c, time) for c in CENTRES]))
    for name, ml, place in PAGES_CELLS:
        for period in PERIODS:
            found.append(((name, ml, place, period), [(name, ml, place, m) for m in MONTHS]))
    return found


def test_no_masked_count_is_recovered_across_the_statisticians_pages(
    dataset: dict[str, Referral],
) -> None:
    attacker = Attacker()
    for period, (ml, place) in itertools.product(PERIODS, PAGES):
        read_page(attacker, period, ml, place)
    assert attacker.masked and attacker.known
    assert not attacker.masked & set(attacker.known)
    attacker.solve(equations())
    recovered = attacker.masked & set(attacker.known)
    assert not recovered, f"recovered by subtraction: {sorted(recovered)}"


def test_the_statistician_sees_the_orientation_statistics_masked(
    dataset: dict[str, Referral], client_as: Callable[[User], Client]
) -> None:
    statistician = client_as(User.objects.get(username="statistique"))
    page = statistician.get("/orientation/statistiques/export/json/?period=2025-2026").json()
    assert page["total"]["enrolled"] == "< 5"
    assert page["total"]["enrolment_rate"] is None


def test_the_statistician_chooses_among_academic_years_and_is_told_why(
    dataset: dict[str, Referral], client_as: Callable[[User], Client]
) -> None:
    statistician = client_as(User.objects.get(username="statistique"))
    page = statistician.get("/orientation/statistiques/")
    assert page.status_code == 200
    choices = page.context["form"].fields["period"].choices
    assert choices and all("-" in value for value, _label in choices)
    assert page.context["stats"].period == "2025-2026"  # the latest year that holds referrals
    refused = statistician.get("/orientation/statistiques/export/json/?period=2026")
    assert refused.status_code == 400
    assert "Période" in refused.content.decode()
    coordinator = client_as(User.objects.get(username="coordination"))
    exact = coordinator.get("/orientation/statistiques/export/json/?period=2026")
    assert exact.status_code == 200 and exact.json()["period"] == "2026"


def test_a_published_page_never_crosses_a_mission_locale_with_a_centre(
    dataset: dict[str, Referral], client_as: Callable[[User], Client]
) -> None:
    statistician = client_as(User.objects.get(username="statistique"))
    both = statistician.get(
        "/orientation/statistiques/",
        {"period": "2025-2026", "mission_locale": MISSIONS[0], "centre": CENTRES[0]},
    )
    assert both.status_code == 400
    assert "ne croisent pas une mission locale et un centre" in both.content.decode()
    centre = statistician.get(
        "/orientation/statistiques/", {"period": "2025-2026", "centre": CENTRES[0]}
    )
    text = centre.content.decode()
    assert centre.context["stats"].withheld == ("mission_locale",)
    assert "ne croisent pas un centre Cnam et les missions locales" in text
    ml = statistician.get(
        "/orientation/statistiques/export/csv/",
        {"period": "2025-2026", "mission_locale": MISSIONS[0]},
    )
    assert ml.status_code == 200
    csv = ml.content.decode("utf-8-sig")
    assert "publiées par région du centre" in csv and "Par centre Cnam" not in csv
    with pytest.raises(NotPublishable, match="année universitaire"):
        publish_stats(referral_stats(year="2026"))


@pytest.fixture
def decisions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The years whose masks are decided, in order."""
    decided: list[str] = []
    decide = publication.decide

    def counted(threshold: int, year: str) -> dict[str, frozenset[str]]:
        decided.append(year)
        return decide(threshold, year)

    monkeypatch.setattr(publication, "decide", counted)
    return decided


def test_the_masks_are_decided_once_per_state_of_the_year_for_every_page(
    dataset: dict[str, Referral],
    decisions: list[str],
    young: Callable[..., object],
    offers: dict[str, object],
    counselor: User,
) -> None:
    pages = [
        {},
        {"mission_locale": MissionLocale.objects.get(code=MISSIONS[0])},
        {"mission_locale": MissionLocale.objects.get(code=MISSIONS[1]), "region": REGION},
        {"centre": CnamCentre.objects.get(code=CENTRES[0])},
    ]
    first = [publish_stats(referral_stats(year="2025-2026", **page), 2) for page in pages]
    again = [publish_stats(referral_stats(year="2025-2026", **page), 2) for page in pages]
    assert decisions == ["2025-2026"] and again == first
    assert any(stats.total.masked for stats in first)

    send_referral(  # a write to the year: its masks are decided again
        young(first_name="Félix"),
        offer=offers["vitre"],
        message="",
        by=counselor,
        now=at(date(2026, 5, 4)),
    )
    publish_stats(referral_stats(year="2025-2026"), 2)
    assert decisions == ["2025-2026", "2025-2026"]


def test_a_write_the_statistics_do_not_read_leaves_their_masks_decided(
    dataset: dict[str, Referral], decisions: list[str]
) -> None:
    from tremplin.catalog.models import TeachingUnit
    from tremplin.enrolment.models import Enrolment
    from tremplin.followup.models import Interview

    first = publish_stats(referral_stats(year="2025-2026"), 2)
    learner = dataset["r1"].learner
    # An enrolment and an interview of the year: the bilan reads them, the statistics do not.
    Enrolment.objects.create(
        learner=learner, academic_year="2025-2026", unit=TeachingUnit.objects.order_by("pk")[0]
    )
    Interview.objects.create(learner=learner, date=date(2026, 3, 3), kind="training_followup")

    assert publish_stats(referral_stats(year="2025-2026"), 2) == first
    assert decisions == ["2025-2026"]
    # A mission locale renamed: every year's statistics name it, decided again.
    MissionLocale.objects.filter(code=MISSIONS[0]).update(name="Mission locale renommée")
    publish_stats(referral_stats(year="2025-2026"), 2)
    assert decisions == ["2025-2026", "2025-2026"]


def test_secondary_suppression_leaves_no_relation_with_a_single_masked_cell() -> None:
    rng = random.Random(7)
    values = {(i, j): rng.choice([0, 1, 2, 3, 8, 20]) for i in range(12) for j in range(9)}
    for i in range(12):
        values[(i, "*")] = sum(values[(i, j)] for j in range(9))
    for j in [*range(9), "*"]:
        values[("*", j)] = sum(values[(i, j)] for i in range(12))
    relations = [((i, "*"), [(i, j) for j in range(9)]) for i in [*range(12), "*"]]
    relations += [(("*", j), [(i, j) for i in range(12)]) for j in [*range(9), "*"]]
    hidden = suppress(values, relations, primary(values, 5))
    assert primary(values, 5) <= hidden
    for total, parts in relations:
        masked = [cell for cell in [total, *parts] if cell in hidden]
        assert len(masked) != 1 or values[masked[0]] == values[total], (total, masked)


def test_the_published_cells_count_what_the_statistics_count(
    dataset: dict[str, Referral],
) -> None:
    """The masks' cells are read without the delays the statistics split by (their medians):
    the same sent, contacted, enrolled and small-or-medium counts, in all and per mission
    locale, per region and per centre."""
    year = "2025-2026"
    values = publication._year_values(year)
    everywhere = referral_stats(year=year)
    for name in COUNTS:
        assert values.get((name, "*", "*", year), 0) == getattr(everywhere.total, name)
    for code in MISSIONS:
        mine = referral_stats(year=year, mission_locale=MissionLocale.objects.get(code=code))
        for name in COUNTS:
            assert values.get((name, code, "*", year), 0) == getattr(mine.total, name)
            assert values.get((name, code, f"r:{REGION}", year), 0) == getattr(mine.total, name)
    for code in CENTRES:
        theirs = referral_stats(year=year, centre=CnamCentre.objects.get(code=code))
        for name in COUNTS:
            assert values.get((name, "*", f"c:{code}", year), 0) == getattr(theirs.total, name)
    assert everywhere.total.contacted > 0 and everywhere.total.sent > everywhere.total.contacted
