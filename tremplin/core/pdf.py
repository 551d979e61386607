"""PDF rendering with WeasyPrint, shared by every printable document."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

#: A character's advance when the typeface is missing or lacks it, in em (Marianne's average).
AVERAGE_ADVANCE = 0.55


def _font_file(name: str) -> str | None:
    found = finders.find(f"dsfr/dist/fonts/Marianne-{name}.woff")
    return str(found) if found else None


@cache
def font_faces() -> str:
    """@font-face rules for the State's typeface (Marianne), read from the installed DSFR."""
    rules = []
    for weight, style, name in (
        (400, "normal", "Regular"),
        (400, "italic", "Regular_Italic"),
        (500, "normal", "Medium"),
        (700, "normal", "Bold"),
    ):
        found = _font_file(name)
        if found:
            url = Path(str(found)).as_uri()
            rules.append(
                f"@font-face {{ font-family: Marianne; font-weight: {weight}; "
                f"font-style: {style}; src: url('{url}'); }}"
            )
    return "\n".join(rules)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_faces": font_faces()})
    document = HTML(string=html, base_url=str(Path(__file__).resolve().parent))
    return bytes(document.write_pdf(pdf_tags=True))


@cache
def _advances(bold: bool) -> dict[str, float]:
    """Each character's advance in Marianne, in em (read once from the font's metrics)."""
    from fontTools.ttLib import TTFont

    path = _font_file("Bold" if bold else "Regular")
    if path is None:
        return {}
    font = TTFont(path, lazy=True)
    metrics, units = font["hmtx"], font["head"].unitsPerEm
    return {chr(code): metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def text_width(text: str, *, bold: bool = False) -> float:
    """The width of `text` set in Marianne, in em (kerning left out): what a printed table's
    column needs to hold it on one line."""
    advances = _advances(bold)
    return sum(advances.get(char, AVERAGE_ADVANCE) for char in text)
