"""Academic years: `2019-2020` runs from 1 September 2019 to 31 August 2020.

`AcademicYear` is the one place of the arithmetic (which year a day falls in, its first and
last days, the next and previous years, the years a period overlaps); the functions below are
its shortcuts on the text form that the models store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PATTERN = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True, order=True)
class AcademicYear:
    start: int

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        """The academic year `day` falls in."""
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        """`2019-2020` → AcademicYear(2019); a ValueError in French otherwise."""
        match = PATTERN.match(text.strip())
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValueError(f"« {text} » n'est pas une année universitaire (ex. 2019-2020).")
        return cls(int(match[1]))

    def __str__(self) -> str:
        return f"{self.start}-{self.start + 1}"

    @property
    def first_day(self) -> date:
        return date(self.start, 9, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 8, 31)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def shifted(self, years: int) -> AcademicYear:
        return AcademicYear(self.start + years)

    @property
    def next(self) -> AcademicYear:
        return self.shifted(1)

    @property
    def previous(self) -> AcademicYear:
        return self.shifted(-1)

    @classmethod
    def overlapping(cls, start: date, end: date) -> list[AcademicYear]:
        """Every academic year that overlaps `[start, end]` (none if end < start)."""
        if end < start:
            return []
        return [cls(y) for y in range(cls.of(start).start, cls.of(end).start + 1)]


def academic_year_of(day: date) -> str:
    return str(AcademicYear.of(day))


def academic_year_bounds(year: str) -> tuple[date, date]:
    academic = AcademicYear(int(year[:4]))
    return academic.first_day, academic.last_day


def academic_years_overlapping(start: date, end: date) -> list[str]:
    """`2019-2020`... for every academic year that overlaps `[start, end]` (empty if end <
    start)."""
    return [str(y) for y in AcademicYear.overlapping(start, end)]


def next_academic_year(year: str) -> str:
    return str(AcademicYear(int(year[:4])).next)


def previous_academic_year(year: str) -> str:
    return str(AcademicYear(int(year[:4])).previous)
