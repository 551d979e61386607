from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from tremplin.accounts.scope import scope_of
from tremplin.core.permissions import UserLike
from tremplin.core.roles import Role
from tremplin.learners.permissions import LearnerRecordPermissions, learner_filter

M = TypeVar("M", bound=Model)


class EnrolmentPermissions(LearnerRecordPermissions):
    """Enrolments: like the learner's record, and teachers read and grade those of their UEs."""

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        scope = scope_of(user)
        if scope.role == Role.TEACHER:
            return queryset.filter(unit__in=scope.unit_ids)
        condition = learner_filter(scope, "learner__")
        return queryset if condition is None else queryset.filter(condition)

    def can_grade(self, user: UserLike, unit_id: int) -> bool:
        scope = scope_of(user)
        return scope.everything or (scope.role == Role.TEACHER and unit_id in scope.unit_ids)
