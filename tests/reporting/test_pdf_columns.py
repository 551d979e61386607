"""The printed tables' column widths (reporting.formats.pdf.column_widths): measured in the
State's typeface, a wide table fits its page with every figure whole."""

from __future__ import annotations

import pytest

from tremplin.core.pdf import text_width
from tremplin.orientation.report import HEADERS as FIGURES
from tremplin.reporting.formats.pdf import CELL_PADDING, column_widths, display_table
from tremplin.reporting.tables import Table

HEADERS = ("Code", "Mission locale", *FIGURES)
NUMERIC = (False, False, True, True, True, True, True, True, True)
ROWS = [
    (
        "DEMO-CVL-CHATEAUROUX",
        "Mission locale du bassin d'emploi de Châteauroux et de l'Indre (démo)",
        "12\u00a0345",
        "9\u00a0876",
        "1\u00a0234",
        "100,00\u00a0%",
        "25,00\u00a0%",
        "12\u00a0j",
        "100,00\u00a0%",
    ),
    (
        "NAT-ML-010",
        "Mission locale de Orly (démo)",
        "916",
        "628",
        "193",
        "68,56\u00a0%",
        "21,07\u00a0%",
        "7\u00a0j",
        "99,45\u00a0%",
    ),
]


def room(share: float, table_em: float) -> float:
    """The text room of a column given `share` percent of a table `table_em` wide, give or take
    the share's rounding to a tenth of a percent (the padding keeps a margin for it)."""
    return (share + 0.05) / 100 * table_em - CELL_PADDING


def test_a_text_is_measured_in_the_typeface_bold_wider_and_a_missing_letter_averaged() -> None:
    assert text_width("mmmm") > text_width("iiii") > 0
    assert text_width("Envoyées", bold=True) > text_width("Envoyées")
    assert text_width("\u4e2d") == pytest.approx(0.55)  # not in Marianne


def test_the_shares_fill_the_table() -> None:
    widths = column_widths(HEADERS, ROWS, NUMERIC, 67.0)

    assert len(widths) == len(HEADERS)
    assert sum(widths) == pytest.approx(100, abs=0.5)


def test_a_squeezed_table_keeps_every_figure_and_code_whole_and_wraps_the_names() -> None:
    table_em = 67.0  # 178 mm at 7.5 pt: the orientation statistics' page
    widths = column_widths(HEADERS, ROWS, NUMERIC, table_em)

    for i, numeric in enumerate(NUMERIC):
        if numeric:  # the widest figure on one line
            widest = max(text_width(row[i]) for row in ROWS)
            assert room(widths[i], table_em) >= widest, HEADERS[i]
        # every header's longest word on one line
        longest = max(text_width(word, bold=True) for word in HEADERS[i].split())
        assert room(widths[i], table_em) >= longest, HEADERS[i]
    assert room(widths[0], table_em) >= text_width("DEMO-CVL-CHATEAUROUX")
    assert room(widths[1], table_em) < text_width(ROWS[0][1])  # the long name wraps


def test_a_narrow_table_shares_the_page_by_what_each_column_holds() -> None:
    widths = column_widths(("Secteur", "Inscrits"), [("Informatique", "12")], (False, True), 58.0)

    assert sum(widths) == pytest.approx(100, abs=0.2)
    assert widths[0] > widths[1]


def test_a_printed_table_carries_its_widths_and_a_page_leaves_them_to_the_browser() -> None:
    table = Table(
        "units", "Par UE", "Par unité d'enseignement", ("Code", "Inscriptions"), [("NFA008", 1234)]
    )

    printed = display_table(table, 58.0)
    shown = display_table(table)

    assert [header["num"] for header in printed["headers"]] == [False, True]
    assert sum(header["width"] for header in printed["headers"]) == pytest.approx(100, abs=0.2)
    assert [header for header in shown["headers"]] == [
        {"text": "Code", "num": False},
        {"text": "Inscriptions", "num": True},
    ]
    assert (
        printed["rows"]
        == shown["rows"]
        == [[{"text": "NFA008", "num": False}, {"text": "1\u202f234", "num": True}]]
    )


def test_odd_cells_are_measured_and_the_shares_add_up_to_the_whole() -> None:
    headers = ("Nom", "Note", "Total")
    rows = [(" " * 80, "7\u00a0j", "12\u202f345"), ("Le Gall", "", "1")]

    widths = column_widths(headers, rows, (False, True, True), 58.0)

    assert sum(widths) == pytest.approx(100.0, abs=1e-9)
    assert all(width > 0 for width in widths)


def test_a_no_break_space_holds_its_words_together() -> None:
    one_word = column_widths(("Durée",), [("1\u00a0000\u00a0jours ouvrés",)], (False,), 58.0)
    apart = column_widths(("Durée", "x"), [("1 000 jours ouvrés", "x")], (False, True), 1.0)
    held = column_widths(
        ("Durée", "x"), [("1\u00a0000\u00a0jours ouvrés", "x")], (False, True), 1.0
    )

    assert one_word == [100.0]
    assert held[0] > apart[0]  # squeezed, the text keeps « 1 000 jours » on one line
