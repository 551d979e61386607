"""Reads on learners, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import Prefetch, QuerySet

from tremplin.core.paging import frequent
from tremplin.core.permissions import UserLike
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of
from tremplin.places.models import Establishment, MissionLocale

from .models import NAMES_WALK, Learner, Status, by_name, words_match


@dataclass(frozen=True)
class LearnerFilters:
    q: str = ""
    establishment: int | None = None
    disp: int | None = None
    status: str = ""
    kind: str = ""


def visible_learners(user: UserLike) -> QuerySet[Learner]:
    return Learner.permissions.readable(user, Learner.objects.all())


def with_readability(user: UserLike, learners: list[Learner]) -> list[tuple[Learner, bool]]:
    """Each learner with whether the user may open their record (files found by identity may
    lie outside the user's scope: then only their reference is shown)."""
    readable = set(
        Learner.permissions.readable_few(
            user, Learner.objects.filter(pk__in=[learner.pk for learner in learners])
        ).values_list("pk", flat=True)
    )
    return [(learner, learner.pk in readable) for learner in learners]


#: A page of a region's learners is read walking the names' index, each learner tested against
#: the region's reach, while the rows walked to it stay under this many (about 30 ms on SQLite);
#: deeper in the list, the region's learners are listed from its reach and sorted (a regional
#: coordinator's first page: 31 ms listing 51,000 learners, 0.3 ms walking).
REACH_WALK = 12_000


def search_learners(
    user: UserLike,
    filters: LearnerFilters,
    *,
    matches: int | None = None,
    depth: int | None = None,
) -> QuerySet[Learner]:
    """The learners the user reads, filtered, by name. `matches`, the list's count when known,
    and `depth`, the rows a page's reading goes through from the list's nearer end, choose how
    the page is read: a search's many matches walking the names' index, each learner tested,
    fewer through the matches then sorted (learners.models.NAMES_WALK); a region's learners
    each tested against its reach where few are (a search's matches, a page near an end of a
    list of many), listed from the reach otherwise (REACH_WALK)."""
    walk = bool(filters.q) and frequent(Learner, matches, one_in=NAMES_WALK)
    # Fewer than REACH_WALK rows walked to the page (depth × every learner / the listed ones).
    near_an_end = (
        depth is not None
        and matches is not None
        and frequent(Learner, matches * REACH_WALK // depth, one_in=1)
    )
    each = (bool(filters.q) and not walk) or near_an_end
    readable = Learner.permissions.readable_few if each else Learner.permissions.readable
    qs = readable(user, Learner.objects.all()).select_related(
        "establishment", "establishment__disp", "mission_locale"
    )
    if filters.q:
        tested = walk or scope_of(user).local
        qs = qs.filter(words_match(filters.q, connections[qs.db].vendor, tested=tested))
    if filters.establishment:
        qs = qs.filter(establishment_id=filters.establishment)
    if filters.disp:
        qs = qs.filter(establishment__disp_id=filters.disp)
    # A merged file is a redirect to the kept one: listed only when asked for.
    qs = qs.filter(status=filters.status) if filters.status else qs.exclude(status=Status.MERGED)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q and connections[qs.db].vendor == "postgresql":
        # The page's establishments and missions locales are read apart, for its rows only:
        # the planner cannot estimate how many learners match words ('% JEAN%' and
        # '% BAPTISTE%': 1 estimated, 1,730 found), and joined them by scanning the missions
        # locales once per match (« jean baptiste » 46-58 ms, 10 ms read apart).
        qs = qs.select_related(None).prefetch_related(
            Prefetch("establishment", queryset=Establishment.objects.select_related("disp")),
            "mission_locale",
        )
    return by_name(qs, searched=bool(filters.q), walk=walk)


def learner_for(user: UserLike, pk: int) -> Learner | None:
    return (
        Learner.permissions.readable_few(user, Learner.objects.filter(pk=pk))
        .select_related("establishment", "establishment__disp", "mission_locale")
        .first()
    )


def establishments_in_scope(user: UserLike) -> QuerySet[Establishment]:
    """The establishments where this user may place or find learners."""
    scope = scope_of(user)
    qs = Establishment.objects.select_related("disp").order_by("label")
    if scope.everything:
        return qs
    if scope.role == Role.REGIONAL_COORDINATOR:
        return qs.filter(disp__in=scope.disp_ids)
    return qs.filter(pk__in=scope.establishment_ids)


def missions_locales_in_scope(user: UserLike) -> QuerySet[MissionLocale]:
    scope = scope_of(user)
    qs = MissionLocale.objects.order_by("name")
    if scope.everything:
        return qs
    if scope.role == Role.REGIONAL_COORDINATOR:
        return qs.filter(commune__region__in=scope.region_codes)
    if scope.mission_locale_id:
        return qs.filter(pk=scope.mission_locale_id)
    return qs.none()
