"""The national-scale generator (`tremplin demo load --scale national`), run with tiny numbers:
exact counts, a consistent history, determinism, and a second load that writes nothing."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction

from tremplin.demo.management.commands.demo import Command as DemoCommand
from tremplin.demo.national import (
    CENTRE_PREFIX,
    LEARNER_PREFIX,
    ML_PREFIX,
    YEARS,
    YOUNG_PREFIX,
    Progress,
    Scale,
    enrolment_day,
    load_national,
)
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner, Placement
from tremplin.orientation.models import CentreOffer, Referral, month_of
from tremplin.places.models import CnamCentre, Establishment, MissionLocale
from tremplin.reporting.bilan import year_bounds

TINY = Scale(
    learners=200,
    enrolments=3_000,
    interviews=1_500,
    certifications=40,
    young=60,
    referrals=250,
    missions_locales=6,
    centres=9,
    offers_per_centre=4,
)

pytestmark = pytest.mark.django_db


def _load() -> list[str]:
    return load_national(TINY, progress=Progress(io.StringIO()))


def _placed_at(steps: list[Placement], day: date) -> int | None:
    """The establishment of the step in force on `day` (None when released or not yet placed)."""
    current = None
    for step in steps:
        if step.date <= day:
            current = step.establishment_id
    return current


def test_counts_and_consistency() -> None:
    lines = _load()
    assert any("Jeu national" in line for line in lines)
    learners = Learner.objects.filter(reference__startswith=LEARNER_PREFIX)
    assert learners.count() == TINY.learners
    assert Enrolment.objects.filter(learner__in=learners).count() == TINY.enrolments
    assert Interview.objects.filter(learner__in=learners).count() == TINY.interviews
    assert Certification.objects.filter(learner__in=learners).count() == TINY.certifications
    assert MissionLocale.objects.filter(code__startswith=ML_PREFIX, is_demo=True).count() == 6
    assert CnamCentre.objects.filter(code__startswith=CENTRE_PREFIX, is_demo=True).count() == 9
    young = Learner.objects.filter(reference__startswith=YOUNG_PREFIX)
    assert young.count() == TINY.young
    assert Referral.objects.filter(learner__in=young).count() == TINY.referrals

    # Every establishment is active every year (one learner each stays through the history).
    active = defaultdict(set)
    for year, establishment in Enrolment.objects.filter(learner__in=learners).values_list(
        "academic_year", "establishment_id"
    ):
        active[year].add(establishment)
    assert set(active) == set(YEARS)
    assert all(len(active[year]) == Establishment.objects.count() for year in YEARS)

    # Placement histories: an arrival, transfers, maybe a release; the learner's fields follow.
    steps: dict[int, list[Placement]] = defaultdict(list)
    for step in Placement.objects.filter(learner__in=learners).order_by("learner", "date", "id"):
        steps[step.learner_id].append(step)
    for learner in learners:
        path = steps[learner.pk]
        assert path[0].kind == Placement.Kind.ARRIVAL
        assert all(s.kind == Placement.Kind.TRANSFER for s in path[1:-1])
        last = path[-1]
        if last.kind == Placement.Kind.RELEASE:
            assert learner.status == "released" and last.establishment_id is None
            assert last.release_commune_id
            assert learner.establishment_id == path[-2].establishment_id
        else:
            assert learner.status == "placed"
            assert learner.establishment_id == last.establishment_id
        assert [s.date for s in path] == sorted(s.date for s in path)
    assert any(s.kind == Placement.Kind.TRANSFER for p in steps.values() for s in p)
    assert any(s.kind == Placement.Kind.RELEASE for p in steps.values() for s in p)

    # Every enrolment at the establishment where the learner is placed on its enrolment day.
    validated_years = set()
    for enrolment in Enrolment.objects.filter(learner__in=learners):
        day = enrolment_day(enrolment.academic_year)
        assert _placed_at(steps[enrolment.learner_id], day) == enrolment.establishment_id
        if enrolment.result == Result.VALIDATED:
            assert enrolment.grade is not None and enrolment.grade >= 10
            validated_years.add(
                (enrolment.learner_id, enrolment.academic_year, enrolment.establishment_id)
            )
        elif enrolment.result == Result.FAILED:
            assert enrolment.grade is not None and enrolment.grade < 10
    assert (
        Enrolment.objects.filter(learner__in=learners)
        .values("learner", "academic_year", "unit")
        .distinct()
        .count()
        == TINY.enrolments
    )

    # Interviews on days of placement, by the referent of that establishment's DISP.
    for interview in Interview.objects.filter(learner__in=learners).select_related("referent"):
        establishment = _placed_at(steps[interview.learner_id], interview.date)
        assert establishment is not None
        assert interview.referent.establishments.filter(pk=establishment).exists()

    # Certifications: awarded ones numbered, within their year, where the learner validated a UE
    # that year and is still placed.
    numbers = set()
    for certification in Certification.objects.filter(learner__in=learners):
        key = (
            certification.learner_id,
            certification.academic_year,
            certification.establishment_id,
        )
        assert key in validated_years
        if certification.status == Certification.Status.AWARDED:
            start, end = year_bounds(certification.academic_year)
            assert certification.awarded_on is not None
            assert start <= certification.awarded_on <= end
            assert (
                _placed_at(steps[certification.learner_id], certification.awarded_on)
                == certification.establishment_id
            )
            assert certification.number and certification.number not in numbers
            numbers.add(certification.number)
        else:
            assert certification.status == Certification.Status.PROPOSED
            assert certification.number is None and certification.awarded_on is None
    assert numbers

    # Referrals: an offer of the centre, the stored month and delay, the age, one per offer.
    offers = set(CentreOffer.objects.values_list("centre_id", "formation_id", "modality"))
    seen = set()
    for referral in Referral.objects.filter(learner__in=young).select_related("learner"):
        assert (referral.centre_id, referral.formation_id, referral.modality) in offers
        assert referral.sent_month == month_of(referral.sent_at)
        if referral.first_contact_at is None:
            assert referral.first_contact_days is None
            assert referral.status in {"sent", "closed"}
        else:
            delay = referral.first_contact_at - referral.sent_at
            assert referral.first_contact_days == delay // timedelta(days=1)
            assert referral.status != "sent"
        assert bool(referral.close_reason) == (referral.status == "closed")
        born = referral.learner.birth_date
        sent = referral.sent_at.date()
        assert date(born.year + 16, born.month, min(born.day, 28)) <= sent
        assert sent < date(born.year + 26, born.month, min(born.day, 28))
        assert referral.mission_locale_id == referral.learner.mission_locale_id
        key = (referral.learner_id, referral.centre_id, referral.formation_id)
        assert key not in seen
        seen.add(key)


def test_the_bulk_load_keeps_the_learners_reach() -> None:
    """The national generator writes by COPY (PostgreSQL) and executemany (SQLite): the
    database's triggers keep the regional scope's reach all the same."""
    from ..learners.test_reach import defined, kept

    _load()
    assert kept() == defined()
    assert len(kept()) >= TINY.learners


def test_second_load_writes_nothing() -> None:
    _load()
    before = Enrolment.objects.count(), Referral.objects.count(), Learner.objects.count()
    lines = _load()
    assert "déjà chargé" in lines[0]
    assert (Enrolment.objects.count(), Referral.objects.count(), Learner.objects.count()) == before


def test_deterministic() -> None:
    def signature() -> list[tuple[object, ...]]:
        return (
            sorted(
                Enrolment.objects.filter(learner__reference__startswith=LEARNER_PREFIX).values_list(
                    "learner__reference", "academic_year", "unit__code", "result", "grade"
                )
            )[:500]
            + sorted(
                Referral.objects.values_list(
                    "learner__reference", "centre__code", "formation__code", "sent_at", "status"
                )
            )[:200]
        )

    runs = []
    for _ in range(2):
        with transaction.atomic():
            _load()
            runs.append(signature())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]


def test_command_option() -> None:
    """`--scale` is an option of `tremplin demo load`; the default is the normal demo."""
    parser = DemoCommand().create_parser("tremplin", "demo")
    assert parser.parse_args(["load"]).scale == "demo"
    assert parser.parse_args(["load", "--scale", "national"]).scale == "national"


def test_the_national_history_is_in_the_journal_as_the_services_would_record_it() -> None:
    """The COPY path keeps its speed: the database writes one event per row it inserted, in
    the load's transaction, the same kinds as the services' history variants, naming the same
    records (a placement's event names its learner), without consequences."""
    from tremplin.core.models import DomainEvent

    before = DomainEvent.objects.count()
    _load()
    events = list(DomainEvent.objects.order_by("sequence")[before:])
    kinds = Counter(e.kind for e in events)
    learners = Learner.objects.filter(reference__startswith=LEARNER_PREFIX)
    assert kinds["learner.created"] == TINY.learners
    assert kinds["learner.young_person_created"] == TINY.young
    assert kinds["enrolment.created"] == TINY.enrolments
    assert kinds["enrolment.result_recorded"] == (
        Enrolment.objects.filter(learner__in=learners).exclude(result="pending").count()
    )
    assert kinds["certification.proposed"] == TINY.certifications
    assert kinds["interview.recorded"] == TINY.interviews
    assert kinds["referral.sent"] == TINY.referrals
    placements = Placement.objects.filter(learner__in=learners)
    assert kinds["learner.arrived"] + kinds["learner.transferred"] + kinds["learner.released"] == (
        placements.count()
    )
    release = placements.filter(kind="release").order_by("pk").first()
    assert release is not None
    event = DomainEvent.objects.get(kind="learner.released", payload__placement=release.pk)
    assert (event.model, event.object_id, event.origin) == (
        "learners.learner",
        str(release.learner_id),
        "system",
    )
    assert len({e.uid for e in events}) == len(events)
