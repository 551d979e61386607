"""Write to the audit log. Views call `record()` for every read or change of a personal record."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from .http import client_address
from .models import AuditEvent

Action = AuditEvent.Action


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, as the lock-out sees it (behind a trusted proxy: its header)."""
    return client_address(request)


def record(
    request: HttpRequest | None,
    action: str,
    target: Model | type[Model],
    summary: str = "",
    *,
    user: Any = None,
) -> AuditEvent:
    who = user if user is not None else getattr(request, "user", None)
    authenticated = bool(who is not None and getattr(who, "is_authenticated", False))
    model = target if isinstance(target, type) else type(target)
    return AuditEvent.objects.create(
        user=who if authenticated else None,
        username=who.get_username() if authenticated and who is not None else "",
        action=action,
        model=model._meta.label,
        object_id="" if isinstance(target, type) else str(target.pk),
        summary=summary[:300],
        ip=client_ip(request),
    )
