"""Stored figures: computed once per state of a year's data, whoever writes it, and never read
stale (tremplin/reporting/stored.py, the year stamps' triggers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tremplin.catalog.models import Formation
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.learners.models import Learner, Placement
from tremplin.places.models import Establishment
from tremplin.reporting.bilan import compute_bilan
from tremplin.reporting.models import FollowupStamp, YearStamp
from tremplin.reporting.stored import stored_bilan, stored_tables
from tremplin.reporting.tables import bilan_tables

from .test_bilan_definitions import (
    FRESNES,
    MELUN,
    YEAR,
    certify,
    cohort,
    enrol,
    interview,
    move,
    person,
    place,
    unit,
)

pytestmark = pytest.mark.django_db

LATER = "2020-2021"


def token(year: str = YEAR) -> tuple[int, int]:
    """The year's state: its year stamp's and its follow-up stamp's tokens."""
    return (
        YearStamp.objects.get(year=year).token,
        FollowupStamp.objects.get(year=year).token,
    )


def fresh_and_stored_agree(year: str = YEAR, **scope: str) -> None:
    stored = stored_bilan(year, **scope)
    assert stored == compute_bilan(year, **scope)
    assert stored_tables(stored) == bilan_tables(compute_bilan(year, **scope))


def test_a_year_is_computed_once_then_read_from_the_store() -> None:
    enrol(person(), unit())
    first = stored_bilan(YEAR)
    stored_tables(first)
    with CaptureQueriesContext(connection) as queries:
        again = stored_bilan(YEAR)
        stored_tables(again)
    assert again == first
    # The year's token, the tokens of the years up to it, the (indexed, empty) look for years
    # before the stamps, the year's follow-up token (for the figures and for the rows) and its
    # referral token (its orientation rows, stored with the orientation statistics): nothing is
    # computed again.
    assert len(queries) == 6, [q["sql"] for q in queries]


def test_the_trend_row_of_the_bilans_year_is_stored_with_the_bilan() -> None:
    """The bilan counts the same figures as its year's trend row: computing it stores the row
    too, and the trends do not count the year again."""
    from unittest import mock

    from tremplin.reporting.stamps import first_stamped
    from tremplin.reporting.tables import trends

    learner = person()
    enrol(learner, unit())
    enrol(learner, unit(index=1), year=LATER)
    stored_tables(stored_bilan(LATER))  # every year's trend row stored
    enrol(learner, unit(index=2), year=LATER, result=Result.FAILED)
    bilan = stored_bilan(LATER)
    with mock.patch("tremplin.reporting.stored._trends", return_value=[]) as counted:
        tables = stored_tables(bilan)
    # Called only for the years before the stamps' range, never for a year of the trends.
    assert counted.call_args_list == [mock.call(bilan.scope, before=first_stamped())]
    assert tables.trends == trends()


WRITES: dict[str, Callable[[Learner], object]] = {
    "an enrolment created": lambda learner: enrol(learner, unit(index=1), result=Result.FAILED),
    "a result changed by a queryset update": lambda learner: Enrolment.objects.filter(
        learner=learner
    ).update(result=Result.FAILED),
    "enrolments created in bulk": lambda learner: Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner=learner,
                academic_year=YEAR,
                unit=unit(index=2),
                establishment=place(MELUN),
                result=Result.VALIDATED,
            )
        ]
    ),
    "an enrolment deleted": lambda learner: Enrolment.objects.filter(learner=learner).delete(),
    "an interview recorded": lambda learner: interview(learner, date(2020, 2, 3)),
    "a certification awarded": lambda learner: certify(
        learner,
        Formation.objects.exclude(code="DIE3100").order_by("code")[0].code,
        date(2020, 6, 30),
    ),
    "a certification revoked": lambda learner: Certification.objects.filter(learner=learner).update(
        status=Certification.Status.REVOKED
    ),
    "a transfer dated in the year": lambda learner: move(learner, FRESNES, date(2019, 10, 1)),
    "an Émergence participant": lambda learner: cohort(FRESNES, YEAR, learner),
    "an establishment moved to another DISP": lambda learner: Establishment.objects.filter(
        label=MELUN
    ).update(disp=Establishment.objects.get(label="CP FLEURY MEROGIS").disp),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_any_write_the_figures_read_gives_the_year_a_new_state(write: str) -> None:
    learner = person()
    enrol(learner, unit())
    certify(learner, "DIE3100", date(2020, 6, 1), status=Certification.Status.AWARDED)
    interview(learner, date(2019, 11, 5))
    fresh_and_stored_agree()
    fresh_and_stored_agree(disp="DISP PARIS")
    before = token()
    WRITES[write](learner)
    assert token() != before
    fresh_and_stored_agree()
    fresh_and_stored_agree(disp="DISP PARIS")


