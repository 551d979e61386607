"""Publication mode reads a year's enrolments from the year's covering index and names their
places and UEs from memory; a place or a UE created after the names were read (a concurrent
write) is looked up once, not once per row."""

from __future__ import annotations

import pytest

from tests.personal_world import make_record
from tremplin.reporting import publication

pytestmark = pytest.mark.django_db


def test_a_place_or_ue_unknown_to_the_names_read_is_looked_up_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):
        make_record(f"READ-000{n}", establishment="CD MELUN")
    among = {"academic_year": "2026-2027"}
    expected = sorted(publication._enrolments(among))
    looked_up: list[object] = []
    place, unit = publication._place, publication._unit
    monkeypatch.setattr(publication, "_places", dict)  # names read before the place existed
    monkeypatch.setattr(publication, "_place", lambda pk: looked_up.append(pk) or place(pk))
    monkeypatch.setattr(publication, "_unit", lambda pk: looked_up.append(pk) or unit(pk))
    monkeypatch.setattr(
        "tremplin.catalog.models.TeachingUnit.objects.values_list", lambda *fields: []
    )

    rows = sorted(publication._enrolments(among))

    assert len(rows) == 3 and rows == expected
    assert {row[3] for row in rows} == {"CD MELUN"} and {row[5] for row in rows} == {"CCG101"}
    assert len(looked_up) == 2  # the establishment once, the UE once
