"""`{% can "action" target as name %}`: the action matrix (core.actions) read by the templates,
so that a button shows exactly when its view would accept the action."""

from __future__ import annotations

from typing import Any

from django import template

from tremplin.core.actions import can as may

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, target: Any = None) -> bool:
    request = context.get("request")
    return may(getattr(request, "user", None), action, target)
