"""Who reads and changes the material deliveries, the exam sessions and the hand-overs.

Deliveries and exam registrations hang off an enrolment: they follow the enrolment's learner's
scope, and the staff of the establishment the material was sent to (or where the session is held)
read them too, so that after a transfer the referents of both establishments see them. A hand-over
is read by the centre it is addressed to, the coordinators and the learner's referents; the centre
staff and the coordinators record its outcome.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from tremplin.core.permissions import Permissions, UserLike
from tremplin.core.roles import Role
from tremplin.core.scope import Scope, scope_of
from tremplin.learners.permissions import learner_filter

M = TypeVar("M", bound=Model)

#: Roles that organise the material and the exams inside the establishments.
LOGISTICS = frozenset({Role.REGIONAL_COORDINATOR, Role.REFERENT, Role.RLE})


def establishment_filter(scope: Scope, path: str) -> Q | None:
    """The condition on an establishment (through `path`, "" for the establishments themselves)
    that a scope covers; None for all."""
    if scope.everything:
        return None
    if scope.role == Role.REGIONAL_COORDINATOR:
        return Q(**{f"{path}__disp__in" if path else "disp__in": scope.disp_ids})
    if scope.role in (Role.REFERENT, Role.RLE):
        return Q(**{f"{path or 'pk'}__in": scope.establishment_ids})
    return Q(pk__in=[])


def _either(*conditions: Q | None) -> Q | None:
    if any(condition is None for condition in conditions):
        return None
    combined = Q(pk__in=[])
    for condition in conditions:
        assert condition is not None
        combined |= condition
    return combined


class _Logistics(Permissions):
    learner_prefix = ""
    establishment_path = ""

    def condition(self, scope: Scope) -> Q | None:
        if scope.role not in LOGISTICS and not scope.everything:
            return Q(pk__in=[])
        return _either(
            learner_filter(scope, self.learner_prefix),
            establishment_filter(scope, self.establishment_path),
        )

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        condition = self.condition(scope_of(user))
        return queryset if condition is None else queryset.filter(condition)

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        scope = scope_of(user)
        if not (scope.everything or scope.role in LOGISTICS):
            return False
        return obj is None or self.can_read(user, obj)


class DeliveryPermissions(_Logistics):
    learner_prefix = "enrolment__learner__"
    establishment_path = "sent_to"


class RegistrationPermissions(_Logistics):
    learner_prefix = "enrolment__learner__"
    establishment_path = "session__establishment"


class SessionPermissions(_Logistics):
    """Exam sessions: the staff of the establishment (and coordinators of its DISP)."""

    def condition(self, scope: Scope) -> Q | None:
        if scope.role not in LOGISTICS and not scope.everything:
            return Q(pk__in=[])
        return establishment_filter(scope, "establishment")


class HandOverPermissions(Permissions):
    def condition(self, scope: Scope) -> Q | None:
        if scope.everything:
            return None
        if scope.role == Role.CENTRE_STAFF:
            return Q(centre_id=scope.centre_id) if scope.centre_id else Q(pk__in=[])
        if scope.role == Role.REGIONAL_COORDINATOR:
            learners = learner_filter(scope, "learner__")
            assert learners is not None
            return learners | Q(centre__region__in=scope.region_codes)
        if scope.role in (Role.REFERENT, Role.RLE):
            return learner_filter(scope, "learner__")
        return Q(pk__in=[])

    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        condition = self.condition(scope_of(user))
        return queryset if condition is None else queryset.filter(condition)

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        """The outcome is recorded by the centre's staff and the coordinators."""
        scope = scope_of(user)
        if not (scope.everything or scope.role in (Role.CENTRE_STAFF, Role.REGIONAL_COORDINATOR)):
            return False
        return obj is None or self.can_read(user, obj)
