"""The formats of the bilan: each a function `(bilan, tables) -> bytes | str`, where `bilan` is
the JSON document of `Bilan.as_dict()` (masked in publication mode) and `tables` the detail
tables of `bilan_tables()` (masked likewise)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tremplin.core.digests import remember_document

from ..bilan import Bilan
from ..stored import stored_tables
from ..tables import Tables, publish
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
    "render_bilan",
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

#: The formats that take time to lay out (a national year's PDF: about 30 s), stored once laid
#: out (`core.digests.remember_document`); the others are written again each time.
STORED_FORMATS = frozenset({"pdf", "xlsx"})
#: What lays the bilan out: the reporting app (its formats, templates and tables) and `core`
#: (PDF, typography).
SOURCES = (Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[2] / "core")


def render_bilan(
    fmt: str, bilan: Bilan, *, publication: bool = False, threshold: int = 5
) -> bytes | str:
    """The bilan in one format (web export and `tremplin bilan`), masked in publication mode.
    JSON is the figures' document alone: its detail tables, which cost more than the figures,
    are computed only for the formats that print them, and in publication mode (the document
    is masked with its tables, so that every format publishes the same masked cells)."""
    document = bilan.as_dict()
    if fmt == "json" and not publication:
        return json_format(document)
    tables = stored_tables(bilan)
    if publication:
        document, tables = publish(bilan, document, tables, threshold)
    if fmt == "json":
        return json_format(document)
    formatter = FORMATTERS[fmt]
    if fmt not in STORED_FORMATS:
        return formatter(document, tables)
    return remember_document(
        f"bilan-{fmt}",
        (document, tables),  # the tables carry the day they are printed
        SOURCES,
        lambda: formatter(document, tables),
        dated=True,
    )
