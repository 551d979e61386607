"""Permissions declared once per model (``Model.permissions``), with both an object check and a
queryset filter, and enforced by the views through the helpers below, so no view can forget them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeAlias, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from .roles import Role

M = TypeVar("M", bound=Model)


#: Whoever makes the request: a user, or the anonymous visitor.
UserLike: TypeAlias = AbstractBaseUser | AnonymousUser
#: Whoever makes a change: a user (a form, the API, an import), the anonymous visitor, or nobody
#: (the command line, the system, the consequence of a change already checked).
Actor: TypeAlias = AbstractBaseUser | AnonymousUser | None


def signed_in(by: Actor) -> AbstractBaseUser | None:
    """The user who makes a change, when there is one signed in (None otherwise)."""
    return by if by is not None and by.is_authenticated else None


class Permissions:
    """Base: nobody reads or changes anything."""

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return queryset.none()

    def readable_few(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        """`readable` for a queryset already narrowed to a few rows (one record, some
        references, a page's ids): a scope may then test each row rather than list its own."""
        return self.readable(user, queryset)

    def can_read(self, user: UserLike, obj: Model) -> bool:
        manager = type(obj)._default_manager
        return self.readable_few(user, manager.filter(pk=obj.pk)).exists()

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
        from .registry import on_copy

        if on_copy():
            return False  # the catalogue and the places are the centre's (docs/sync.md)
        return user.is_authenticated and (
            bool(getattr(user, "is_superuser", False)) or getattr(user, "role", "") in self.editors
        )


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
            if not permissions_of(model).can_change(request.user):
                raise PermissionDenied("Vous n'avez pas le droit de modifier le catalogue.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def readable_or_404(user: UserLike, queryset: QuerySet[M], **lookup: Any) -> M:
    """The object, if the user's scope covers it; otherwise 404 (its existence is not disclosed)."""
    from django.http import Http404

    found = permissions_of(queryset.model).readable_few(user, queryset.filter(**lookup)).first()
    if found is None:
        raise Http404("Aucun enregistrement ne correspond.")
    return found


def changeable_or_404(user: UserLike, queryset: QuerySet[M], **lookup: Any) -> M:
    """The object, if the user may change it: 404 outside their scope, 403 inside it without the
    right to change."""
    found = readable_or_404(user, queryset, **lookup)
    if not permissions_of(queryset.model).can_change(user, found):
        raise PermissionDenied("Vous ne pouvez pas modifier cet enregistrement.")
    return found
