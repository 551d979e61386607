"""Figures computed once per state of the data they read.

A year's state is its `YearStamp.token`, changed by the database on every write that the year's
figures read (models.py, migration 0001); the orientation statistics read the year's
`ReferralStamp.token`, which only their own data changes (migration 0002). `remember` keys what it stores by the tokens of the
years a figure reads, so:
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
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import caches

from .models import FIRST_YEAR, LAST_YEAR, Stamp, YearStamp

CACHE = "reports"
#: Change it when the shape of what is stored changes: older entries are then never read.
SHAPE = 1
#: Entries unread for this long leave the cache.
TIMEOUT = 90 * 24 * 3600

T = TypeVar("T")


def tokens(years: Iterable[str], stamps: type[Stamp] = YearStamp) -> dict[str, int]:
    """The current token of each year (a year outside the stamps' range is left out): its
    bilan's (`YearStamp`), or its referrals' (`ReferralStamp`, what the orientation statistics
    read)."""
    rows = stamps._default_manager.filter(year__in=list(years)).values_list("year", "token")
    return dict(rows)


def key(kind: str, parts: object, year_tokens: dict[str, int]) -> str:
    described = json.dumps([parts, sorted(year_tokens.items())], sort_keys=True, default=str)
    return f"tremplin:{SHAPE}:{kind}:{hashlib.sha256(described.encode()).hexdigest()}"


def remember(
    kind: str,
    parts: object,
    years: Iterable[str],
    compute: Callable[[], T],
    stamps: type[Stamp] = YearStamp,
) -> T:
    """`compute()`, stored under `kind`, `parts` (what the figure is of, JSON-able) and the
    tokens of `years` (every year whose data the figure reads) in `stamps`."""
    wanted = set(years)
    found = tokens(wanted, stamps)
    if set(found) != wanted:
        return compute()
    return remember_under(kind, parts, found, compute)


def remember_under(
    kind: str, parts: object, year_tokens: dict[str, int], compute: Callable[[], T]
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
