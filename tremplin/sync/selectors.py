"""Reads of the establishment copy's bookkeeping."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Node, Peer


def node() -> Node | None:
    """This installation: the centre (once it made a copy), an establishment copy, or None."""
    return Node.objects.select_related("establishment").first()


def copy_of() -> Any:
    """The establishment this installation is a copy of, or None (the centre)."""
    current = node()
    return current.establishment if current is not None and current.role == Node.Role.COPY else None


def sites() -> QuerySet[Peer]:
    """The establishment copies, with their conflicts to review."""
    return (
        Peer.objects.select_related("establishment", "created_by", "revoked_by")
        .annotate(to_review=Count("conflicts", filter=Q(conflicts__reviewed_at__isnull=True)))
        .order_by("establishment__label", "code")
    )
