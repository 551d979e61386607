"""The formats of the bilan: each a function `(bilan, tables) -> bytes | str`, where `bilan` is
the JSON document of `Bilan.as_dict()` (masked in publication mode) and `tables` the detail
tables of `bilan_tables()` (masked likewise)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..tables import Tables
from .csvfile import csv_format
from .jsondoc import json_format
from .pdf import pdf_format
from .text import text_format
from .xlsx import xlsx_format

__all__ = [
    "FORMATTERS",
    "Formatter",
    "csv_format",
    "json_format",
    "pdf_format",
    "text_format",
    "xlsx_format",
]

Formatter = Callable[[dict[str, Any], Tables], bytes | str]

FORMATTERS: dict[str, Formatter] = {
    "json": json_format,
    "text": text_format,
    "csv": csv_format,
    "xlsx": xlsx_format,
    "pdf": pdf_format,
}
