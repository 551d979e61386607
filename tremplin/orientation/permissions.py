"""Who reads and moves a referral: the mission locale that sent it, the centre it is addressed
to, the coordinators of their regions, the national coordinator."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from tremplin.core.permissions import Permissions, UserLike
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of

M = TypeVar("M", bound=Model)


class ReferralPermissions(Permissions):
    def readable(self, user: UserLike, queryset: QuerySet[M]) -> QuerySet[M]:
        scope = scope_of(user)
        if scope.everything:
            return queryset
        if scope.role == Role.ML_COUNSELOR and scope.mission_locale_id:
            return queryset.filter(mission_locale_id=scope.mission_locale_id)
        if scope.role == Role.CENTRE_STAFF and scope.centre_id:
            return queryset.filter(centre_id=scope.centre_id)
        if scope.role == Role.REGIONAL_COORDINATOR:
            # The regions' centres and missions locales as two small id lists, each matched
            # through the referrals' own indexes: an OR across joined tables would read them all.
            from tremplin.places.models import CnamCentre, MissionLocale

            centres = CnamCentre.objects.filter(region__in=scope.region_codes).values("pk")
            missions = MissionLocale.objects.filter(commune__region__in=scope.region_codes).values(
                "pk"
            )
            return queryset.filter(Q(centre__in=centres) | Q(mission_locale__in=missions))
        return queryset.none()

    def can_change(self, user: UserLike, obj: Model | None = None) -> bool:
        scope = scope_of(user)
        if not (
            scope.everything
            or scope.role in (Role.ML_COUNSELOR, Role.CENTRE_STAFF, Role.REGIONAL_COORDINATOR)
        ):
            return False
        return obj is None or self.can_read(user, obj)
