"""The bilan's figures, detail tables and trend rows, stored per state of the data they read
(stamps.py): a closed year is computed once, the current one at most once per change. Each
part is stored per state of what it reads, so that the everyday writes of one flow leave the
others' parts stored: the follow-up figures and rows per state of the year's interviews and
placements (`FollowupStamp`), the orientation rows drawn from the orientation statistics,
stored per state of the year's referrals (`ReferralStamp`), the rest per `YearStamp`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.cache import caches
from django.utils import timezone

from tremplin.core.routers import reports

from .bilan import Bilan, Scope, compute_bilan, followup_figures, resolve_scope, year_bounds
from .models import FollowupStamp
from .stamps import (
    CACHE,
    TIMEOUT,
    first_stamped,
    key,
    remember,
    remember_under,
    stamped_years_up_to,
    tokens,
)
from .tables import Tables, TrendRow, _trends, bilan_tables, followup_rows, orientation_rows


@reports
def stored_bilan(
    year: str,
    *,
    disp: str | None = None,
    establishment: str | None = None,
    sector: str | None = None,
) -> Bilan:
    """`compute_bilan` of the same arguments, computed once per state of the year's data: its
    follow-up figures per state of the year's follow-up (`FollowupStamp`), the others per state
    of the rest (`YearStamp`)."""
    year_bounds(year)
    scope = resolve_scope(disp, establishment, sector)
    found = tokens([year])
    if year not in found:
        return compute_bilan(year, disp=disp, establishment=establishment, sector=sector)

    def compute() -> Bilan:
        """The bilan, and its year's trend row (the same figures) stored under the same token:
        the trends then read it rather than count the year again."""
        bilan = compute_bilan(
            year, disp=disp, establishment=establishment, sector=sector, with_followup=False
        )
        row = trend_row(bilan) if bilan.ue_enrollments else _NO_ENROLMENT
        caches[CACHE].set(key("trend", [year, scope.as_dict()], found), row, TIMEOUT)
        return bilan

    bilan = remember_under("bilan", [year, scope.as_dict()], found, compute)
    followup = remember(
        "followup",
        [year, scope.as_dict()],
        [year],
        lambda: followup_figures(year, scope),
        FollowupStamp,
    )
    return replace(bilan, followup=followup)


def trend_row(bilan: Bilan) -> TrendRow:
    """The trend row of a bilan's year, from its figures (`tables._trends` counts the same)."""
    return TrendRow(
        year=bilan.academic_year,
        learners=bilan.enrolled_learners,
        establishments=bilan.partner_establishments,
        learner_success_rate=bilan.learner_success_rate,
        ue_validation_rate=bilan.ue_validation_rate,
    )


@reports
def stored_tables(bilan: Bilan) -> Tables:
    """`bilan_tables(bilan)`: its trend rows stored per year, its follow-up rows per state of
    the year's follow-up, its orientation rows drawn from the stored orientation statistics,
    dated today."""
    year, scope = bilan.academic_year, bilan.scope
    known = tokens(stamped_years_up_to(year))
    if year not in known:
        return bilan_tables(bilan)
    tables = remember_under(
        "tables",
        [year, scope.as_dict()],
        {year: known[year]},
        lambda: bilan_tables(bilan, with_trends=False, with_orientation=False, with_followup=False),
    )
    return replace(
        tables,
        trends=stored_trends(scope, known),
        followup=remember(
            "followup-rows",
            [year, scope.as_dict()],
            [year],
            lambda: followup_rows(year, scope),
            FollowupStamp,
        ),
        orientation=orientation_rows(year, scope),
        generated_on=timezone.localdate(),
    )


def stored_trends(scope: Scope, known: dict[str, int]) -> list[TrendRow]:
    """The trend rows of the `known` years (year → token) with enrolments: the rows stored
    under the years' tokens, the missing ones computed together in one query."""
    cache = caches[CACHE]
    keys = {
        year: key("trend", [year, scope.as_dict()], {year: token}) for year, token in known.items()
    }
    stored = cache.get_many(list(keys.values())) if keys else {}
    found: dict[str, Any] = {year: stored[k] for year, k in keys.items() if k in stored}
    missing = sorted(set(keys) - set(found))
    if missing:
        computed = {row.year: row for row in _trends(scope, missing)}
        fresh = {year: computed.get(year, _NO_ENROLMENT) for year in missing}
        cache.set_many({keys[year]: row for year, row in fresh.items()}, TIMEOUT)
        found.update(fresh)
    rows = [row for row in found.values() if row is not _NO_ENROLMENT]
    # Years before the stamps' range (none in practice) are computed each time.
    rows += _trends(scope, before=first_stamped())
    return sorted(rows, key=lambda row: row.year)


class _NoEnrolment:
    """Stored for a year without enrolments in the scope (None would read as a miss)."""

    def __reduce__(self) -> str:
        return "_NO_ENROLMENT"


_NO_ENROLMENT = _NoEnrolment()
