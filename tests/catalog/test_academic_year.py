"""The academic year value object: the one place of the arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from tremplin.catalog.academic import (
    AcademicYear,
    academic_year_bounds,
    academic_year_of,
    academic_years_overlapping,
    next_academic_year,
    previous_academic_year,
)


def test_a_year_runs_from_the_first_of_september_to_the_thirty_first_of_august() -> None:
    year = AcademicYear.parse("2019-2020")
    assert (year.first_day, year.last_day) == (date(2019, 9, 1), date(2020, 8, 31))
    assert AcademicYear.of(date(2019, 9, 1)) == year == AcademicYear.of(date(2020, 8, 31))
    assert str(AcademicYear.of(date(2019, 8, 31))) == "2018-2019"
    assert date(2020, 2, 29) in year and date(2020, 9, 1) not in year
    assert (str(year.next), str(year.previous), str(year.shifted(-3))) == (
        "2020-2021",
        "2018-2019",
        "2016-2017",
    )
    assert year < year.next


@pytest.mark.parametrize("text", ["2019-2021", "2019/2020", "19-20", ""])
def test_a_text_that_is_not_an_academic_year_is_refused_in_french(text: str) -> None:
    with pytest.raises(ValueError, match="n'est pas une année universitaire"):
        AcademicYear.parse(text)


def test_the_shortcuts_on_the_stored_text_agree_with_the_value_object() -> None:
    assert academic_year_of(date(2026, 12, 3)) == "2026-2027"
    assert academic_year_bounds("2026-2027") == (date(2026, 9, 1), date(2027, 8, 31))
    assert next_academic_year("2026-2027") == "2027-2028"
    assert previous_academic_year("2026-2027") == "2025-2026"
    assert academic_years_overlapping(date(2019, 6, 1), date(2021, 9, 1)) == [
        "2018-2019",
        "2019-2020",
        "2020-2021",
        "2021-2022",
    ]
    assert academic_years_overlapping(date(2021, 1, 1), date(2020, 1, 1)) == []
