"""The orientation's figures on a dataset built by hand, every figure computed on paper:

| referral | mission locale | centre (town size) | sent | first contact | end |
|---|---|---|---|---|---|
| r1 | Saint-Malo | Rennes (large) | 2 Mar 2026 | +2 days | enrolled |
| r2 | Saint-Malo | Vitré (small) | 10 Mar 2026 | +4 days | contacted |
| r3 | Saint-Malo | Saint-Brieuc (medium) | 1 Apr 2026 | none | closed (no answer) |
| r4 | Saint-Malo | Saint-Brieuc (medium) | 5 Apr 2026 | +10 days | closed (other path) |
| r5 | Rennes | Rennes (large) | 20 Apr 2026 | none | sent |
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.orientation.models import CentreOffer, Referral
from tremplin.orientation.services import send_referral
from tremplin.orientation.stats import Figures, median, referral_stats
from tremplin.places.models import CnamCentre, MissionLocale

from .conftest import YoungPersonFactory

pytestmark = pytest.mark.django_db


def figures(
    sent: int,
    contacted: int,
    enrolled: int,
    small_medium: int,
    median_days: float | None,
) -> tuple[int, int, int, int, float | None]:
    return (sent, contacted, enrolled, small_medium, median_days)


def of(f: Figures) -> tuple[int, int, int, int, float | None]:
    return (f.sent, f.contacted, f.enrolled, f.small_medium, f.median_days_to_first_contact)


def test_the_totals_conversion_rates_median_and_small_and_medium_towns_share(
    dataset: dict[str, Referral],
) -> None:
    stats = referral_stats(year=2026)
    total = stats.total

    assert of(total) == figures(5, 3, 1, 3, 4.0)
    assert total.contact_rate == 60.0
    assert total.enrolment_rate == 20.0
    assert total.small_medium_share == 60.0
    assert stats.start == date(2026, 1, 1) and stats.end == date(2026, 12, 31)


def test_per_mission_locale(dataset: dict[str, Referral]) -> None:
    by_ml = {f.key: f for f in referral_stats(year=2026).by_mission_locale}

    assert of(by_ml["DEMO-ML-STMALO"]) == figures(4, 3, 1, 3, 4.0)
    assert by_ml["DEMO-ML-STMALO"].contact_rate == 75.0
    assert by_ml["DEMO-ML-STMALO"].enrolment_rate == 25.0
    assert by_ml["DEMO-ML-STMALO"].small_medium_share == 75.0
    assert of(by_ml["DEMO-ML-RENNES"]) == figures(1, 0, 0, 0, None)
    assert by_ml["DEMO-ML-RENNES"].contact_rate == 0.0
    assert by_ml["DEMO-ML-RENNES"].label.startswith("Mission locale du bassin d'emploi de Rennes")


def test_per_centre_and_per_region(dataset: dict[str, Referral]) -> None:
    stats = referral_stats(year=2026)
    by_centre = {f.key: f for f in stats.by_centre}

    assert of(by_centre["DEMO-BRE"]) == figures(2, 1, 1, 0, 2.0)
    assert by_centre["DEMO-BRE"].enrolment_rate == 50.0
    assert of(by_centre["DEMO-BRE-VITRE"]) == figures(1, 1, 0, 1, 4.0)
    assert of(by_centre["DEMO-BRE-STBRIEUC"]) == figures(2, 1, 0, 2, 10.0)
    assert by_centre["DEMO-BRE-STBRIEUC"].small_medium_share == 100.0
    assert [(f.key, f.label, f.sent) for f in stats.by_region] == [("53", "Bretagne", 5)]


def test_per_month_with_the_median_of_an_even_number(dataset: dict[str, Referral]) -> None:
    by_month = {f.key: f for f in referral_stats(year="2025-2026").by_month}

    assert min(by_month) == "2025-09" and max(by_month) == "2026-08"
    assert of(by_month["2026-03"]) == figures(2, 2, 1, 1, 3.0)  # (2 + 4) / 2
    assert by_month["2026-03"].label == "mars 2026"
    assert of(by_month["2026-04"]) == figures(3, 1, 0, 2, 10.0)
    assert of(by_month["2026-05"]) == figures(0, 0, 0, 0, None)


def test_the_filters_mission_locale_centre_region_and_period(
    dataset: dict[str, Referral],
) -> None:
    stmalo = MissionLocale.objects.get(code="DEMO-ML-STMALO")
    rennes = CnamCentre.objects.get(code="DEMO-BRE")

    assert of(referral_stats(year=2026, mission_locale=stmalo).total) == figures(4, 3, 1, 3, 4.0)
    assert of(referral_stats(year=2026, centre=rennes).total) == figures(2, 1, 1, 0, 2.0)
    assert of(referral_stats(year=2026, centre=rennes.pk).total) == figures(2, 1, 1, 0, 2.0)
    assert referral_stats(year=2026, region="53").total.sent == 5
    assert referral_stats(year=2026, region=["11", "24"]).total.sent == 0
    assert referral_stats(year=2025).total.sent == 0
    assert referral_stats(year="2025-2026").total.sent == 5
    assert referral_stats(year="2026-2027").total.sent == 0
    every = referral_stats()
    assert every.total.sent == 5
    assert [f.key for f in every.by_month] == ["2026-03", "2026-04"]


def test_a_referral_belongs_to_its_local_month(
    young: YoungPersonFactory, offers: dict[str, CentreOffer], counselor: User
) -> None:
    # 1 June 2026 at 00:30 in Paris is still 31 May in UTC: a June referral.
    june = timezone.make_aware(datetime(2026, 6, 1, 0, 30))
    send_referral(young(), offer=offers["rennes"], message="", by=counselor, now=june)
    # 1 January 2027 at 00:30 in Paris is 31 December 2026 in UTC: a referral of 2027.
    new_year = timezone.make_aware(datetime(2027, 1, 1, 0, 30))
    send_referral(young(), offer=offers["vitre"], message="", by=counselor, now=new_year)

    stats = referral_stats(year=2026)

    months = {f.key: f.sent for f in stats.by_month}
    assert (months["2026-05"], months["2026-06"]) == (0, 1)
    assert stats.total.sent == 1
    assert referral_stats(year=2027).total.sent == 1


def test_nothing_sent_gives_zeros_and_no_median(db: None) -> None:
    stats = referral_stats(year=2026)

    assert of(stats.total) == figures(0, 0, 0, 0, None)
    assert stats.total.contact_rate == 0.0
    assert stats.by_mission_locale == () and stats.by_centre == ()
    assert stats.as_dict()["total"]["median_days_to_first_contact"] is None


def test_the_median_of_a_histogram() -> None:
    from collections import Counter

    assert median(Counter()) is None
    assert median(Counter({5: 1})) == 5
    assert median(Counter({1: 1, 3: 1})) == 2.0
    assert median(Counter({0: 3, 10: 1})) == 0
    assert median(Counter({2: 2, 7: 2})) == 4.5
    assert median(Counter({1: 1, 2: 1, 30: 1})) == 2


def test_the_months_still_to_come_are_left_out(dataset: dict[str, Referral]) -> None:
    today = timezone.localdate()
    months = [f.key for f in referral_stats(year=today.year).by_month]

    assert months[0] == f"{today.year}-01" and months[-1] == f"{today:%Y-%m}"


def test_an_unknown_period_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="Période inconnue"):
        referral_stats(year="2026-2028")


def test_the_figures_are_computed_once_per_state_of_the_referrals_then_follow_a_move(
    dataset: dict[str, Referral], staff: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tremplin.orientation.services import move_referral
    from tremplin.orientation.stats import _referral_stats

    assert referral_stats(year=2026).total.contacted == 3
    with CaptureQueriesContext(connection) as queries:
        again = referral_stats(year=2026)
    assert len(queries) == 1  # the tokens of the academic years of 2026
    assert again.total.contacted == 3
    move_referral(dataset["r5"], "contact", by=staff, now=timezone.now())
    fresh = _referral_stats("2026", date(2026, 1, 1), date(2027, 1, 1), (), None, None)
    assert referral_stats(year=2026).total.contacted == fresh.total.contacted == 4
    assert referral_stats().total.contacted == 4


def referral_token(year: str) -> int:
    from tremplin.reporting.models import ReferralStamp

    return ReferralStamp.objects.get(year=year).token


def year_token(year: str) -> int:
    from tremplin.reporting.models import YearStamp

    return YearStamp.objects.get(year=year).token


def test_only_the_writes_the_statistics_read_give_their_year_a_new_state(
    dataset: dict[str, Referral],
) -> None:
    """`ReferralStamp`: the referrals of the year and the places they are grouped by; an
    enrolment, an interview, a placement or an establishment leave it (they change the bilan's
    own stamp). By the database's triggers, whatever the path: a form, a queryset, in bulk."""
    from tremplin.catalog.models import TeachingUnit
    from tremplin.enrolment.models import Enrolment
    from tremplin.followup.models import Interview
    from tremplin.learners.models import Placement
    from tremplin.places.models import Establishment, Region

    year, other = "2025-2026", "2019-2020"
    learner = dataset["r1"].learner
    tokens = (referral_token(year), referral_token(other))
    bilan = year_token(year)
    Enrolment.objects.create(
        learner=learner, academic_year=year, unit=TeachingUnit.objects.order_by("pk")[0]
    )
    Interview.objects.create(learner=learner, date=date(2026, 3, 3), kind="training_followup")
    Placement.objects.create(learner=learner, kind="release", date=date(2026, 4, 1))
    Establishment.objects.filter(label="CD MELUN").update(name="Centre de détention de Melun")
    assert year_token(year) != bilan
    assert (referral_token(year), referral_token(other)) == tokens

    # A referral of the year, by a queryset update, then created in bulk, then deleted.
    writes = [
        lambda: Referral.objects.filter(pk=dataset["r2"].pk).update(message="Relancée"),
        lambda: Referral.objects.bulk_create(
            [Referral(**{**_fields(dataset["r3"]), "message": "Copie"})]
        ),
        lambda: Referral.objects.filter(message="Copie").delete(),
    ]
    bilan = year_token(year)
    for write in writes:
        before = referral_token(year)
        write()
        assert referral_token(year) != before
        assert referral_token(other) == tokens[1]  # another year's referrals are as they were
        assert year_token(year) == bilan  # the bilan's own stamp: its figures stay stored

    # The places the statistics group by: every year.
    for write in (
        lambda: CnamCentre.objects.filter(code="DEMO-BRE").update(name="Cnam Bretagne, Rennes"),
        lambda: MissionLocale.objects.filter(code="DEMO-ML-RENNES").update(name="ML de Rennes"),
        lambda: Region.objects.filter(code="53").update(name="Bretagne (région)"),
    ):
        before = referral_token(other)
        write()
        assert referral_token(other) != before


