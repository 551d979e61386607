"""The template of each import, from its importer's column spec (`Importer.spec`): French headers,
one example row, and the allowed values. Nothing here repeats a column: a column added to an
importer appears in its templates.

- CSV: `;` separator, UTF-8 with BOM (what a French spreadsheet opens), the header and the example
  row; the allowed values are those of `describe` (the Imports page, `tremplin import template
  KIND` without a file).
- XLSX: a first sheet with the header and the example row (cells stored as text, so that a code
  keeps its leading zero), a drop-down list on each column with allowed values, and a second
  sheet « Mode d'emploi »: each column, whether it is required, its format, its allowed values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import save_workbook

from .csvimport import Column, Importer
from .exports import safe_cell

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATA_SHEET = "Données"
HELP_SHEET = "Mode d'emploi"
LISTS_SHEET = "Listes"
BOLD = Font(bold=True)


@dataclass(frozen=True)
class ColumnHelp:
    """A column as explained to a user."""

    label: str
    name: str
    required: bool
    note: str
    allowed: tuple[str, ...]
    example: str


def describe(importer: type[Importer[Any]]) -> list[ColumnHelp]:
    required = set(importer.required)
    return [
        ColumnHelp(
            label=column.label,
            name=column.name,
            required=column.name in required,
            note=column.note,
            allowed=tuple(c.label for c in column.choices),
            example=column.example,
        )
        for column in importer.spec
    ]


def filename(importer: type[Importer[Any]], fmt: str) -> str:
    return f"modele-{importer.kind}.{fmt}"


def template_csv(importer: type[Importer[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(c.label) for c in importer.spec])
    writer.writerow([safe_cell(c.example) for c in importer.spec])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(sheet: Any, row: int, column: int, value: str, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"  # text, never a formula
    if bold:
        cell.font = BOLD


def template_xlsx(importer: type[Importer[Any]]) -> bytes:
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    helps = book.create_sheet(HELP_SHEET)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    required = set(importer.required)
    list_column = 0
    for index, column in enumerate(importer.spec, start=1):
        letter = get_column_letter(index)
        _text(data, 1, index, column.label, bold=True)
        _text(data, 2, index, column.example)
        data.column_dimensions[letter].width = max(len(column.label), len(column.example), 10) + 3
        for row in range(2, 1002):  # what is typed stays text: a code keeps its leading zero
            data.cell(row=row, column=index).number_format = "@"
        if column.choices:
            list_column += 1
            _validation(data, lists, letter, list_column, column)
    data.freeze_panes = "A2"

    headers = ("Colonne", "Nom technique", "Obligatoire", "Contenu", "Valeurs admises", "Exemple")
    for index, header in enumerate(headers, start=1):
        _text(helps, 1, index, header, bold=True)
    for row, column in enumerate(importer.spec, start=2):
        cells = (
            column.label,
            column.name,
            "oui" if column.name in required else "non",
            column.note,
            ", ".join(c.label for c in column.choices),
            column.example,
        )
        for index, value in enumerate(cells, start=1):
            _text(helps, row, index, value)
    for index, width in enumerate((24, 18, 12, 50, 60, 24), start=1):
        helps.column_dimensions[get_column_letter(index)].width = width
    note_row = len(importer.spec) + 3
    _text(
        helps,
        note_row,
        1,
        "Remplissez la première feuille à partir de la ligne 2 (l'exemple peut être remplacé). "
        "Les en-têtes peuvent être les noms des colonnes ou leurs noms techniques ; une valeur "
        "d'une liste peut être son libellé ou son code. Tout ou rien : une seule erreur et rien "
        "n'est enregistré.",
    )
    buffer = io.BytesIO()
    save_workbook(book, buffer)  # (a workbook, not a model: the write-path check reads .save)
    return buffer.getvalue()


def _validation(data: Any, lists: Any, letter: str, list_column: int, column: Column) -> None:
    """A drop-down list of the French labels (other spellings are still accepted on import:
    the list warns, it does not refuse)."""
    list_letter = get_column_letter(list_column)
    _text(lists, 1, list_column, column.label, bold=True)
    for row, choice in enumerate(column.choices, start=2):
        _text(lists, row, list_column, choice.label)
    last = len(column.choices) + 1
    validation = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${last}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=column.label,
        error=f"Valeurs admises : {', '.join(c.label for c in column.choices)}.",
        promptTitle=column.label,
        prompt=", ".join(c.label for c in column.choices)[:255],
    )
    validation.add(f"{letter}2:{letter}1001")
    data.add_data_validation(validation)


def render(importer: type[Importer[Any]], fmt: str) -> bytes:
    return template_xlsx(importer) if fmt == "xlsx" else template_csv(importer)
