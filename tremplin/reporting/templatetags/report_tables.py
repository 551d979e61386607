"""The body of a report's detail table written in one pass: the national tables hold thousands
of cells (the orientation statistics of every mission locale and centre: about 9,400), and
Django's template loop costs about 20 us a cell, most of such a page's time."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def table_rows(context: Context, sheet: Mapping[str, Any], num_class: str = "tr-num") -> SafeString:
    """The `<tr>` rows of `sheet` (`reporting.formats.pdf.display_table`: rows of cells with
    their `text` and whether they are `num`), exactly as the loop
    `<tr>{% for cell in row %}<td{% if cell.num %} class="…"{% endif %}>{{ cell.text }}</td>
    {% endfor %}</tr>` writes them: a text escaped unless already safe, any other value as the
    template would show it."""
    opening = {True: f'<td class="{conditional_escape(num_class)}">', False: "<td>"}
    escaped = context.autoescape
    parts: list[str] = []
    append = parts.append
    for row in sheet["rows"]:
        append("<tr>")
        for cell in row:
            text = cell["text"]
            append(opening[bool(cell["num"])])
            if isinstance(text, str) and (isinstance(text, SafeData) or not escaped):
                append(text)
            elif isinstance(text, str):
                append(html.escape(text))  # Django's `escape` without its lazy-text wrapper
            else:
                append(render_value_in_context(text, context))
            append("</td>")
        append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
