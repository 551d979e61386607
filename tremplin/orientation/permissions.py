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
            # The referrals to the regions' centres and from their missions locales, matched on
            # the referrals' own columns against two short lists of ids (a few dozen each): a
            # list then walks the referrals newest first and stops at its page, where sets of
            # ids (subqueries) made the databases gather and sort every referral of the regions
            # (1 to 3 s at national scale), and an OR across joined tables would read them all.
            from tremplin.places.models import CnamCentre, MissionLocale

            centres = list(
                CnamCentre.objects.filter(region__in=scope.region_codes).values_list(
                    "pk", flat=True
                )
            )
            missions = list(
                MissionLocale.objects.filter(commune__region__in=scope.region_codes).values_list(
                    "pk", flat=True
                )
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
