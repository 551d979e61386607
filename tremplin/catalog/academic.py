"""Academic years: `2019-2020` runs from 1 September 2019 to 31 August 2020."""

from __future__ import annotations

from datetime import date


def academic_year_of(day: date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def academic_year_bounds(year: str) -> tuple[date, date]:
    start = int(year[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def academic_years_overlapping(start: date, end: date) -> list[str]:
    """`2019-2020`... for every academic year that overlaps `[start, end]` (empty if end <
    start)."""
    if end < start:
        return []
    first = int(academic_year_of(start)[:4])
    last = int(academic_year_of(end)[:4])
    return [f"{year}-{year + 1}" for year in range(first, last + 1)]


def next_academic_year(year: str) -> str:
    start = int(year[:4]) + 1
    return f"{start}-{start + 1}"