def test_a_write_in_one_year_leaves_the_other_closed_years_stored() -> None:
    learner = person()
    enrol(learner, unit(), year=LATER)
    before = token(YEAR)
    enrol(learner, unit(index=1), year=LATER)
    assert token(YEAR) == before


def test_a_placement_touches_every_year_from_its_own_on() -> None:
    learner = person()
    earlier, later = token("2018-2019"), token(LATER)
    Placement.objects.create(learner=learner, kind="release", date=date(2019, 12, 1))
    assert token("2018-2019") == earlier
    assert token(LATER) != later


def test_figures_stored_inside_a_rolled_back_write_are_never_read_afterwards() -> None:
    learner = person()
    enrol(learner, unit())
    committed = stored_bilan(YEAR)
    with pytest.raises(RuntimeError), transaction.atomic():
        enrol(person(MELUN), unit(index=1))
        assert stored_bilan(YEAR).enrolled_learners == committed.enrolled_learners + 1
        raise RuntimeError("rolled back")
    assert stored_bilan(YEAR) == committed == compute_bilan(YEAR)


def test_the_stored_tables_are_dated_the_day_they_are_read() -> None:
    from django.utils import timezone

    enrol(person(), unit())
    tables = stored_tables(stored_bilan(YEAR))
    assert tables.generated_on == timezone.localdate()
    assert [row.year for row in tables.trends] == [YEAR]


def test_a_learner_renamed_touches_no_year_but_a_learner_placed_elsewhere_touches_them_all() -> (
    None
):
    learner = person()
    before = token()
    Learner.objects.filter(pk=learner.pk).update(first_name="Lina")
    assert token() == before
    Learner.objects.filter(pk=learner.pk).update(establishment=place(FRESNES))
    assert token() != before


def test_a_convention_indicator_is_computed_once_per_state_of_its_years() -> None:
    from tremplin.conventions.indicators import INDICATORS, ConventionScope
    from tremplin.conventions.selectors import stored_value

    indicator = INDICATORS["enrolled_learners"]
    scope, start, end = ConventionScope(national=True), date(2020, 1, 1), date(2020, 12, 31)
    enrol(person(), unit())
    assert stored_value(indicator, scope, start, end) == indicator(scope, start, end)
    with CaptureQueriesContext(connection) as queries:
        stored_value(indicator, scope, start, end)
    assert len(queries) == 1  # the tokens of 2019-2020 and 2020-2021
    enrol(person(), unit(), year=LATER)
    assert stored_value(indicator, scope, start, end) == indicator(scope, start, end)


def test_an_interview_leaves_the_rest_of_the_bilan_stored_and_counts_at_once() -> None:
    """The interviews are the referents' everyday writes: the follow-up figures and rows are
    stored per state of the year's follow-up (`FollowupStamp`), the rest per `YearStamp`."""
    from unittest import mock

    learner = person()
    enrol(learner, unit())
    interview(learner, date(2019, 11, 5))
    first = stored_tables(stored_bilan(YEAR))
    paris = stored_tables(stored_bilan(YEAR, disp="DISP PARIS"))
    years = YearStamp.objects.get(year=YEAR).token
    interview(person(MELUN), date(2020, 2, 3), kind="training_followup")
    move(learner, FRESNES, date(2019, 10, 1))
    assert YearStamp.objects.get(year=YEAR).token == years
    with (
        mock.patch("tremplin.reporting.stored.compute_bilan", side_effect=AssertionError),
        mock.patch("tremplin.reporting.stored.bilan_tables", side_effect=AssertionError),
    ):
        bilan = stored_bilan(YEAR)
        tables = stored_tables(bilan)
    assert bilan == compute_bilan(YEAR)
    assert bilan.followup.interviews == 2
    assert tables == replace(bilan_tables(compute_bilan(YEAR)), generated_on=tables.generated_on)
    assert tables.followup != first.followup and tables.units == first.units
    # The transfer to Fresnes (DISP PARIS) places the first interview there.
    assert stored_tables(stored_bilan(YEAR, disp="DISP PARIS")).followup != paris.followup
    fresh_and_stored_agree(disp="DISP PARIS")


