"""The bilan as CSV for French spreadsheets: `;` separator, decimal comma, UTF-8 with BOM; the
headline figures first, then each detail table, separated by a blank line. Every text cell goes
through `safe_cell`: a spreadsheet never runs one as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from tremplin.core.exports import safe_cell

from ..tables import Tables
from .common import WITHHELD, document_title, fr_decimal, headline_rows, publication_note

__all__ = ["csv_format"]


def _cell(value: Any) -> Any:
    if value is None:
        return WITHHELD
    if isinstance(value, float):
        return fr_decimal(value)
    return safe_cell(value)


def csv_format(bilan: dict[str, Any], tables: Tables) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_cell(document_title(tables)), _cell(tables.scope)])
    note = publication_note(tables)
    if note:
        writer.writerow([_cell(note)])
    writer.writerow(["Indicateur", "Valeur"])
    for label, value in headline_rows(bilan, tables):
        writer.writerow([_cell(label), _cell(value)])
    for table in tables.sheets():
        writer.writerow([])
        writer.writerow([_cell(table.title)])
        writer.writerow([_cell(header) for header in table.headers])
        for row in table.rows:
            writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
