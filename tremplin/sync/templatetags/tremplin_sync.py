from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.apps import apps

from tremplin.core.typography import long_datetime as _long_datetime

from ..models import Peer

register = template.Library()


@register.filter
def long_datetime(value: datetime | None) -> str:
    return _long_datetime(value) if value else ""


@register.simple_tag
def waiting(peer: Peer) -> str:
    """What waits on this exchange, in words."""
    unacknowledged = peer.sent_seq - peer.acked_seq
    parts = []
    if unacknowledged:
        parts.append(
            f"{unacknowledged} envoi{'s' if unacknowledged > 1 else ''} pas encore importé"
            f"{'s' if unacknowledged > 1 else ''} de l’autre côté"
        )
    to_review = getattr(peer, "to_review", None)
    if to_review:
        parts.append(f"{to_review} conflit{'s' if to_review > 1 else ''} à revoir")
    return " ; ".join(parts) or "rien"


@register.filter
def record_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label


@register.filter
def shown_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return f"{len(value)} champs"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)
