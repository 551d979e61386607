"""The bilan as an Excel workbook: a "Chiffres clés" sheet, then one sheet per detail table; bold
headers, fitted column widths, numbers stored as numbers (percentages with two decimals). A text
cell is always stored as text: a label starting with "=" is never run as a formula."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..tables import Tables
from .common import WITHHELD, Report, bilan_report

__all__ = ["report_xlsx", "xlsx_format"]

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, size=9)
MAX_WIDTH = 70


def _put(sheet: Any, row: int, column: int, value: Any, font: Font | None = None) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        value = WITHHELD
    if isinstance(value, str):
        # Control characters cannot be stored in a workbook: they are dropped, not fatal.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the first character
    elif isinstance(value, float):
        cell.number_format = "0.00"
    if font is not None:
        cell.font = font


def _fit(sheet: Any, skip_rows: int = 0) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is None:
                continue
            text = f"{cell.value:.2f}" if isinstance(cell.value, float) else str(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 3, MAX_WIDTH)


def xlsx_format(bilan: dict[str, Any], tables: Tables) -> bytes:
    return report_xlsx(bilan_report(bilan, tables))


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    workbook.properties.title = report.title
    workbook.properties.creator = "Cnam · Tremplin"
    sheet = workbook.active
    sheet.title = "Chiffres clés"
    _put(sheet, 1, 1, f"{report.title} — {report.scope}", TITLE)
    row = 2
    if report.note:
        _put(sheet, row, 1, report.note, NOTE)
        row += 1
    row += 1
    _put(sheet, row, 1, "Indicateur", BOLD)
    _put(sheet, row, 2, "Valeur", BOLD)
    header_row = row
    for label, value in report.headline:
        row += 1
        _put(sheet, row, 1, label)
        _put(sheet, row, 2, value)
        sheet.cell(row=row, column=2).alignment = Alignment(horizontal="right")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _fit(sheet, skip_rows=header_row - 1)

    for table in report.sheets:
        sheet = workbook.create_sheet(table.name)
        for column, header in enumerate(table.headers, start=1):
            _put(sheet, 1, column, header, BOLD)
        for number, values in enumerate(table.rows, start=2):
            for column, value in enumerate(values, start=1):
                _put(sheet, number, column, value)
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
        _fit(sheet)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
