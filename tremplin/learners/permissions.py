"""Who reads and changes a learner's record (DOMAIN.md, "roles and scopes")."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from tremplin.core import registry
from tremplin.core.permissions import Permissions, UserLike
from tremplin.core.roles import Role
from tremplin.core.scope import Scope, scope_of

M = TypeVar("M", bound=Model)

#: Roles that may change the learners they read.
EDITORS = frozenset(
    {
        Role.NATIONAL_COORDINATOR,
        Role.REGIONAL_COORDINATOR,
        Role.REFERENT,
        Role.RLE,
        Role.ML_COUNSELOR,
    }
)


def learner_filter(scope: Scope, prefix: str = "") -> Q | None:
    """The condition on learners (through `prefix`, e.g. "learner__") that a scope reads; None
    for everything."""
    if scope.everything:
        return None
    if scope.role == Role.REGIONAL_COORDINATOR:
        from .models import Learner, Placement

        # Three sets of learner ids, each read through an index (current establishment, past
        # placements, young people's mission locale), joined by OR on the id alone: an OR
        # across joined tables would make the database read every learner.
        placed_now = Learner.objects.filter(establishment__disp__in=scope.disp_ids).values("pk")
        placed_there = Placement.objects.filter(establishment__disp__in=scope.disp_ids).values(
            "learner_id"
        )
        followed_there = Learner.objects.filter(
            mission_locale__commune__region__in=scope.region_codes
        ).values("pk")
        return (
            Q(**{f"{prefix}pk__in": placed_now})
            | Q(**{f"{prefix}pk__in": placed_there})
            | Q(**{f"{prefix}pk__in": followed_there})
        )
    if scope.role in (Role.REFERENT, Role.RLE):
        return Q(**{f"{prefix}establishment__in": scope.establishment_ids})
    if scope.role == Role.ML_COUNSELOR and scope.mission_locale_id:
        return Q(**{f"{prefix}mission_locale_id": scope.mission_locale_id})
    return Q(pk__in=[])


def filter_by_learner(user: UserLike, queryset: QuerySet[M], prefix: str = "") -> QuerySet[M]:
    condition = learner_filter(scope_of(user), prefix)
    return queryset if condition is None else queryset.filter(condition)


class LearnerPermissions(Permissions):
    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return filter_by_learner(user, queryset)

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        if registry.on_copy():
            return False  # a person's file and path are the centre's (docs/sync.md)
        scope = scope_of(user)
        if scope.role not in EDITORS and not scope.everything:
            return False
        return obj is None or self.can_read(user, obj)


class LearnerRecordPermissions(Permissions):
    """For records that hang off a learner (`learner` foreign key): same scope as the learner."""

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return filter_by_learner(user, queryset, "learner__")

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        scope = scope_of(user)
        if scope.role not in EDITORS and not scope.everything:
            return False
        return obj is None or self.can_read(user, obj)


def require_learner_role(user: UserLike) -> None:
    """Pages that list learners' records are for the roles that follow learners."""
    from django.core.exceptions import PermissionDenied

    scope = scope_of(user)
    if not (scope.everything or scope.role in EDITORS):
        raise PermissionDenied("Votre rôle ne donne pas accès aux dossiers des apprenants.")
