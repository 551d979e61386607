"""Figures computed once per state of the data they read.

A year's state is its `YearStamp.token`, changed by the database on every write that the year's
bilan reads but the referrals, the interviews and the placements (models.py, migrations 0001,
0003 and 0004); the orientation statistics, and the bilan's orientation rows drawn from them,
read the year's `ReferralStamp.token`, which only their own data changes (migration 0002); the
bilan's follow-up figures read the year's `FollowupStamp.token` (migration 0004). `remember` keys what
it stores by the tokens of the years a figure reads, in each table of stamps it reads, so:
- a closed year, whose data no longer changes, is computed once and then read (about a
  millisecond);
- the current year is computed at most once per change, whoever the writer;
- nothing is invalidated by hand, and a stale entry can never be read: a write gives a new
  token, and entries under old tokens age out of the cache.
A figure reading a year outside the stamps' range is computed each time.

A printed or spreadsheet document of these figures is stored under what it shows and the sources
that lay it out (`core.digests.remember_document`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.cache import caches

from .models import FIRST_YEAR, LAST_YEAR, Stamp, YearStamp

CACHE = "reports"
#: Change it when the shape of what is stored changes: older entries are then never read.
#: 2: the bilan stored without its follow-up figures, its tables without their follow-up and
#: orientation rows (reporting migrations 0003 and 0004).
SHAPE = 2
#: Entries unread for this long leave the cache.
TIMEOUT = 90 * 24 * 3600

T = TypeVar("T")


def tokens(years: Iterable[str], stamps: type[Stamp] = YearStamp) -> dict[str, int]:
    """The current token of each year (a year outside the stamps' range is left out): its
    bilan's (`YearStamp`), or its referrals' (`ReferralStamp`, what the orientation statistics
    read)."""
    rows = stamps._default_manager.filter(year__in=list(years)).values_list("year", "token")
    return dict(rows)


def key(kind: str, parts: object, year_tokens: Mapping[str, Any]) -> str:
    described = json.dumps([parts, sorted(year_tokens.items())], sort_keys=True, default=str)
    return f"tremplin:{SHAPE}:{kind}:{hashlib.sha256(described.encode()).hexdigest()}"


def remember(
    kind: str,
    parts: object,
    years: Iterable[str],
    compute: Callable[[], T],
    stamps: type[Stamp] | tuple[type[Stamp], ...] = YearStamp,
) -> T:
    """`compute()`, stored under `kind`, `parts` (what the figure is of, JSON-able) and the
    tokens of `years` (every year whose data the figure reads) in `stamps` (a table of stamps,
    or several when the figure reads what each watches)."""
    wanted = set(years)
    found = stamped(wanted, stamps)
    if found is None:
        return compute()
    return remember_under(kind, parts, found, compute)


def stamped(
    years: set[str], stamps: type[Stamp] | tuple[type[Stamp], ...] = YearStamp
) -> dict[str, Any] | None:
    """The tokens of `years` in `stamps`: a year's token, or the list of its tokens in each
    table of stamps; None when a year is outside the stamps' range."""
    tables = stamps if isinstance(stamps, tuple) else (stamps,)
    found = [tokens(years, table) for table in tables]
    if any(set(each) != years for each in found):
        return None
    if len(found) == 1:
        return dict(found[0])
    return {year: [each[year] for each in found] for year in years}


def remember_under(
    kind: str, parts: object, year_tokens: Mapping[str, Any], compute: Callable[[], T]
) -> T:
    """`remember` with the years' tokens already read."""
    cache = caches[CACHE]
    name = key(kind, parts, year_tokens)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, TIMEOUT)
    return value


def first_stamped() -> str:
    return f"{FIRST_YEAR}-{FIRST_YEAR + 1}"


def stamped_years_up_to(year: str) -> list[str]:
    return [f"{y}-{y + 1}" for y in range(FIRST_YEAR, min(int(year[:4]), LAST_YEAR) + 1)]
