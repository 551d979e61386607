"""Permissions declared once per model (``Model.permissions``), with both an object check and a
queryset filter, and enforced by the views through the helpers below, so no view can forget them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from .roles import Role

M = TypeVar("M", bound=Model)


class UserLike(Protocol):
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_superuser(self) -> bool: ...
    @property
    def role(self) -> str: ...


class Permissions:
    """Base: nobody reads or changes anything."""

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return queryset.none()

    def can_read(self, user: UserLike, obj: Model) -> bool:
        manager = type(obj)._default_manager
        return self.readable(user, manager.filter(pk=obj.pk)).exists()

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        return False


class SharedReference(Permissions):
    """Non-personal reference data (places, catalogue): every signed-in user reads it; the
    listed roles change it."""

    def __init__(self, *editors: Role) -> None:
        self.editors = frozenset(editors)

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return queryset if user.is_authenticated else queryset.none()

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        return user.is_authenticated and (user.is_superuser or user.role in self.editors)


def permissions_of(model: type[Model]) -> Permissions:
    found = getattr(model, "permissions", None)
    if not isinstance(found, Permissions):
        raise TypeError(f"{model.__name__} declares no permissions")
    return found


def change_required(
    model: type[Model],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: 403 unless the user may change objects of this model."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not permissions_of(model).can_change(request.user):  # type: ignore[arg-type]
                raise PermissionDenied("Vous n'avez pas le droit de modifier le catalogue.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