def test_the_follow_up_stamps_start_with_tokens_of_their_own() -> None:
    """Filled with random tokens: a table filled again never gives back a token that figures
    were stored under."""
    tokens = list(FollowupStamp.objects.values_list("token", flat=True))
    assert len(set(tokens)) == len(tokens) > 100


def test_postgresql_locks_the_year_stamp_of_an_interview_without_changing_it() -> None:
    """The year stamps no longer watch the interviews, but an interview written still locks
    its year stamp (reporting 0004): every writer takes a year stamp before a follow-up stamp.
    A second connection cannot lock it while the interview's transaction is open."""
    import psycopg

    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database: no order between rows")
    learner = person(None)  # a young person: no placement
    before = YearStamp.objects.get(year=YEAR).token
    params = connection.get_connection_params()
    lock = "SELECT 1 FROM reporting_yearstamp WHERE year = %s FOR UPDATE"
    with psycopg.connect(**{**params, "autocommit": True}) as other, other.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
        cursor.execute(lock, [YEAR])  # free before the interview
        interview(learner, date(2019, 11, 5))  # inside the test's open transaction
        with pytest.raises(psycopg.errors.LockNotAvailable):
            cursor.execute(lock, [YEAR])
        cursor.execute(lock, ["2010-2011"])  # another year's stamp is free
    assert YearStamp.objects.get(year=YEAR).token == before


def test_an_enrolment_leaves_the_follow_up_stored() -> None:
    from unittest import mock

    learner = person()
    enrol(learner, unit())
    interview(learner, date(2019, 11, 5))
    stored_tables(stored_bilan(YEAR))
    followup = FollowupStamp.objects.get(year=YEAR).token
    enrol(learner, unit(index=1), result=Result.FAILED)
    assert FollowupStamp.objects.get(year=YEAR).token == followup
    with (
        mock.patch("tremplin.reporting.stored.followup_figures", side_effect=AssertionError),
        mock.patch("tremplin.reporting.stored.followup_rows", side_effect=AssertionError),
    ):
        bilan = stored_bilan(YEAR)
        stored_tables(bilan)
    assert bilan == compute_bilan(YEAR) and bilan.ue_enrollments == 2


def test_an_interview_decides_the_masks_of_the_people_followed_alone_again() -> None:
    """The masks are decided over every cell, the interviews' among them, in two parts: an
    interview leaves the other cells' masks decided, an enrolment the people followed's."""
    from tremplin.reporting import publication

    learner = person()
    enrol(learner, unit())
    first = publication.published_cells(YEAR, 5)
    assert not {key for key in first.hidden if key[0] == "followed"}

    interview(learner, date(2019, 11, 5))
    with mock.patch.object(publication, "_decided", side_effect=AssertionError):
        again = publication.published_cells(YEAR, 5)
    followed = {key for key in again.hidden if key[0] == "followed"}  # the interviews' cells
    assert followed and again.hidden - followed == first.hidden

    enrol(learner, unit(index=1))
    with mock.patch.object(publication, "_followup_decided", side_effect=AssertionError):
        third = publication.published_cells(YEAR, 5)
    assert {key for key in third.hidden if key[0] == "followed"} == followed
    assert third.hidden != again.hidden  # the new UE's small cells
    assert third.hidden == publication.cross_tab(YEAR).hidden(5)


def test_the_conventions_indicator_of_interviews_follows_the_interviews() -> None:
    from tremplin.conventions.indicators import INDICATORS, ConventionScope
    from tremplin.conventions.selectors import stored_value

    indicator = INDICATORS["interviews"]
    scope, start, end = ConventionScope(national=True), date(2019, 9, 1), date(2020, 8, 31)
    learner = person()
    interview(learner, date(2019, 11, 5))
    assert stored_value(indicator, scope, start, end) == 1
    interview(learner, date(2020, 2, 3))
    assert stored_value(indicator, scope, start, end) == 2 == indicator(scope, start, end)
