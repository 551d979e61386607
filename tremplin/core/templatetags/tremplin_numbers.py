"""`{{ count|thousands }}`: a count written the French way in the pages (« 191 380 »)."""

from __future__ import annotations

from django import template

from tremplin.core.typography import thousands as written

register = template.Library()


@register.filter
def thousands(value: int) -> str:
    return written(value)
