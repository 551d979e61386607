"""PDF rendering with WeasyPrint, shared by every printable document."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


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
        found = finders.find(f"dsfr/dist/fonts/Marianne-{name}.woff")
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
