from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from tremplin.core.actions import Action, can, register_scope
from tremplin.core.permissions import UserLike
from tremplin.core.roles import Role
from tremplin.core.scope import Scope, scope_of
from tremplin.learners.permissions import LearnerRecordPermissions, learner_filter

M = TypeVar("M", bound=Model)


class EnrolmentPermissions(LearnerRecordPermissions):
    """Enrolments: like the learner's record, and teachers read and grade those of their UEs."""

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return self._readable(user, queryset, tested=False)

    def readable_few(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        return self._readable(user, queryset, tested=True)

    def _readable(self, user: UserLike, queryset: QuerySet[M], *, tested: bool) -> QuerySet[M]:
        scope = scope_of(user)
        if scope.role == Role.TEACHER:
            return queryset.filter(unit__in=scope.unit_ids)
        condition = learner_filter(scope, "learner__", tested=tested)
        return queryset if condition is None else queryset.filter(condition)

    def can_grade(self, user: UserLike, unit_id: int) -> bool:
        """The action matrix's answer for entering results in this UE."""
        return can(user, Action.ENTER_RESULTS, unit_id)


def unit_id_of(target: Any) -> int | None:
    """A UE's id from a UE, an enrolment, or an id."""
    if isinstance(target, int):
        return target
    return getattr(target, "unit_id", None) or getattr(target, "pk", None)


def teaches(scope: Scope, target: Any) -> bool:
    """Results: the teacher of the target's UE (a UE, an enrolment, or a UE's id)."""
    return scope.role == Role.TEACHER and unit_id_of(target) in scope.unit_ids


def follows(scope: Scope, learner_id: Any) -> bool:
    """Enrolments: a learner (by id) in the scope."""
    from tremplin.learners.models import Learner

    condition = learner_filter(scope, tested=True)
    found = Learner.objects.filter(pk=getattr(learner_id, "pk", learner_id))
    return (found if condition is None else found.filter(condition)).exists()


def register_actions() -> None:
    register_scope(Action.ENTER_RESULTS, teaches)
    register_scope(Action.CREATE_ENROLMENTS, follows)
    register_scope(Action.CHANGE_ENROLMENTS, follows)
