"""Who reads and changes a learner's record (DOMAIN.md, "roles and scopes")."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

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


def learner_filter(scope: Scope, prefix: str = "", *, tested: bool = False) -> Q | None:
    """The condition on learners (through `prefix`, e.g. "learner__") that a scope reads; None
    for everything. A region's learners are looked up from the region's reach, unless each
    row is `tested` against it (LearnerRecordPermissions)."""
    if scope.everything:
        return None
    if scope.role == Role.REGIONAL_COORDINATOR:
        from .models import Reach

        # The learners placed in one of the coordination's DISPs, now or before, and the young
        # people of its regions' missions locales: one index range of the reach the database
        # keeps (models.Reach), not three sets of ids joined by OR at every query.
        areas = [f"d:{disp}" for disp in scope.disp_ids] + [
            f"r:{region}" for region in scope.region_codes
        ]
        reach = Reach.objects.filter(area__in=areas)
        if tested:
            learner = OuterRef(prefix.removesuffix("__") or "pk")
            return Q(Exists(reach.filter(learner_id=learner)))
        return Q(**{f"{prefix}pk__in": reach.values("learner_id")})
    if scope.role in (Role.REFERENT, Role.RLE):
        return Q(**{f"{prefix}establishment__in": scope.establishment_ids})
    if scope.role == Role.ML_COUNSELOR and scope.mission_locale_id:
        return Q(**{f"{prefix}mission_locale_id": scope.mission_locale_id})
    return Q(pk__in=[])


def filter_by_learner(
    user: UserLike, queryset: QuerySet[M], prefix: str = "", *, tested: bool = False
) -> QuerySet[M]:
    condition = learner_filter(scope_of(user), prefix, tested=tested)
    return queryset if condition is None else queryset.filter(condition)


class LearnerPermissions(Permissions):
    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return filter_by_learner(user, queryset)

    def readable_few(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        """A few learners (a record, references, a page's ids) each tested against a region's
        reach: SQLite listed the region's learners at every such query (51,000 ids at national
        scale: 7 ms to open one learner's record, 29 ms to find one by reference)."""
        return filter_by_learner(user, queryset, tested=True)

    def can_read(self, user: UserLike, obj: Model) -> bool:
        if obj.pk is not None and scope_of(user).everything:
            return True  # a national scope reads every file: no query to ask
        return super().can_read(user, obj)

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        if registry.on_copy():
            return False  # a person's file and path are the centre's (docs/sync.md)
        scope = scope_of(user)
        if scope.role not in EDITORS and not scope.everything:
            return False
        return obj is None or self.can_read(user, obj)


class LearnerRecordPermissions(Permissions):
    """For records that hang off a learner (`learner` foreign key): same scope as the learner.

    With `tested`, a region's records are each tested against the region's reach, for tables
    whose rows are few next to a region's learners and read in their own index's order (the
    applications, the certifications): SQLite looked up the region's tens of thousands of
    learners at every query, then sorted (a regional coordinator's certifications at national
    scale: the awarded 36 -> 1 ms, the proposals counted 15 -> 1 ms; PostgreSQL plans both
    forms as one semi-join)."""

    def __init__(self, *, tested: bool = False) -> None:
        self.tested = tested

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return filter_by_learner(user, queryset, "learner__", tested=self.tested)

    def readable_few(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return filter_by_learner(user, queryset, "learner__", tested=True)

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