def _fields(referral: Referral) -> dict[str, object]:
    """A referral's column values, for a copy written in bulk."""
    return {
        field.attname: getattr(referral, field.attname)
        for field in Referral._meta.concrete_fields
        if not field.primary_key
    }


def test_the_statistics_stay_stored_across_a_write_they_do_not_read_and_agree_with_fresh(
    dataset: dict[str, Referral],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tremplin.catalog.models import TeachingUnit
    from tremplin.enrolment.models import Enrolment
    from tremplin.orientation.stats import _referral_stats

    stored = referral_stats(year="2025-2026")
    Enrolment.objects.create(
        learner=dataset["r1"].learner,
        academic_year="2025-2026",
        unit=TeachingUnit.objects.order_by("pk")[0],
    )
    with CaptureQueriesContext(connection) as queries:
        again = referral_stats(year="2025-2026")
    assert len(queries) == 1  # the referral stamps of the year: nothing computed again
    fresh = _referral_stats("2025-2026", date(2025, 9, 1), date(2026, 9, 1), (), None, None)
    assert again == stored
    assert again.total == fresh.total and again.by_centre == fresh.by_centre


def test_postgresql_updates_the_year_stamps_before_the_referral_stamps(db: None) -> None:
    """PostgreSQL fires a table's triggers in the order of their names: a referral written
    locks its year stamp, then its referral stamp, the order a merge takes them in (year stamps
    first, by the placements and enrolments it moves), so that no two writers wait on each
    other in opposite orders."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database: no order between rows")
    # (and the follow-up stamps' after the year stamps', reporting 0004)
    for table, after in (
        ("orientation_referral", "_referrals"),
        ("places_cnamcentre", "_referrals"),
        ("followup_interview", "_followup"),
        ("learners_placement", "_followup"),
        ("places_establishment", "_followup"),
        ("places_disp", "_followup"),
    ):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgname LIKE %s ORDER BY tgname",
                [table, f"{table}_stamp_%"],
            )
            names = [row[0] for row in cursor.fetchall()]
        for op in ("insert", "update", "delete", "truncate"):
            year, other = f"{table}_stamp_{op}", f"{table}_stamp_{op}{after}"
            assert names.index(year) < names.index(other), names


def test_a_referral_sent_leaves_the_bilan_stored_and_shows_at_once_in_its_orientation_rows(
    dataset: dict[str, Referral],
) -> None:
    """The bilan's orientation rows are drawn from the statistics at each read: a referral
    sent (the orientation flow's everyday write) changes them, and computes nothing else of
    the bilan again."""
    from unittest import mock

    from tremplin.reporting.stamps import first_stamped
    from tremplin.reporting.stored import stored_bilan, stored_tables

    year = "2025-2026"
    tables = stored_tables(stored_bilan(year))
    assert tables.orientation[-1].sent == 5
    Referral.objects.bulk_create([Referral(**{**_fields(dataset["r3"]), "message": "Copie"})])
    with (
        mock.patch("tremplin.reporting.stored.compute_bilan", side_effect=AssertionError),
        mock.patch("tremplin.reporting.stored.bilan_tables", side_effect=AssertionError),
        mock.patch("tremplin.reporting.stored._trends", return_value=[]) as counted,
    ):
        bilan = stored_bilan(year)
        again = stored_tables(bilan)
    # Counted only for the years before the stamps' range, as at every read.
    assert counted.call_args_list == [mock.call(bilan.scope, before=first_stamped())]
    assert again.orientation[-1].sent == 6
    assert again.orientation != tables.orientation
    assert again.units == tables.units and again.trends == tables.trends


def test_the_conventions_indicator_of_referrals_follows_the_referrals_it_counts(
    dataset: dict[str, Referral],
) -> None:
    """Stored under the referral stamps as well as the year stamps: a referral sent counts at
    the next read."""
    from tremplin.conventions.indicators import INDICATORS, ConventionScope
    from tremplin.conventions.selectors import stored_value

    indicator = INDICATORS["mission_locale_referrals"]
    scope, start, end = ConventionScope(national=True), date(2026, 1, 1), date(2026, 12, 31)
    assert stored_value(indicator, scope, start, end) == 5
    Referral.objects.bulk_create([Referral(**{**_fields(dataset["r3"]), "message": "Copie"})])
    assert stored_value(indicator, scope, start, end) == 6 == indicator(scope, start, end)
