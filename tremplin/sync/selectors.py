"""Reads of the establishment copy's bookkeeping."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Node, Peer


def node() -> Node | None:
    """This installation: the centre (once it made a copy), an establishment copy, or None."""
    return Node.objects.select_related("establishment").first()


#: What `copy_of` read, once per process: an installation becomes a copy only by `tremplin site
#: install` on an empty TREMPLIN_HOME, before it serves anything (cleared when a Node changes).
_copy_of: list[Any] = []


def copy_of() -> Any:
    """The establishment this installation is a copy of, or None (the centre)."""
    if not _copy_of:
        current = node()
        _copy_of.append(
            current.establishment
            if current is not None and current.role == Node.Role.COPY
            else None
        )
    return _copy_of[0]


def forget_node(*args: Any, **kwargs: Any) -> None:
    _copy_of.clear()


def sites() -> QuerySet[Peer]:
    """The establishment copies, with their conflicts to review."""
    return (
        Peer.objects.select_related("establishment", "created_by", "revoked_by")
        .annotate(to_review=Count("conflicts", filter=Q(conflicts__reviewed_at__isnull=True)))
        .order_by("establishment__label", "code")
    )
