"""Reads of the orientation, always through the user's scope (Referral.permissions for the
referrals, Learner.permissions for the young people): a counselor reads their mission locale's
young people and referrals, a centre's staff the referrals addressed to their centre."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Prefetch,
    QuerySet,
    Value,
)
from django.utils import timezone

from tremplin.catalog.academic import academic_year_of
from tremplin.core.paging import frequent
from tremplin.core.scope import scope_of
from tremplin.core.stamps import count as stamped_count
from tremplin.learners.models import NAMES_WALK, Kind, Learner, by_name, words_match
from tremplin.places.models import CnamCentre, MissionLocale

from .models import Referral, ReferralEvent, YouthProfile

Status = Referral.Status

#: Statuses that a referral still moves from.
LIVE_STATUSES = (Status.SENT, Status.CONTACTED, Status.INFORMATION_MEETING)


@dataclass(frozen=True)
class ReferralFilters:
    """The filters of a referral list: one status or "live" (not enrolled nor closed), a text
    matching the young person's names or reference, a formation code."""

    status: str = ""
    q: str = ""
    formation: str = ""


def visible_referrals(user: Any) -> QuerySet[Referral]:
    return Referral.permissions.readable(
        user,
        Referral.objects.select_related(
            "learner", "mission_locale", "centre", "centre__commune", "formation"
        ),
    )


