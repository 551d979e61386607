"""The bilan as CSV for French spreadsheets: `;` separator, decimal comma, UTF-8 with BOM; the
headline figures first, then each detail table, separated by a blank line. Every text cell goes
through `safe_cell`: a spreadsheet never runs one as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from tremplin.core.exports import safe_cell

from ..tables import Tables
from .common import WITHHELD, Report, bilan_report, fr_decimal

__all__ = ["csv_format", "report_csv"]


def _cell(value: Any) -> Any:
    if value is None:
        return WITHHELD
    if isinstance(value, float):
        return fr_decimal(value)
    return safe_cell(value)


def csv_format(bilan: dict[str, Any], tables: Tables) -> bytes:
    return report_csv(bilan_report(bilan, tables))


def report_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_cell(report.title), _cell(report.scope)])
    if report.note:
        writer.writerow([_cell(report.note)])
    writer.writerow(["Indicateur", "Valeur"])
    for label, value in report.headline:
        writer.writerow([_cell(label), _cell(value)])
    for table in report.sheets:
        writer.writerow([])
        writer.writerow([_cell(table.title)])
        writer.writerow([_cell(header) for header in table.headers])
        for row in table.rows:
            writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
