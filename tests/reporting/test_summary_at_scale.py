"""The bilan's summary (« en quelques chiffres ») at national scale: it names the largest of the
graduates' formations and places and sends to the detail table for the rest (a national year's
3,000 certifications in 2,000 formations and places ran over four printed pages), and writes its
thousands apart, as French typography does."""

from __future__ import annotations

from typing import Any

from tremplin.reporting.formats.common import count
from tremplin.reporting.formats.text import GRADUATES_NAMED, _graduates_line
from tremplin.reporting.tables import GraduateRow, Tables

NNBSP = "\u202f"


def tables_with(graduates: list[GraduateRow]) -> Tables:
    return Tables("2020-2021", "tous", [], [], [], [], graduates, [], [], [])


def graduate(place: str, title: str = "Comptabilité", n: Any = 1) -> GraduateRow:
    return GraduateRow("DIE3100", title, "institution_diploma", "Diplôme", place, place, n)


def bilan_of(rows: list[GraduateRow]) -> dict[str, Any]:
    return {"graduates": [{"count": row.count} for row in rows]}


def test_a_few_graduates_are_all_named_in_the_seeds_wording() -> None:
    rows = [graduate("Melun"), graduate("Poissy", "Gestion"), graduate("Melun")]

    line = _graduates_line(bilan_of(rows), tables_with(rows))

    assert line == "3 diplômés : Comptabilité à Melun (2) ; Gestion à Poissy"


def test_many_graduates_name_the_largest_and_send_to_the_table_for_the_others() -> None:
    rows = [graduate(f"Lieu {i:04d}") for i in range(1_200)]
    rows += [graduate("Fresnes") for _ in range(30)] + [graduate("Meaux") for _ in range(12)]

    line = _graduates_line(bilan_of(rows), tables_with(rows))

    assert line.startswith(f"1{NNBSP}242 diplômés : Comptabilité à Fresnes (30) ; ")
    assert "Comptabilité à Meaux (12) ; Comptabilité à Lieu 0000 ; " in line
    assert line.count(" ; ") == GRADUATES_NAMED  # eight named, then the rest
    others = 1_202 - GRADUATES_NAMED
    assert line.endswith(
        f" ; les 1{NNBSP}{others - 1000:03d} autres dans le tableau « Certifications délivrées »"
    )


def test_a_masked_count_is_named_after_the_counted_ones() -> None:
    rows = [graduate(f"Lieu {i}", n="< 5") for i in range(GRADUATES_NAMED)]
    rows += [graduate("Fresnes", n=9)]

    line = _graduates_line(bilan_of(rows), tables_with(rows))

    assert "diplômés : Comptabilité à Fresnes (9) ; Comptabilité à Lieu 0 (< 5)" in line
    assert line.endswith(" ; l'autre dans le tableau « Certifications délivrées »")
    assert "Lieu 7" not in line


def test_counts_write_their_thousands_apart() -> None:
    assert count(33_403, "personne inscrite", "personnes inscrites") == (
        f"33{NNBSP}403 personnes inscrites"
    )
    assert count(1, "personne inscrite", "personnes inscrites") == "1 personne inscrite"
    assert count("< 5", "personne inscrite", "personnes inscrites") == "< 5 personnes inscrites"