def narrowed(
    user: Any, qs: QuerySet[Referral], filters: ReferralFilters | None, *, tested: bool = False
) -> QuerySet[Referral]:
    """The referrals of `qs` that match the filters, as `user` searches them (the reminders'
    list narrows so). Searched words are read through their matches, or, for a local scope or
    when `tested`, each referral is tested against them (learners.models.words_match)."""
    if filters is None:
        return qs
    if filters.status == "live":
        qs = qs.filter(status__in=LIVE_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q.split():
        tested = tested or scope_of(user).local
        qs = qs.filter(
            words_match(filters.q, connections[qs.db].vendor, "learner__", tested=tested)
        )
    if filters.q.split() and connections[qs.db].vendor == "postgresql":
        # The page's places and formations are read apart, for its rows only: the planner
        # cannot estimate how many young people match words (« jean baptiste »: 1 estimated,
        # 1,730 found, 4,353 referrals) and joined them all before sorting (100 ms).
        qs = (
            qs.select_related(None)
            .select_related("learner")
            .prefetch_related(
                "mission_locale",
                Prefetch("centre", queryset=CnamCentre.objects.select_related("commune")),
                "formation",
            )
        )
    if filters.formation:
        qs = qs.filter(formation__code__iexact=filters.formation)
    return qs


#: A search matching more than one referral in WALK[vendor] of them all has its page read in
#: the page's order (the latest first), each referral tested against the matches: 50 matches
#: are soon found. Fewer matches are read through their index and sorted. The thresholds are
#: where both ways cost the same at national scale (PostgreSQL tests each row dearer).
WALK = {"sqlite": 150, "postgresql": 60}


def search_referrals(
    user: Any, filters: ReferralFilters | None = None, *, matches: int | None = None
) -> QuerySet[Referral]:
    """Every referral the user reads, filtered, the latest sent first. `matches`, the count of
    a search when known (count_referrals), chooses how its page is read, as neither planner
    can count the matches of typed words: through the matches (SQLite's choice, and « ma »
    over the country, 110,379 referrals, sorted them all: 164 ms) or walking the latest first
    (PostgreSQL's choice, and a region's « riviere », 1,355 referrals, walked 122 ms). Both
    now 10-20 ms at national scale."""
    vendor = connections[Referral.objects.db].vendor
    searched = filters is not None and bool(filters.q.split())
    many = searched and frequent(Referral, matches, one_in=WALK.get(vendor, 100))
    qs = narrowed(user, visible_referrals(user), filters, tested=many)
    if searched and matches is not None and not many and vendor == "postgresql":
        # An order no index gives (the same one): the planner reads the matches and sorts them.
        sent = ExpressionWrapper(F("sent_at") + Value(timedelta(0)), output_field=DateTimeField())
        return qs.order_by(sent.desc(), "-pk")
    return qs.order_by("-sent_at", "-pk")


def count_referrals(user: Any, filters: ReferralFilters | None = None) -> int:
    """`search_referrals(user, filters).count()`. A region's referrals counted inside the
    indexes (Referral.permissions.readable_count), except those of a search: its few matches
    are counted once, where each of the three counts walked them (« martin » in a region on
    PostgreSQL: 100 -> 35 ms)."""
    chosen = narrowed(user, Referral.objects.all(), filters)
    readable = Referral.permissions.readable(user, chosen)
    if filters is not None and filters.q.split():
        return stamped_count(readable)
    # The same rows, counted inside the indexes; once per change of what they read.
    return stamped_count(readable, lambda: Referral.permissions.readable_count(user, chosen))


def referrals_of_mission_locale(
    user: Any, mission_locale: MissionLocale | int, filters: ReferralFilters | None = None
) -> QuerySet[Referral]:
    """The referrals a mission locale sent, as far as the user reads them."""
    ml_id = mission_locale.pk if isinstance(mission_locale, MissionLocale) else mission_locale
    return search_referrals(user, filters).filter(mission_locale_id=ml_id)


def referrals_of_centre(
    user: Any, centre: CnamCentre | int, filters: ReferralFilters | None = None
) -> QuerySet[Referral]:
    """The referrals addressed to a centre, as far as the user reads them."""
    centre_id = centre.pk if isinstance(centre, CnamCentre) else centre
    return search_referrals(user, filters).filter(centre_id=centre_id)


def referral_for(user: Any, pk: int) -> Referral | None:
    """One referral, or None when it is outside the user's scope (the page answers 404)."""
    return visible_referrals(user).filter(pk=pk).first()


def referral_events(referral: Referral) -> QuerySet[ReferralEvent]:
    """The referral's history, oldest first (read it only after `referral_for`)."""
    return referral.events.select_related("by").order_by("at", "pk")


def status_counts(queryset: QuerySet[Referral]) -> dict[str, int]:
    """Referrals per status (every status present, 0 when none), plus "live" and "all"."""
    counts = {status: 0 for status in Status.values}
    for row in queryset.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["live"] = sum(counts[s] for s in LIVE_STATUSES)
    counts["all"] = sum(counts[s] for s in Status.values)
    return counts


# ---------------------------------------------------------------------------------------------
# Young people


def young_people(user: Any, *, q: str = "", matches: int | None = None) -> QuerySet[Learner]:
    """The young people followed by a mission locale that the user reads (a counselor: their
    mission locale's), with their profile, by name. `matches`, the count of a search when
    known, chooses how its page is read (learners.selectors.search_learners)."""
    qs = Learner.permissions.readable(
        user,
        Learner.objects.filter(kind=Kind.YOUTH).select_related(
            "mission_locale", "youth_profile", "youth_profile__commune"
        ),
    )
    walk = bool(q.split()) and frequent(Learner, matches, one_in=NAMES_WALK)
    if q.split():
        tested = walk or scope_of(user).local
        qs = qs.filter(words_match(q, connections[qs.db].vendor, tested=tested))
    return by_name(qs, searched=bool(q.split()), walk=walk)


def young_person_for(user: Any, pk: int) -> Learner | None:
    """One young person, or None outside the user's scope (the page answers 404)."""
    return young_people(user).filter(pk=pk).first()


def profile_of(learner: Learner) -> YouthProfile | None:
    return (
        YouthProfile.objects.select_related("commune", "commune__department")
        .prefetch_related("sectors")
        .filter(learner=learner)
        .first()
    )


def referrals_of_young_person(user: Any, learner: Learner) -> QuerySet[Referral]:
    return search_referrals(user).filter(learner=learner)


def referral_periods() -> tuple[list[tuple[str, str]], str]:
    """The periods that hold referrals (calendar years, then academic years, latest first) and
    the default one: the calendar year of the latest referral (this year when there is none).
    Two single steps in the index on `sent_month`."""
    first = Referral.objects.order_by("sent_month").values_list("sent_month", flat=True).first()
    last = Referral.objects.order_by("-sent_month").values_list("sent_month", flat=True).first()
    today = timezone.localdate()
    if first is None or last is None:
        first = last = today
    years = range(last.year, first.year - 1, -1)
    calendar = [(str(y), f"Année {y}") for y in years]
    first_academic = int(academic_year_of(first)[:4])
    last_academic = int(academic_year_of(last)[:4])
    academic = [
        (f"{y}-{y + 1}", f"Année universitaire {y}-{y + 1}")
        for y in range(last_academic, first_academic - 1, -1)
    ]
    return [*calendar, *academic], str(last.year)
