"""The indicators, on hand-built data: period overlap, scope, cancelled enrolments, and the
indicator that is not available yet."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conventions import world as w
from tremplin.catalog.models import Formation
from tremplin.conventions.indicators import (
    INDICATORS,
    ConventionScope,
    academic_years_overlapping,
    get_indicator,
)
from tremplin.conventions.selectors import bar_width, convention_progress, percent_of_target
from tremplin.conventions.services import (
    ConventionSpec,
    ObjectiveSpec,
    add_objective,
    create_convention,
)
from tremplin.orientation.models import Referral
from tremplin.places.models import CnamCentre, Disp, Establishment, MissionLocale, Region

pytestmark = pytest.mark.django_db

NATIONAL = ConventionScope(national=True)
Y2019 = (date(2019, 9, 1), date(2020, 8, 31))
Y2020 = (date(2020, 9, 1), date(2021, 8, 31))
CALENDAR_2020 = (date(2020, 1, 1), date(2020, 12, 31))


def disp(code: str) -> ConventionScope:
    return ConventionScope(disp_ids=frozenset({Disp.objects.get(code=code).pk}))


def establishments(*labels: str) -> ConventionScope:
    ids = Establishment.objects.filter(label__in=labels).values_list("pk", flat=True)
    return ConventionScope(establishment_ids=frozenset(ids))


def region(name: str) -> ConventionScope:
    return ConventionScope(region_codes=frozenset({Region.objects.get(name=name).pk}))


def value(key: str, scope: ConventionScope, period: tuple[date, date]) -> object:
    return get_indicator(key)(scope, *period)


def test_the_registry_lists_every_indicator_with_a_french_label_and_a_unit() -> None:
    assert set(INDICATORS) == {
        "partner_establishments",
        "disps_covered",
        "enrolled_learners",
        "ue_validation_rate",
        "emergence_participants",
        "interviews",
        "certifications_awarded",
        "mission_locale_referrals",
    }
    for indicator in INDICATORS.values():
        assert indicator.label and indicator.unit and indicator.definition


def test_academic_years_overlapping_a_period() -> None:
    assert academic_years_overlapping(*Y2019) == ["2019-2020"]
    assert academic_years_overlapping(*CALENDAR_2020) == ["2019-2020", "2020-2021"]
    assert academic_years_overlapping(date(2020, 8, 31), date(2020, 9, 1)) == [
        "2019-2020",
        "2020-2021",
    ]
    assert academic_years_overlapping(date(2018, 9, 1), date(2021, 8, 31)) == [
        "2018-2019",
        "2019-2020",
        "2020-2021",
    ]
    assert academic_years_overlapping(date(2021, 1, 1), date(2020, 1, 1)) == []


def test_an_enrolment_belongs_to_every_period_its_academic_year_overlaps() -> None:
    w.enrol(w.learner("CD MELUN"), "2019-2020")
    w.enrol(w.learner("MC POISSY"), "2020-2021")
    assert value("enrolled_learners", NATIONAL, Y2019) == 1
    assert value("enrolled_learners", NATIONAL, Y2020) == 1
    assert value("enrolled_learners", NATIONAL, CALENDAR_2020) == 2
    assert value("partner_establishments", NATIONAL, CALENDAR_2020) == 2
    # A period inside one academic year takes that year entirely.
    assert value("enrolled_learners", NATIONAL, (date(2020, 3, 1), date(2020, 3, 31))) == 1
    assert value("enrolled_learners", NATIONAL, (date(2015, 9, 1), date(2016, 8, 31))) == 0


def test_learners_are_distinct_across_their_enrolments_and_years() -> None:
    someone = w.learner("CD MELUN")
    w.enrol(someone, "2019-2020", unit=0)
    w.enrol(someone, "2019-2020", unit=1)
    w.enrol(someone, "2020-2021", unit=2)
    assert value("enrolled_learners", NATIONAL, CALENDAR_2020) == 1
    assert value("partner_establishments", NATIONAL, CALENDAR_2020) == 1


def test_scope_by_disp_establishment_and_region() -> None:
    w.enrol(w.learner("CD MELUN"), "2019-2020")
    w.enrol(w.learner("MC POISSY"), "2019-2020")
    w.enrol(w.learner("MA ST MALO"), "2019-2020")
    w.enrol(w.learner("CP NANTES"), "2019-2020")
    w.enrol(w.learner(mission_locale="DEMO-ML-STMALO"), "2019-2020")  # a young person

    assert value("enrolled_learners", NATIONAL, Y2019) == 5
    assert value("partner_establishments", NATIONAL, Y2019) == 4
    assert value("disps_covered", NATIONAL, Y2019) == 2

    assert value("enrolled_learners", disp("DISP PARIS"), Y2019) == 2
    assert value("partner_establishments", disp("DISP PARIS"), Y2019) == 2
    assert value("disps_covered", disp("DISP PARIS"), Y2019) == 1
    assert value("enrolled_learners", disp("DISP RENNES"), Y2019) == 2
    assert value("enrolled_learners", disp("DISP LYON"), Y2019) == 0

    assert value("enrolled_learners", establishments("CD MELUN"), Y2019) == 1
    assert value("enrolled_learners", establishments("CD MELUN", "MA ST MALO"), Y2019) == 2

    # A region takes its establishments and the young people of its missions locales.
    assert value("enrolled_learners", region("Bretagne"), Y2019) == 2
    assert value("partner_establishments", region("Bretagne"), Y2019) == 1
    assert value("enrolled_learners", region("Pays de la Loire"), Y2019) == 1
    assert value("enrolled_learners", region("Île-de-France"), Y2019) == 2

    assert value("enrolled_learners", ConventionScope(), Y2019) == 0


def test_cancelled_enrolments_never_count() -> None:
    only_cancelled = w.learner("CP FRESNES")
    w.enrol(only_cancelled, "2019-2020", "cancelled")
    active = w.learner("CD MELUN")
    w.enrol(active, "2019-2020", "validated", unit=0)
    w.enrol(active, "2019-2020", "failed", unit=1)
    w.enrol(active, "2019-2020", "pending", unit=2)
    w.enrol(active, "2019-2020", "cancelled", unit=3)

    assert value("enrolled_learners", NATIONAL, Y2019) == 1
    assert value("partner_establishments", NATIONAL, Y2019) == 1
    # 1 validated of 3 non-cancelled enrolments.
    assert value("ue_validation_rate", NATIONAL, Y2019) == Decimal("33.33")


def test_ue_validation_rate_has_two_decimals_and_none_without_enrolment() -> None:
    someone = w.learner("CD MELUN")
    w.enrol(someone, "2019-2020", "validated", unit=0)
    w.enrol(someone, "2019-2020", "validated", unit=1)
    w.enrol(someone, "2019-2020", "absent", unit=2)
    assert value("ue_validation_rate", NATIONAL, Y2019) == Decimal("66.67")
    assert value("ue_validation_rate", disp("DISP RENNES"), Y2019) is None
    assert get_indicator("ue_validation_rate").unavailable == "aucune inscription sur la période"


def test_emergence_participants_are_distinct_learners_of_the_cohorts_of_the_period() -> None:
    a, b, c = w.learner("CD MELUN"), w.learner("CD MELUN"), w.learner("MA ST MALO")
    w.cohort("CD MELUN", "2018-2019", a)
    w.cohort("CP FRESNES", "2019-2020", a, b)
    w.cohort("MA ST MALO", "2020-2021", c)
    assert value("emergence_participants", NATIONAL, Y2019) == 2
    assert value("emergence_participants", NATIONAL, (date(2018, 9, 1), date(2021, 8, 31))) == 3
    assert value("emergence_participants", disp("DISP PARIS"), CALENDAR_2020) == 2
    assert value("emergence_participants", disp("DISP RENNES"), CALENDAR_2020) == 1
    assert value("emergence_participants", establishments("CD MELUN"), Y2019) == 0


def test_interviews_are_placed_where_the_learner_was_on_the_day() -> None:
    moved = w.learner("CD MELUN")
    w.interview(moved, date(2019, 10, 1))  # at CD MELUN
    w.transfer(moved, "MA ST MALO", date(2020, 1, 15))
    w.interview(moved, date(2020, 1, 15))  # the day of the transfer: at MA ST MALO
    w.interview(moved, date(2020, 9, 1))  # outside 2019-2020
    w.interview(w.learner(mission_locale="DEMO-ML-STMALO"), date(2020, 2, 1))

    assert value("interviews", NATIONAL, Y2019) == 3
    assert value("interviews", disp("DISP PARIS"), Y2019) == 1
    assert value("interviews", disp("DISP RENNES"), Y2019) == 1
    assert value("interviews", region("Bretagne"), Y2019) == 2  # with the young person's
    # Both ends of the period are included.
    assert value("interviews", NATIONAL, (date(2019, 10, 1), date(2020, 1, 15))) == 2


def test_interviews_of_a_learner_without_history_use_the_recorded_establishment() -> None:
    someone = w.learner("CD MELUN")
    someone.placements.all().delete()
    w.interview(someone, date(2019, 10, 1))
    assert value("interviews", disp("DISP PARIS"), Y2019) == 1
    assert value("interviews", disp("DISP RENNES"), Y2019) == 0


def test_certifications_awarded_count_by_award_date_and_establishment() -> None:
    w.certify(w.learner("CD MELUN"), date(2020, 7, 3))
    w.certify(w.learner("MC POISSY"), date(2020, 6, 26))
    w.certify(w.learner("MA ST MALO"), date(2019, 7, 5))
    w.certify(w.learner("CD MELUN"), date(2020, 7, 1), status="proposed")
    w.certify(w.learner("CD MELUN"), date(2020, 7, 1), status="revoked")

    assert value("certifications_awarded", NATIONAL, Y2019) == 2
    assert value("certifications_awarded", NATIONAL, (date(2019, 7, 5), date(2020, 6, 26))) == 2
    assert value("certifications_awarded", disp("DISP PARIS"), CALENDAR_2020) == 2
    assert value("certifications_awarded", disp("DISP RENNES"), CALENDAR_2020) == 0
    assert value("certifications_awarded", disp("DISP RENNES"), (date(2019, 1, 1), Y2019[1])) == 1


def test_referrals_count_by_the_mission_locale_region_and_the_day_sent() -> None:
    saint_malo = MissionLocale.objects.get(code="DEMO-ML-STMALO")  # Brittany
    centre = CnamCentre.objects.get(code="DEMO-BRE")
    formation = Formation.objects.order_by("code").first()
    for day in (date(2021, 8, 31), date(2021, 9, 1), date(2022, 8, 31), date(2022, 9, 1)):
        Referral.objects.create(
            learner=w.learner(mission_locale="DEMO-ML-STMALO"),
            mission_locale=saint_malo,
            centre=centre,
            formation=formation,
            modality="on_site",
            size_class="large",
            sent_at=timezone.make_aware(datetime.combine(day, time(23, 30))),
        )
    referrals = get_indicator("mission_locale_referrals")
    year = (date(2021, 9, 1), date(2022, 8, 31))

    assert referrals(NATIONAL, *year) == 2
    assert referrals(ConventionScope(region_codes=frozenset({"53"})), *year) == 2
    assert referrals(ConventionScope(region_codes=frozenset({"11"})), *year) == 0
    assert referrals(disp("DISP RENNES"), *year) == 0  # a DISP holds no mission locale


def test_each_indicator_is_one_query(django_assert_max_num_queries: object) -> None:
    w.enrol(w.learner("CD MELUN"), "2019-2020")
    scope = disp("DISP PARIS")
    for indicator in INDICATORS.values():
        with django_assert_max_num_queries(1):  # type: ignore[operator]
            indicator(scope, *Y2019)


def test_progress_of_the_objectives_of_a_convention() -> None:
    for _ in range(7):
        w.enrol(w.learner("MA ST MALO"), "2020-2021")
    convention = create_convention(
        ConventionSpec(
            title="Convention de test",
            kind="regional_tripartite",
            parties=["Cnam Bretagne", "UPR de Rennes", "DISP de Rennes"],
            signed_on=date(2020, 1, 1),
            scope="disps",
            disps=[Disp.objects.get(code="DISP RENNES")],
        )
    )
    for label, key, target in (
        ("Inscrits", "enrolled_learners", 8),
        ("Établissements", "partner_establishments", 1),
        ("Orientations", "mission_locale_referrals", 100),
        ("Plus de DISP", "disps_covered", 5000),
    ):
        add_objective(convention, ObjectiveSpec.for_academic_years(label, key, target, "2020-2021"))

    learners, places, referrals, disps = convention_progress(convention)

    assert (learners.actual, learners.percent, learners.bar, learners.reached) == (
        7,
        Decimal("87.5"),
        85,
        False,
    )
    assert learners.css_class == "tr-progress-85"
    assert learners.actual_unit == "personnes inscrites"
    assert learners.period == "2020-2021" and learners.finished
    assert (places.actual, places.bar, places.reached, places.actual_unit) == (
        1,
        100,
        True,
        "établissement",
    )
    assert (referrals.actual, referrals.available, referrals.reached) == (0, True, False)
    assert referrals.bar == 0 and referrals.percent == Decimal("0.0")
    assert disps.bar == 0 and disps.percent == Decimal("0.0")


def test_the_bar_is_capped_and_says_100_only_when_reached() -> None:
    assert bar_width(Decimal("250"), reached=True) == 100
    assert bar_width(Decimal("99.9"), reached=False) == 95
    assert bar_width(Decimal("4.9"), reached=False) == 0
    assert bar_width(None, reached=False) == 0
    assert percent_of_target(27, Decimal(25)) == Decimal("108.0")
    assert percent_of_target(Decimal("52.84"), Decimal(50)) == Decimal("105.6")
    assert percent_of_target(None, Decimal(50)) is None
