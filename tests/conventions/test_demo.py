"""The demo conventions: the six of the seeds, loaded twice without change."""

from __future__ import annotations

from datetime import date

import pytest

from tremplin.conventions.indicators import INDICATORS
from tremplin.conventions.models import Convention, Objective
from tremplin.conventions.selectors import scope_description
from tremplin.demo.conventions import DEMO_CONVENTIONS, load_conventions

pytestmark = pytest.mark.django_db


def snapshot() -> list[object]:
    rows: list[object] = []
    for convention in Convention.objects.order_by("pk"):
        rows.append(
            (
                convention.pk,
                convention.title,
                convention.kind,
                convention.parties,
                convention.signed_on,
                convention.ends_on,
                convention.scope,
                convention.summary,
                convention.updated_at,
                sorted(convention.disps.values_list("code", flat=True)),
                sorted(convention.establishments.values_list("label", flat=True)),
                sorted(convention.regions.values_list("code", flat=True)),
            )
        )
    rows += list(Objective.objects.order_by("pk").values_list())
    return rows


def test_the_demo_conventions_load_twice_without_change() -> None:
    first = load_conventions()
    assert first[0].startswith("Conventions : 6 créées")
    before = snapshot()
    assert load_conventions() == ["Conventions : rien de nouveau (6 conventions)."]
    assert snapshot() == before


def test_the_six_conventions_of_the_seeds() -> None:
    load_conventions()
    assert sorted(Convention.objects.values_list("signed_on", flat=True)) == [
        date(2015, 6, 1),
        date(2017, 1, 1),
        date(2018, 1, 1),
        date(2020, 1, 1),
        date(2020, 1, 1),
        date(2021, 6, 9),
    ]
    by_title = {c.title: c for c in Convention.objects.all()}
    assert len(by_title) == 6
    kinds = sorted(c.kind for c in by_title.values())
    assert kinds == [
        "national_dap_cnam",
        "national_dap_cnam",
        "regional_tripartite",
        "regional_tripartite",
        "regional_tripartite",
        "state_unml_cnam",
    ]
    scopes = {c.title: scope_description(c) for c in by_title.values()}
    assert sorted(scopes.values()) == sorted(
        [
            "DISP PARIS",
            "DISP PARIS",
            "DISP RENNES",
            "Tout le territoire national",
            "Tout le territoire national",
            "Tout le territoire national",
        ]
    )
    for convention in by_title.values():
        assert len(convention.party_list) >= 2
        assert convention.objectives.exists()
        assert convention.ends_on is None  # no source gives one
        if convention.signed_on.day == 1 and convention.signed_on != date(2021, 6, 9):
            assert "la date retenue est le 1er" in convention.summary
    unml = next(c for c in by_title.values() if c.kind == "state_unml_cnam")
    assert unml.signed_on == date(2021, 6, 9)
    assert list(unml.objectives.values_list("indicator", flat=True)) == ["mission_locale_referrals"]


def test_every_demo_objective_names_a_registered_indicator() -> None:
    for demo in DEMO_CONVENTIONS:
        for objective in demo.objectives:
            assert objective.indicator in INDICATORS
