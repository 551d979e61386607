"""The orientation statistics in publication mode (issue 17, item 7): whatever page a
statistician opens (all referrals, a mission locale, a region, a centre; a calendar year, an
academic year, all periods), no masked count can be recovered by subtracting what the pages
show. With a threshold of 2 the small data set of `conftest.dataset` has cells to mask and cells
to show."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.test import Client

from tests.reporting.test_publication_attack import Attacker, Cell
from tremplin.accounts.models import User
from tremplin.orientation.models import Referral
from tremplin.orientation.stats import COUNTS, publish_stats, referral_stats
from tremplin.places.models import CnamCentre, MissionLocale

pytestmark = pytest.mark.django_db

PERIODS = ["2026", "2025-2026", ""]
MISSIONS = ["DEMO-ML-STMALO", "DEMO-ML-RENNES"]
CENTRES = ["DEMO-BRE", "DEMO-BRE-VITRE", "DEMO-BRE-STBRIEUC"]
REGION = "53"
MONTHS = ["2026-03", "2026-04"]


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
    places = ["*", REGION, *CENTRES]
    for name, time in itertools.product(COUNTS, [*PERIODS, *MONTHS]):
        for place in places:
            found.append(((name, "*", place, time), [(name, m, place, time) for m in MISSIONS]))
        for ml in ["*", *MISSIONS]:
            found.append(((name, ml, "*", time), [(name, ml, REGION, time)]))
            found.append(((name, ml, REGION, time), [(name, ml, c, time) for c in CENTRES]))
    for name, ml, place in itertools.product(COUNTS, ["*", *MISSIONS], places):
        for period in PERIODS:
            found.append(((name, ml, place, period), [(name, ml, place, m) for m in MONTHS]))
    return found


def test_no_masked_count_is_recovered_across_the_statisticians_pages(
    dataset: dict[str, Referral],
) -> None:
    attacker = Attacker()
    for period, ml, place in itertools.product(PERIODS, ["*", *MISSIONS], ["*", REGION, *CENTRES]):
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
    page = statistician.get("/orientation/statistiques/export/json/?period=2026").json()
    assert page["total"]["enrolled"] == "< 5"
    assert page["total"]["enrolment_rate"] is None
