"""Who reads and changes the Émergence cohorts, their sessions, participants and attendance.

Émergence runs inside the establishments: the national coordination reads and changes every
cohort, a regional coordinator those of the establishments of their DISPs, a referent and an
RLE those of their establishments. Nobody else reads a cohort: the teachers, the statisticians,
the missions locales and the Cnam centres have no Émergence page (403).

A participation is also part of the learner's record: whoever reads the learner (among these
roles) reads their participations and attendance on the record page, e.g. after a transfer; it
is changed only by the staff of the cohort's establishment.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from tremplin.core.permissions import Permissions, UserLike
from tremplin.core.roles import Role
from tremplin.core.scope import Scope, scope_of
from tremplin.learners.permissions import learner_filter

M = TypeVar("M", bound=Model)

#: Roles that run Émergence in the establishments of their scope (besides the national ones).
STAFF = frozenset({Role.REGIONAL_COORDINATOR, Role.REFERENT, Role.RLE})

NOTHING = Q(pk__in=[])


def is_staff(scope: Scope) -> bool:
    return scope.everything or scope.role in STAFF


def cohort_filter(scope: Scope, prefix: str = "") -> Q | None:
    """The condition on cohorts (through `prefix`, e.g. "cohort__") that a scope covers; None
    for all."""
    if scope.everything:
        return None
    if scope.role == Role.REGIONAL_COORDINATOR:
        return Q(**{f"{prefix}establishment__disp__in": scope.disp_ids})
    if scope.role in (Role.REFERENT, Role.RLE):
        return Q(**{f"{prefix}establishment__in": scope.establishment_ids})
    return NOTHING


def _filtered(queryset: QuerySet[M], condition: Q | None) -> QuerySet[M]:
    return queryset if condition is None else queryset.filter(condition)


class _CohortScoped(Permissions):
    """Read and changed by the staff whose scope covers the cohort's establishment."""

    cohort_prefix = ""

    def condition(self, scope: Scope) -> Q | None:
        if not is_staff(scope):
            return NOTHING
        return cohort_filter(scope, self.cohort_prefix)

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return _filtered(queryset, self.condition(scope_of(user)))

    def changeable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        scope = scope_of(user)
        if not is_staff(scope):
            return queryset.none()
        return _filtered(queryset, cohort_filter(scope, self.cohort_prefix))

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        if not is_staff(scope_of(user)):
            return False
        if obj is None:
            return True
        manager = type(obj)._default_manager
        return self.changeable(user, manager.filter(pk=obj.pk)).exists()


class CohortPermissions(_CohortScoped):
    cohort_prefix = ""


class SessionPermissions(_CohortScoped):
    cohort_prefix = "cohort__"


class _LearnerOrCohort(_CohortScoped):
    """Read through the cohort or through the learner; changed through the cohort only."""

    learner_prefix = ""

    def condition(self, scope: Scope) -> Q | None:
        if not is_staff(scope):
            return NOTHING
        by_cohort = cohort_filter(scope, self.cohort_prefix)
        by_learner = learner_filter(scope, self.learner_prefix)
        if by_cohort is None or by_learner is None:
            return None
        return by_cohort | by_learner


class ParticipantPermissions(_LearnerOrCohort):
    cohort_prefix = "cohort__"
    learner_prefix = "learner__"


class AttendancePermissions(_LearnerOrCohort):
    cohort_prefix = "participant__cohort__"
    learner_prefix = "participant__learner__"
