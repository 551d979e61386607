"""The demo history reproduces the seed's "bilan chiffré" (DOMAIN.md, "The figures"). Every
figure is computed here with plain queries from the definitions, never read from the
generator: an enrolment is one learner in one UE for one academic year, at the establishment of
placement; cancelled enrolments never count; 2019-2020 runs from 1 September 2019 to 31 August
2020."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import QuerySet

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, FormationKind
from tremplin.demo.content import TEACHING_UNITS
from tremplin.demo.learners import load_learners
from tremplin.enrolment.certifications import learner_paths, progress_for
from tremplin.enrolment.models import (
    Application,
    ApplicationStep,
    Certification,
    CertificationEvent,
    Enrolment,
    Funding,
    Result,
)
from tremplin.followup.models import Interview
from tremplin.followup.selectors import caseload
from tremplin.learners.models import Learner, Placement, Status
from tremplin.places.models import Commune

pytestmark = pytest.mark.django_db

HISTORY = ("2015-2016", "2016-2017", "2017-2018", "2018-2019", "2019-2020", "2020-2021")
SEED_PARIS = {
    "CP FLEURY MEROGIS",
    "CP MEAUX CHAUCONIN NEUFMONTIERS",
    "CD MELUN",
    "MC POISSY",
    "CP FRESNES",
    "CP OSNY PONTOISE",
    "CP SUD FRANCILIEN",
    "CP SEINE SAINT DENIS",
    "CP NANTERRE",
}
OTHER_DIRECTORATES = {
    "DISP RENNES",
    "DISP STRASBOURG",
    "DISP LILLE",
    "DISP DIJON",
    "DISP LYON",
    "DISP TOULOUSE",
    "DSPOM",
}
ALERT_DAYS = 60


@pytest.fixture
def loaded() -> list[str]:
    started = time.perf_counter()
    lines = load_learners()
    print(f"\nload_learners() : {time.perf_counter() - started:.2f} s")
    return lines


def bounds(year: str) -> tuple[date, date]:
    start = int(year[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def counted(year: str) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(academic_year=year).exclude(result=Result.CANCELLED)


def enrolled_learners(year: str) -> int:
    return counted(year).values("learner").distinct().count()


def partner_establishments(year: str) -> int:
    return counted(year).values("establishment").distinct().count()


def successful_learners(year: str) -> int:
    return counted(year).filter(result=Result.VALIDATED).values("learner").distinct().count()


def percentage(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.01"))


def by_disp(year: str) -> dict[str, tuple[set[str], set[int]]]:
    """Per DISP: the labels of its establishments and its distinct learners."""
    disps: dict[str, tuple[set[str], set[int]]] = defaultdict(lambda: (set(), set()))
    for disp, label, learner in counted(year).values_list(
        "establishment__disp__code", "establishment__label", "learner"
    ):
        disps[disp][0].add(label)
        disps[disp][1].add(learner)
    return dict(disps)


def placements_of(learner: Learner) -> list[Placement]:
    return list(learner.placements.order_by("date", "id"))


def where_in(learner: Learner, start: date, end: date) -> set[str]:
    """The establishments where the learner was at some point between start and end."""
    labels: set[str] = set()
    here: str | None = None
    for placement in placements_of(learner):
        if placement.date > end:
            break
        if placement.date <= start:
            here = placement.establishment.label if placement.establishment else None
            continue
        if here:
            labels.add(here)
        here = placement.establishment.label if placement.establishment else None
    if here:
        labels.add(here)
    return labels


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "learners": sorted(
            Learner.objects.values_list(
                "reference",
                "last_name",
                "first_name",
                "birth_date",
                "education_level",
                "status",
                "establishment__label",
            )
        ),
        "placements": sorted(
            Placement.objects.values_list(
                "learner__reference", "kind", "date", "establishment__label", "release_commune"
            ),
            key=str,
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list(
                "learner__reference",
                "academic_year",
                "unit__code",
                "establishment__label",
                "result",
                "grade",
                "abandon_reason",
                "funding",
                "result_at",
            ),
            key=str,
        ),
        "interviews": sorted(
            Interview.objects.values_list("learner__reference", "date", "kind", "notes"), key=str
        ),
        "applications": sorted(
            Application.objects.values_list(
                "learner__reference", "academic_year", "status", "created_at", "formation__code"
            ),
            key=str,
        ),
        "steps": sorted(
            ApplicationStep.objects.values_list(
                "application__learner__reference", "to_status", "at", "by__username"
            ),
            key=str,
        ),
        "certifications": sorted(
            Certification.objects.values_list(
                "learner__reference", "formation__code", "number", "awarded_on", "credits"
            ),
            key=str,
        ),
    }


def delete_demo_learners() -> None:
    Certification.objects.all().delete()
    Enrolment.objects.all().delete()
    Application.objects.all().delete()
    Interview.objects.all().delete()
    Learner.objects.all().delete()


# ------------------------------------------------------------------------------------------
# 2019-2020, the seed's year
# ------------------------------------------------------------------------------------------


def test_in_2019_2020_sixty_four_learners_were_enrolled_in_twenty_two_establishments(
    loaded: list[str],
) -> None:
    assert enrolled_learners("2019-2020") == 64
    assert partner_establishments("2019-2020") == 22


def test_in_2019_2020_disp_paris_counts_exactly_the_nine_seed_establishments_and_48_learners(
    loaded: list[str],
) -> None:
    labels, learners = by_disp("2019-2020")["DISP PARIS"]
    assert labels == SEED_PARIS
    assert len(learners) == 48


def test_in_2019_2020_sixteen_learners_came_from_thirteen_establishments_in_seven_other_directorates(
    loaded: list[str],
) -> None:
    others = {code: v for code, v in by_disp("2019-2020").items() if code != "DISP PARIS"}
    assert set(others) == OTHER_DIRECTORATES
    assert sum(len(labels) for labels, _ in others.values()) == 13
    assert sum(len(learners) for _, learners in others.values()) == 16


def test_in_2019_2020_every_learner_is_counted_in_one_directorate_only(loaded: list[str]) -> None:
    disps: dict[int, set[str]] = defaultdict(set)
    for learner, disp in counted("2019-2020").values_list("learner", "establishment__disp__code"):
        disps[learner].add(disp)
    assert len(disps) == 64
    assert all(len(codes) == 1 for codes in disps.values())


def test_in_2019_2020_ninety_three_of_176_ue_enrolments_were_validated(loaded: list[str]) -> None:
    enrolments = counted("2019-2020").count()
    validated = counted("2019-2020").filter(result=Result.VALIDATED).count()
    assert (enrolments, validated) == (176, 93)
    assert percentage(validated, enrolments) == Decimal("52.84")


def test_in_2019_2020_thirty_six_learners_validated_at_least_one_ue(loaded: list[str]) -> None:
    assert successful_learners("2019-2020") == 36
    assert percentage(36, enrolled_learners("2019-2020")) == Decimal("56.25")


def test_cancelled_enrolments_exist_and_belong_to_counted_learners_and_places(
    loaded: list[str],
) -> None:
    cancelled = Enrolment.objects.filter(academic_year="2019-2020", result=Result.CANCELLED)
    assert cancelled.count() >= 2
    learners = set(counted("2019-2020").values_list("learner", flat=True))
    places = set(counted("2019-2020").values_list("establishment", flat=True))
    assert set(cancelled.values_list("learner", flat=True)) <= learners
    assert set(cancelled.values_list("establishment", flat=True)) <= places
    assert not cancelled.exclude(grade=None).exists()


def test_in_2019_2020_the_referent_followed_48_learners_in_96_interviews(
    loaded: list[str],
) -> None:
    start, end = bounds("2019-2020")
    interviews = Interview.objects.filter(date__range=(start, end))
    assert interviews.values("learner").distinct().count() == 48
    assert interviews.count() == 96
    kinds: dict[str, int] = defaultdict(int)
    for kind in interviews.values_list("kind", flat=True):
        kinds[kind] += 1
    assert dict(kinds) == {
        Interview.Kind.INFORMATION_ORIENTATION: 48,
        Interview.Kind.TRAINING_FOLLOWUP: 48,
    }
    per_learner: dict[int, list[str]] = defaultdict(list)
    for learner, kind in interviews.values_list("learner", "kind"):
        per_learner[learner].append(kind)
    assert all(sorted(k) == sorted(Interview.Kind.values) for k in per_learner.values())
    assert set(interviews.values_list("referent__username", flat=True)) == {"referent"}
    paris = by_disp("2019-2020")["DISP PARIS"][1]
    assert set(per_learner) == paris


def test_three_certifications_were_awarded_in_2019_2020_as_in_the_seed(loaded: list[str]) -> None:
    awarded = Certification.objects.filter(
        status=Certification.Status.AWARDED, academic_year="2019-2020"
    ).order_by("number")
    assert [
        (c.number, c.formation.kind, c.establishment.label if c.establishment else None)
        for c in awarded
    ] == [
        ("CNAM-CERT-2020-0001", FormationKind.INSTITUTION_DIPLOMA, "CD MELUN"),
        ("CNAM-CERT-2020-0002", FormationKind.PROFESSIONAL_CERTIFICATE, "MC POISSY"),
        ("CNAM-CERT-2020-0003", FormationKind.SPECIALISATION_CERTIFICATE, "CD MELUN"),
    ]
    assert awarded[0].formation.code == "DIE3100"
    start, end = bounds("2019-2020")
    for certification in awarded:
        assert certification.awarded_on is not None
        assert certification.awarded_on.month in (6, 7)
        assert start <= certification.awarded_on <= end
        assert certification.events.filter(status=Certification.Status.AWARDED).exists()
        learners = set(counted("2019-2020").values_list("learner", flat=True))
        assert certification.learner_id in learners
    other_awards = Certification.objects.filter(
        status=Certification.Status.AWARDED, awarded_on__range=(start, end)
    ).exclude(pk__in=[c.pk for c in awarded])
    assert not other_awards.exists()
    assert CertificationEvent.objects.filter(certification__in=awarded).count() >= 3


def test_the_certified_learners_really_meet_their_formations_requirements(
    loaded: list[str],
) -> None:
    certifications = Certification.objects.filter(status=Certification.Status.AWARDED)
    assert certifications.filter(academic_year="2019-2020").count() == 3
    for certification in certifications:
        formation = certification.formation
        validated = Enrolment.objects.filter(
            learner=certification.learner,
            result=Result.VALIDATED,
            academic_year__lte=certification.academic_year,
        )
        ects = dict(validated.values_list("unit__code", "unit__ects"))
        done = set(ects)
        mandatory = set(formation.mandatory_units.values_list("code", flat=True))
        assert mandatory and mandatory <= done, formation.code
        # Credits: the mandatory UEs, plus at most `choose` UEs per group (the best-credited).
        credits = sum((ects[code] for code in mandatory), Decimal(0))
        for group in formation.choice_groups.all():
            units = set(group.units.values_list("code", flat=True)) - mandatory
            assert len(units & done) >= group.choose, (formation.code, group.label)
            best = sorted((ects[code] for code in units & done), reverse=True)
            credits += sum(best[: group.choose], Decimal(0))
        assert credits >= formation.min_credits, formation.code
        assert certification.credits == credits
        assert validated.filter(academic_year=certification.academic_year).exists()


def test_the_certification_engine_agrees_and_would_propose_nothing_more(
    loaded: list[str],
) -> None:
    for certification in Certification.objects.all():
        assert progress_for(certification).met, certification.number
    learners = Learner.objects.filter(enrolments__result=Result.VALIDATED).distinct()
    assert not [
        (learner.reference, path.formation.code)
        for learner in learners
        for path in learner_paths(learner)
        if path.can_be_proposed
    ]


def test_no_learner_meets_a_formation_without_being_certified_for_it(loaded: list[str]) -> None:
    formations = []
    for formation in Formation.objects.prefetch_related("mandatory_units", "choice_groups__units"):
        groups = [
            ({u.code for u in g.units.all()}, g.choose) for g in formation.choice_groups.all()
        ]
        formations.append(
            (formation.code, {u.code for u in formation.mandatory_units.all()}, groups)
        )
    done: dict[int, set[str]] = defaultdict(set)
    for learner, code in Enrolment.objects.filter(result=Result.VALIDATED).values_list(
        "learner", "unit__code"
    ):
        done[learner].add(code)
    certified = set(Certification.objects.values_list("learner", "formation__code"))
    reached = {
        (learner, code)
        for learner, units in done.items()
        for code, mandatory, groups in formations
        if mandatory <= units and all(len(g & units) >= n for g, n in groups)
    }
    assert reached == certified


# ------------------------------------------------------------------------------------------
# The other years
# ------------------------------------------------------------------------------------------


def test_in_2018_2019_twenty_one_establishments_in_six_directorates_took_part(
    loaded: list[str],
) -> None:
    assert partner_establishments("2018-2019") == 21
    assert len(by_disp("2018-2019")) == 6


def test_in_2016_2017_forty_five_learners_and_62_percent_of_them_successful(
    loaded: list[str],
) -> None:
    assert enrolled_learners("2016-2017") == 45
    rate = percentage(successful_learners("2016-2017"), 45)
    assert round(rate) == 62


def test_more_than_two_hundred_learners_took_ues_since_2015(loaded: list[str]) -> None:
    learners = (
        Enrolment.objects.filter(academic_year__in=HISTORY)
        .exclude(result=Result.CANCELLED)
        .values("learner")
        .distinct()
        .count()
    )
    assert learners > 200


def test_the_programme_started_small_in_disp_paris_and_grew_every_year(loaded: list[str]) -> None:
    sizes = [enrolled_learners(year) for year in HISTORY]
    assert all(size > 0 for size in sizes)
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    assert set(by_disp("2015-2016")) == {"DISP PARIS"}
    assert not Enrolment.objects.filter(academic_year__lt="2015-2016").exists()


def test_the_other_years_have_interviews_too_but_fewer_than_2019_2020(loaded: list[str]) -> None:
    for year in HISTORY:
        start, end = bounds(year)
        interviews = Interview.objects.filter(date__range=(start, end))
        if year == "2019-2020":
            assert interviews.count() == 96
        else:
            assert 0 < interviews.count() < 96, year
        assert set(interviews.values_list("referent__username", flat=True)) == {"referent"}


def test_some_learners_were_enrolled_in_several_years(loaded: list[str]) -> None:
    years: dict[int, set[str]] = defaultdict(set)
    for learner, year in counted_all().values_list("learner", "academic_year"):
        years[learner].add(year)
    several = [ys for ys in years.values() if len(ys) > 1]
    assert len(several) >= 10
    assert any(len(ys) >= 3 for ys in several)


def counted_all() -> QuerySet[Enrolment]:
    return Enrolment.objects.exclude(result=Result.CANCELLED)


# ------------------------------------------------------------------------------------------
# Paths: placements, transfers, releases
# ------------------------------------------------------------------------------------------


def test_the_learner_transferred_mid_2019_2020_has_enrolments_in_two_paris_establishments(
    loaded: list[str],
) -> None:
    start, end = bounds("2019-2020")
    transfers = Placement.objects.filter(
        kind=Placement.Kind.TRANSFER,
        date__range=(start, end),
        establishment__label__in=SEED_PARIS,
    )
    found = []
    for transfer in transfers:
        labels = set(
            counted("2019-2020")
            .filter(learner=transfer.learner)
            .values_list("establishment__label", flat=True)
        )
        if len(labels) == 2 and labels <= SEED_PARIS:
            found.append(transfer.learner)
    assert found
    learners = list(counted("2019-2020").values_list("learner", flat=True))
    assert len(set(learners)) == 64  # counted once


def test_placements_are_consistent_with_the_learners_and_their_enrolments(
    loaded: list[str],
) -> None:
    for learner in Learner.objects.prefetch_related("placements__establishment"):
        steps = placements_of(learner)
        assert steps[0].kind == Placement.Kind.ARRIVAL
        assert all(s.kind != Placement.Kind.ARRIVAL for s in steps[1:])
        last_place = [s for s in steps if s.establishment_id][-1]
        assert learner.establishment_id == last_place.establishment_id
        released = steps[-1].kind == Placement.Kind.RELEASE
        assert learner.status == (Status.RELEASED if released else Status.PLACED)
        for step in steps:
            if step.kind == Placement.Kind.RELEASE:
                assert step.establishment_id is None and step.release_commune_id
            else:
                assert step.establishment_id and step.release_commune_id is None
    for enrolment in Enrolment.objects.select_related("learner", "establishment"):
        start, end = bounds(enrolment.academic_year)
        assert enrolment.establishment is not None
        assert enrolment.establishment.label in where_in(enrolment.learner, start, end)


def test_enrolments_of_the_applications_follow_the_placement_on_the_day(
    loaded: list[str],
) -> None:
    steps = ApplicationStep.objects.filter(to_status=Application.Status.ENROLLED)
    assert steps.count() > 50
    for step in steps.select_related("application__learner"):
        day = step.at.date()
        learner = step.application.learner
        here = None
        for placement in placements_of(learner):
            if placement.date <= day:
                here = placement.establishment_id
        labels = set(step.application.enrolments.values_list("establishment", flat=True))
        assert labels == {here}


def test_releases_name_a_real_commune_and_some_happen_mid_year(loaded: list[str]) -> None:
    releases = Placement.objects.filter(kind=Placement.Kind.RELEASE)
    assert releases.count() >= 20
    codes = set(releases.values_list("release_commune", flat=True))
    assert Commune.objects.filter(code__in=codes).count() == len(codes)
    assert Enrolment.objects.filter(abandon_reason="release").exists()
    assert Enrolment.objects.filter(abandon_reason="transfer").exists()


# ------------------------------------------------------------------------------------------
# Results, funding, catalogue
# ------------------------------------------------------------------------------------------


def test_grades_match_results(loaded: list[str]) -> None:
    enrolments = Enrolment.objects.all()
    validated = enrolments.filter(result=Result.VALIDATED)
    assert not validated.filter(grade=None).exists()
    assert not validated.filter(grade__lt=10).exists()
    assert not validated.filter(grade__gt=20).exists()
    failed = enrolments.filter(result=Result.FAILED)
    assert failed.exists() and not failed.filter(grade=None).exists()
    assert not failed.filter(grade__gte=10).exists()
    ungraded = enrolments.filter(
        result__in=[Result.ABSENT, Result.ABANDONED, Result.PENDING, Result.CANCELLED]
    )
    assert not ungraded.exclude(grade=None).exists()
    abandoned = enrolments.filter(result=Result.ABANDONED)
    assert set(abandoned.values_list("abandon_reason", flat=True)) == {
        "transfer",
        "release",
        "other",
    }
    assert not enrolments.exclude(result=Result.ABANDONED).exclude(abandon_reason="").exists()


def test_pending_results_exist_only_in_2020_2021_and_the_current_year(loaded: list[str]) -> None:
    years = set(
        Enrolment.objects.filter(result=Result.PENDING).values_list("academic_year", flat=True)
    )
    assert years == {"2020-2021", "2026-2027"}


def test_every_enrolment_has_a_funding_mostly_the_dap_and_a_ue_of_the_2020_2021_offer(
    loaded: list[str],
) -> None:
    offered = {unit["code"] for unit in TEACHING_UNITS}
    enrolments = Enrolment.objects.all()
    assert set(enrolments.values_list("unit__code", flat=True)) <= offered
    fundings = list(enrolments.values_list("funding", flat=True))
    assert "" not in fundings
    assert {Funding.DAP, Funding.REGION, Funding.CNAM} <= set(fundings)
    assert fundings.count(Funding.DAP) > len(fundings) / 2


# ------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------


def test_applications_go_through_every_state_with_dated_steps_by_the_demo_users(
    loaded: list[str],
) -> None:
    applications = Application.objects.all()
    assert set(applications.values_list("status", flat=True)) == set(Application.Status.values)
    years = list(applications.values_list("academic_year", flat=True))
    assert years.count("2020-2021") + years.count("2021-2022") > len(years) / 2
    for application in applications.prefetch_related("steps__by"):
        steps = list(application.steps.all())
        assert steps[0].to_status == Application.Status.SUBMITTED
        assert steps[-1].to_status == application.status
        assert all(step.by is not None for step in steps)
        assert [s.at for s in steps] == sorted(s.at for s in steps)
        assert application.created_at == steps[0].at
    by_status: dict[str, set[str]] = defaultdict(set)
    for status, username in ApplicationStep.objects.values_list("to_status", "by__username"):
        by_status[status].add(username)
    assert "referent" in by_status[Application.Status.SUBMITTED]
    assert by_status[Application.Status.REVIEWED] == {"rle-melun"}
    assert by_status[Application.Status.VALIDATED] == {"coordination"}
    assert by_status[Application.Status.REFUSED] == {"coordination"}
    reviewed = applications.exclude(rle_opinion="")
    assert reviewed.exists()
    for application in reviewed.select_related("learner__establishment"):
        step = application.steps.get(to_status=Application.Status.REVIEWED)
        here = None
        for placement in placements_of(application.learner):
            if placement.date <= step.at.date():
                here = placement.establishment
        assert here is not None and here.label == "CD MELUN"
    assert not applications.filter(status__in=["refused", "withdrawn"], reason="").exists()


def test_enrolled_applications_are_linked_to_their_enrolments(loaded: list[str]) -> None:
    enrolled = Application.objects.filter(status=Application.Status.ENROLLED)
    assert enrolled.count() > 50
    for application in enrolled.prefetch_related("enrolments__unit", "units"):
        enrolments = list(application.enrolments.all())
        assert enrolments
        assert {e.academic_year for e in enrolments} == {application.academic_year}
        assert {e.unit.code for e in enrolments} == {u.code for u in application.units.all()}
    others = Application.objects.exclude(status=Application.Status.ENROLLED)
    assert not Enrolment.objects.filter(application__in=others).exists()


# ------------------------------------------------------------------------------------------
# Alerts: 2020-2021 (as of 30 June 2021) and the current cohort (as of 22 November 2026)
# ------------------------------------------------------------------------------------------


def placed_on(learner: Learner, day: date) -> str | None:
    """The label of the establishment where the learner is on `day`, None once released."""
    here = None
    for placement in placements_of(learner):
        if placement.date <= day:
            here = placement.establishment.label if placement.establishment else None
    return here


def stale_learners(year: str, today: date) -> list[Learner]:
    """Placed on `today`, with UEs pending in `year`, and no interview for 60 days."""
    learners = Learner.objects.filter(
        enrolments__academic_year=year, enrolments__result=Result.PENDING
    ).distinct()
    stale = []
    for learner in learners:
        if placed_on(learner, today) is None:
            continue
        last = learner.interviews.filter(date__lte=today).order_by("-date").first()
        if last is None or last.date < today - timedelta(days=ALERT_DAYS):
            stale.append(learner)
    return stale


def test_in_2020_2021_some_enrolled_learners_had_no_interview_for_sixty_days(
    loaded: list[str],
) -> None:
    today = date(2021, 6, 30)
    stale = [
        learner
        for learner in stale_learners("2020-2021", today)
        if placed_on(learner, today) in SEED_PARIS
    ]
    assert 3 <= len(stale) <= 10
    recent = Placement.objects.filter(
        kind=Placement.Kind.TRANSFER, date__range=(today - timedelta(days=30), today)
    )
    assert recent.exists()
    released = Placement.objects.filter(kind=Placement.Kind.RELEASE, date__year=2021)
    pending = Enrolment.objects.filter(
        learner__in=released.values("learner"),
        academic_year="2020-2021",
        result=Result.PENDING,
    )
    assert pending.exists()


def test_the_current_cohort_shows_an_alert_a_recent_transfer_and_a_release_with_pending_ues(
    loaded: list[str],
) -> None:
    today = date(2026, 11, 22)
    current = Enrolment.objects.filter(academic_year="2026-2027")
    assert current.exists()
    assert set(current.values_list("result", flat=True)) == {Result.PENDING}
    assert set(current.values_list("establishment__label", flat=True)) <= SEED_PARIS
    assert len(stale_learners("2026-2027", today)) == 1
    transfer = Placement.objects.get(kind=Placement.Kind.TRANSFER, date=date(2026, 11, 10))
    assert current.filter(learner=transfer.learner).exists()
    release = Placement.objects.get(kind=Placement.Kind.RELEASE, date=date(2026, 11, 5))
    assert release.release_commune_id
    assert current.filter(learner=release.learner, result=Result.PENDING).exists()
    interviews = Interview.objects.filter(date__range=(date(2026, 9, 1), today))
    assert (
        interviews.values("learner").distinct().count()
        == current.values("learner").distinct().count()
    )
    assert not Interview.objects.filter(date__gt=today).exists()
    assert not Placement.objects.filter(date__gt=today).exists()


def test_the_referents_caseload_of_22_november_2026_shows_the_three_kinds_of_alert(
    loaded: list[str], referent: User
) -> None:
    rows = caseload(referent, today=date(2026, 11, 22))
    assert {row.learner.reference[:3] for row in rows} == {"D26"}
    alerts = [alert for row in rows for alert in row.alerts]
    assert sum("Pas d'entretien" in alert for alert in alerts) == 1
    assert sum("transfert" in alert for alert in alerts) == 1
    assert sum("Libéré(e)" in alert for alert in alerts) == 1


# ------------------------------------------------------------------------------------------
# People
# ------------------------------------------------------------------------------------------


def test_learners_are_adults_except_a_few_minors_at_an_epm(loaded: list[str]) -> None:
    minors = 0
    for learner in Learner.objects.prefetch_related("enrolments__establishment"):
        first = min(learner.enrolments.all(), key=lambda e: e.academic_year)
        september = bounds(first.academic_year)[0]
        b = learner.birth_date
        age = september.year - b.year - ((september.month, september.day) < (b.month, b.day))
        assert first.establishment is not None
        if first.establishment.label.startswith("EPM "):
            assert 16 <= age <= 17
            minors += 1
        else:
            assert 19 <= age <= 60
    assert 1 <= minors <= 5


def test_names_are_fictitious_combinations_and_references_opaque(loaded: list[str]) -> None:
    learners = list(Learner.objects.values_list("reference", "first_name", "last_name"))
    assert len({(first, last) for _, first, last in learners}) == len(learners)
    assert all(re.fullmatch(r"D\d{2}-\d{4}", ref) for ref, _, _ in learners)
    staff = set(User.objects.values_list("last_name", flat=True))
    assert not {last for _, _, last in learners} & staff


def test_no_field_or_text_says_anything_about_an_offence(loaded: list[str]) -> None:
    forbidden = re.compile(
        r"offen|infraction|délit|crime|condamn|peine|sentence|casier|incarcér|jugement|procès",
        re.IGNORECASE,
    )
    fields = [f.name for f in Learner._meta.get_fields()]
    assert not [name for name in fields if forbidden.search(name)]
    texts: list[str] = []
    texts += Interview.objects.values_list("notes", flat=True)
    texts += Interview.objects.values_list("next_steps", flat=True)
    for values in Application.objects.values_list("motivation", "rle_comment", "reason"):
        texts += values
    texts += ApplicationStep.objects.values_list("note", flat=True)
    texts += CertificationEvent.objects.values_list("note", flat=True)
    assert texts
    assert not [text for text in texts if forbidden.search(text)]


# ------------------------------------------------------------------------------------------
# Idempotence and determinism
# ------------------------------------------------------------------------------------------


def test_a_second_load_changes_nothing_and_says_so(loaded: list[str]) -> None:
    before = snapshot()
    counts = [model.objects.count() for model in (Placement, ApplicationStep, CertificationEvent)]
    lines = load_learners()
    assert snapshot() == before
    assert [m.objects.count() for m in (Placement, ApplicationStep, CertificationEvent)] == counts
    assert len(lines) == 1 and "rien n'a changé" in lines[0]


def test_two_loads_from_scratch_give_the_same_rows(loaded: list[str]) -> None:
    first = snapshot()
    delete_demo_learners()
    load_learners()
    assert snapshot() == first


def test_the_load_reports_what_it_created_in_french(loaded: list[str]) -> None:
    assert loaded[0].startswith("Apprenants de démonstration :")
    assert f"{Learner.objects.count()} apprenants fictifs" in loaded[0]
