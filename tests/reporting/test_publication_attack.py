"""Publication mode protects individuals (issue 17, item 7): an attacker who downloads the
published bilan of every scope combination (the whole programme, each DISP, each
establishment, each sector, each DISP or establishment within a sector) and solves every
« total = sum of parts » equation the structure allows recovers no masked count; the
statistician only ever gets published figures; graduates are listed by formation only when the
cell reaches the threshold; the orientation statistics are masked the same way.

The data set is small and of the national shape: three DISPs, five establishments, two sectors,
one UE per sector and one enrolment per learner (so that every count is exactly additive: the
attacker's equations are exact)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from tests.reporting.test_bilan_definitions import (
    COMPTA,
    FRESNES,
    INFO,
    LILLE,
    MELUN,
    NANTES,
    RENNES,
    YEAR,
    certify,
    enrol,
    interview,
    person,
    unit,
)
from tremplin.accounts.models import User
from tremplin.catalog.models import Sector
from tremplin.orientation.publication import publish_stats
from tremplin.orientation.stats import Figures, referral_stats
from tremplin.reporting.bilan import compute_bilan
from tremplin.reporting.tables import bilan_tables, publish

pytestmark = pytest.mark.django_db

DISPS = {"DISP PARIS": [MELUN, FRESNES], "DISP RENNES": [RENNES, NANTES], "DISP LILLE": [LILLE]}
#: Learners per establishment and sector (one enrolment each).
SHAPE = {
    (MELUN, COMPTA): 6,
    (MELUN, INFO): 2,
    (FRESNES, COMPTA): 3,
    (RENNES, COMPTA): 7,
    (RENNES, INFO): 5,
    (NANTES, COMPTA): 1,
    (NANTES, INFO): 6,
    (LILLE, INFO): 8,
}
#: People followed per establishment (one information interview each).
FOLLOWED = {MELUN: 3, RENNES: 6, LILLE: 1}
#: Graduates per (establishment, formation).
GRADUATES = {(MELUN, "DIE3100"): 4, (RENNES, "DIE3100"): 2, (LILLE, "CPN63"): 1}
ALL = "*"

Cell = tuple[Any, ...]


@pytest.fixture
def national_shape() -> None:
    for (label, sector), n in SHAPE.items():
        for _ in range(n):
            enrol(person(label), unit(sector, 0), label)
    for label, n in FOLLOWED.items():
        for _ in range(n):
            interview(person(label, arrived=date(2019, 6, 1)), date(2019, 12, 1))
    for (label, formation), n in GRADUATES.items():
        for _ in range(n):
            certify(person(label), formation, date(2020, 6, 30), label)


def scopes() -> list[tuple[str | None, str | None, str | None]]:
    places: list[tuple[str | None, str | None]] = [(None, None)]
    places += [(d, None) for d in DISPS] + [(None, e) for labels in DISPS.values() for e in labels]
    return [(d, e, s) for (d, e), s in itertools.product(places, [None, COMPTA, INFO])]


class Attacker:
    """What the published outputs give away: the cells shown as numbers, the cells masked."""

    def __init__(self) -> None:
        self.known: dict[Cell, int] = {}
        self.masked: set[Cell] = set()

    def read(self, cell: Cell, value: object) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            assert self.known.setdefault(cell, value) == value, cell
        else:
            self.masked.add(cell)

    def solve(self, equations: list[tuple[Cell, list[Cell]]]) -> None:
        """Every equation total = sum(parts) with one unknown gives it; until nothing moves."""
        moved = True
        while moved:
            moved = False
            for total, parts in equations:
                unknown = [c for c in [total, *parts] if c not in self.known]
                if len(unknown) != 1:
                    continue
                (cell,) = unknown
                if cell == total:
                    self.known[cell] = sum(self.known[p] for p in parts)
                else:
                    others = sum(self.known[p] for p in parts if p != cell)
                    self.known[cell] = self.known[total] - others
                moved = True


def place_of(disp: str | None, establishment: str | None) -> str:
    return establishment or disp or ALL


def read_scope(attacker: Attacker, disp: str | None, est: str | None, sector: str | None) -> None:
    bilan = compute_bilan(YEAR, disp=disp, establishment=est, sector=sector)
    document, tables = publish(bilan, bilan.as_dict(), bilan_tables(bilan))
    here, column = place_of(disp, est), sector or ALL
    codes = dict(Sector.objects.values_list("name", "code"))
    attacker.read(("learners", here, column), document["enrolled_learners"])
    attacker.read(("learners", here, column), document["ue_enrollments"])
    for row in document["by_disp"]:
        attacker.read(("learners", est or row["disp"], column), row["learners"])
    for e in tables.establishments:
        attacker.read(("learners", e.label, column), e.learners)
        attacker.read(("learners", e.label, column), e.enrolments)
    for s in tables.sectors:
        attacker.read(("learners", here, codes[s.name]), s.learners)
        attacker.read(("learners", here, codes[s.name]), s.enrolments)
    for u in tables.units:  # one UE per sector: the sector's learners
        attacker.read(("learners", here, codes[u.sector]), u.enrolments)
    attacker.read(("followed", here), document["followup"]["people_followed"])
    for f in tables.followup:
        if f.kind == "information_orientation":
            attacker.read(("followed", here), f.people)
    for row in document["graduates"]:
        assert row["establishment"] is None
        count = row["count"]
        assert not isinstance(count, int) or count >= 5 or row["formation"] is None, row
    for g in tables.graduates:
        assert g.establishment is None
        assert not isinstance(g.count, int) or g.count >= 5 or not g.formation, g


def equations() -> list[tuple[Cell, list[Cell]]]:
    found: list[tuple[Cell, list[Cell]]] = []
    for column in (ALL, COMPTA, INFO):
        cell = ("learners", ALL, column)
        found.append((cell, [("learners", d, column) for d in DISPS]))
        for d, labels in DISPS.items():
            found.append((("learners", d, column), [("learners", e, column) for e in labels]))
    places = [ALL, *DISPS, *itertools.chain(*DISPS.values())]
    for p in places:
        found.append((("learners", p, ALL), [("learners", p, COMPTA), ("learners", p, INFO)]))
    found.append((("followed", ALL), [("followed", d) for d in DISPS]))
    for d, labels in DISPS.items():
        found.append((("followed", d), [("followed", e) for e in labels]))
    return found


def test_no_masked_cell_is_recovered_by_subtraction_over_every_scope_combination(
    national_shape: None,
) -> None:
    attacker = Attacker()
    for disp, est, sector in scopes():
        read_scope(attacker, disp, est, sector)
    assert attacker.masked, "the data set has small cells to protect"
    shown_and_masked = attacker.masked & set(attacker.known)
    assert not shown_and_masked, f"masked in one output, shown in another: {shown_and_masked}"
    attacker.solve(equations())
    recovered = attacker.masked & set(attacker.known)
    assert not recovered, f"recovered by subtraction: {recovered}"


def test_the_published_bilan_masks_the_small_cells_and_lists_graduates_only_in_large_cells(
    national_shape: None,
) -> None:
    bilan = compute_bilan(YEAR, establishment=LILLE)
    document, tables = publish(bilan, bilan.as_dict(), bilan_tables(bilan))
    assert document["graduates"] == [
        {"formation": None, "kind": None, "establishment": None, "count": "< 5"}
    ]
    assert document["followup"]["people_followed"] == "< 5"
    whole = compute_bilan(YEAR)
    document, tables = publish(whole, whole.as_dict(), bilan_tables(whole))
    # 6 DIE3100 and 1 CPN63: listing the 6 next to the total would give the 1 away.
    assert [(g["formation"], g["count"]) for g in document["graduates"]] == [(None, 7)]
    fresnes = next(e for e in tables.establishments if e.label == FRESNES)
    assert (fresnes.learners, fresnes.enrolments, fresnes.validated) == ("< 5", None, None)
    for sector in tables.sectors:
        if isinstance(sector.learners, str):
            assert (sector.enrolments, sector.validated, sector.rate) == (None, None, None)


def test_the_statistician_always_gets_the_published_figures(
    national_shape: None, client_as: Callable[[User], Client]
) -> None:
    client = client_as(User.objects.get(username="statistique"))
    url = f"/rapports/export/json/?year={YEAR}&establishment={LILLE}"
    document = json.loads(client.get(url).content)
    assert document["followup"]["people_followed"] == "< 5"
    assert document["graduates"][0]["count"] == "< 5"
    coordinator = client_as(User.objects.get(username="coordination"))
    exact = json.loads(coordinator.get(url).content)
    assert exact["followup"]["people_followed"] == 1


def figures(key: str, sent: int, contacted: int, enrolled: int) -> Figures:
    return Figures(key, key, sent, contacted, enrolled, 0, 3.0)


def test_the_orientation_statistics_are_masked_with_secondary_suppression() -> None:
    stats = referral_stats(year="2025-2026")
    stats = type(stats)(
        period="2025-2026",
        start=None,
        end=None,
        regions=(),
        mission_locale="",
        centre="",
        total=figures("total", 20, 12, 9),
        by_mission_locale=(figures("A", 12, 8, 8), figures("B", 8, 4, 1)),
        by_centre=(figures("C", 20, 12, 9),),
        by_region=(figures("R", 20, 12, 9),),
        by_month=(),
    )
    public = publish_stats(stats)
    a, b = public.by_mission_locale
    assert b.enrolled == "< 5" and a.enrolled == "n.c."  # else 9 - 8 gives B's 1
    assert b.contacted == "< 5" and a.contacted == "n.c."
    assert (b.enrolment_rate, b.median_days_to_first_contact) == (None, None)
    assert public.total.enrolled == 9 and public.by_centre[0].enrolled == 9


def test_the_years_masks_are_decided_once_per_state_of_its_data(
    national_shape: None, client_as: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tremplin.reporting import publication

    before = "2018-2019"
    enrol(person(LILLE), unit(COMPTA, 0), LILLE, year=before)  # a year the trends show
    read: list[str] = []
    enrolments = publication._enrolments

    def counted(among: dict[str, str]) -> Any:
        read.append(among["academic_year"])
        return enrolments(among)

    monkeypatch.setattr(publication, "_enrolments", counted)
    client = client_as(User.objects.get(username="statistique"))
    url = f"/rapports/export/json/?year={YEAR}"
    first = client.get(url).content
    scoped = json.loads(client.get(f"{url}&establishment={LILLE}").content)
    assert client.get(url).content == first and sorted(read) == [before, YEAR]
    assert scoped["graduates"][0]["count"] == "< 5"
    dashboard = client.get(f"/rapports/?year={YEAR}").context["tables"]
    assert {t.year: t.learners for t in dashboard.trends}[before] == "< 5"

    # A write to the year only (the learner arrived during it): only the year is decided again.
    enrol(person(LILLE, arrived=date(2019, 10, 1)), unit(COMPTA, 0), LILLE)
    assert json.loads(client.get(url).content) != json.loads(first)
    assert sorted(read) == [before, YEAR, YEAR]
