"""The bilan of the demo data reproduces the seed's figures (DOMAIN.md, "The figures")."""

from __future__ import annotations

import time

import pytest

from tremplin.demo import learners as history
from tremplin.demo.emergence import COHORTS, SURNAMES, load_emergence
from tremplin.emergence.models import Cohort, Participant
from tremplin.enrolment.models import Enrolment
from tremplin.learners.models import Learner, Placement, Status
from tremplin.reporting.bilan import compute_bilan, year_bounds
from tremplin.reporting.tables import bilan_tables

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_history")]

SEED_PARIS = [
    "CD MELUN",
    "CP FLEURY MEROGIS",
    "CP FRESNES",
    "CP MEAUX CHAUCONIN NEUFMONTIERS",
    "CP NANTERRE",
    "CP OSNY PONTOISE",
    "CP SEINE SAINT DENIS",
    "CP SUD FRANCILIEN",
    "MC POISSY",
]
OTHER_DIRECTORATES = [
    "DISP DIJON",
    "DISP LILLE",
    "DISP LYON",
    "DISP RENNES",
    "DISP STRASBOURG",
    "DISP TOULOUSE",
    "DSPOM",
]
EMERGENCE = [
    "CP FLEURY MEROGIS",
    "CP FRESNES",
    "CP MEAUX CHAUCONIN NEUFMONTIERS",
    "CP NANTERRE",
]


def test_2019_2020_gives_the_seeds_figures() -> None:
    started = time.perf_counter()
    bilan = compute_bilan("2019-2020")
    print(f"\ncompute_bilan('2019-2020'): {1000 * (time.perf_counter() - started):.1f} ms")
    document = bilan.as_dict()
    assert document["enrolled_learners"] == 64
    assert document["partner_establishments"] == 22

    by_disp = {row["disp"]: row for row in document["by_disp"]}
    assert by_disp["DISP PARIS"] == {
        "disp": "DISP PARIS",
        "establishments": 9,
        "learners": 48,
        "establishment_names": SEED_PARIS,
    }
    others = [row for code, row in by_disp.items() if code != "DISP PARIS"]
    assert sorted(by_disp) == sorted(["DISP PARIS", *OTHER_DIRECTORATES])
    assert sum(row["establishments"] for row in others) == 13
    assert sum(row["learners"] for row in others) == 16
    assert document["enrolled_learners"] - by_disp["DISP PARIS"]["learners"] == 16

    assert document["graduates"] == [
        {"formation": "CPN58", "kind": "professional_certificate", "establishment": "MC POISSY"},
        {"formation": "CS7200", "kind": "specialisation_certificate", "establishment": "CD MELUN"},
        {"formation": "DIE3100", "kind": "institution_diploma", "establishment": "CD MELUN"},
    ]
    assert (document["ue_enrollments"], document["ue_validated"]) == (176, 93)
    assert document["learner_success_rate"] == 56.25
    assert document["ue_validation_rate"] == 52.84
    assert document["followup"] == {
        "people_followed": 48,
        "interviews": 96,
        "by_kind": {"information_orientation": 48, "training_followup": 48},
    }
    assert document["emergence"] == {
        "years": ["2017-2018", "2018-2019", "2019-2020"],
        "participants": 51,
        "establishments": EMERGENCE,
    }


def test_2018_2019_has_21_establishments_in_6_disps() -> None:
    document = compute_bilan("2018-2019").as_dict()
    assert document["partner_establishments"] == 21
    assert len(document["by_disp"]) == 6


def test_2016_2017_has_45_learners_and_62_percent_of_them_successful() -> None:
    document = compute_bilan("2016-2017").as_dict()
    assert document["enrolled_learners"] == 45
    assert round(document["learner_success_rate"]) == 62


def test_the_seeds_scopes() -> None:
    paris = compute_bilan("2019-2020", disp="DISP PARIS").as_dict()
    assert paris["enrolled_learners"] == 48
    assert paris["partner_establishments"] == 9
    assert paris["followup"]["people_followed"] == 48  # the referent follows DISP Paris
    assert paris["emergence"]["participants"] == 51
    elsewhere = [compute_bilan("2019-2020", disp=code) for code in OTHER_DIRECTORATES]
    assert sum(b.enrolled_learners for b in elsewhere) == 16
    assert sum(b.partner_establishments for b in elsewhere) == 13
    melun = compute_bilan("2019-2020", establishment="CD MELUN").as_dict()
    assert [g["formation"] for g in melun["graduates"]] == ["CS7200", "DIE3100"]
    sectors = bilan_tables(compute_bilan("2019-2020")).sectors
    assert sum(row.enrolments for row in sectors if isinstance(row.enrolments, int)) == 176
    by_sector = [compute_bilan("2019-2020", sector=row.code) for row in sectors]
    assert sum(b.ue_enrollments for b in by_sector) == 176
    assert sum(b.ue_validated for b in by_sector) == 93


def test_the_trends_and_the_emergence_order() -> None:
    tables = bilan_tables(compute_bilan("2019-2020"))
    assert [row.year for row in tables.trends] == list(history.HISTORY_YEARS[:5])
    assert [row.learners for row in tables.trends][1:] == [45, 52, 57, 64]
    assert [tables.short_names[label] for label in tables.emergence_order] == [
        "Meaux",
        "Fresnes",
        "Nanterre",
        "Fleury",
    ]
    assert (
        sum(row.participants for row in tables.emergence if isinstance(row.participants, int)) == 51
    )


# --------------------------------------------------------------------------------------------
# The Émergence demo data
# --------------------------------------------------------------------------------------------


def test_emergence_cohorts_match_the_seed() -> None:
    cohorts = list(
        Cohort.objects.select_related("establishment").order_by(
            "academic_year", "establishment__label"
        )
    )
    assert [(c.academic_year, c.establishment.label) for c in cohorts] == sorted(
        (plan.year, plan.establishment) for plan in COHORTS
    )
    first = cohorts[0]
    assert (first.academic_year, first.establishment.label) == (
        "2016-2017",
        "CP MEAUX CHAUCONIN NEUFMONTIERS",
    )
    assert first.participants.count() == 8
    assert Cohort.objects.filter(academic_year="2020-2021").exists()
    window = Participant.objects.filter(
        cohort__academic_year__in=["2017-2018", "2018-2019", "2019-2020"]
    )
    assert window.values("learner").distinct().count() == 51
    assert set(window.values_list("cohort__establishment__label", flat=True)) == set(EMERGENCE)


def test_participants_are_fictitious_detained_learners_enrolled_in_no_ue() -> None:
    participants = Learner.objects.filter(emergence_participations__isnull=False).distinct()
    assert participants.count() == sum(plan.participants for plan in COHORTS)
    assert all(ref.startswith("E") for ref in participants.values_list("reference", flat=True))
    assert not Enrolment.objects.filter(learner__in=participants).exists()
    assert not set(SURNAMES) & set(history.SURNAMES)
    names = list(Learner.objects.values_list("first_name", "last_name"))
    assert len(set(names)) == len(names)
    statuses = set(participants.values_list("status", flat=True))
    assert statuses == {Status.PLACED, Status.RELEASED}
    for participation in Participant.objects.select_related("cohort", "learner"):
        steps = list(participation.learner.placements.order_by("date", "id"))
        arrival = steps[0]
        assert arrival.kind == Placement.Kind.ARRIVAL
        assert arrival.establishment_id == participation.cohort.establishment_id
        assert arrival.date < participation.cohort.start_date
        released = steps[-1].kind == Placement.Kind.RELEASE
        assert (participation.learner.status == Status.RELEASED) == released
        if participation.continued_after_release:
            assert released and participation.business_plan_written
        if participation.business_plan_written:
            assert participation.project_presented
        start, end = year_bounds(participation.cohort.academic_year)
        assert start <= participation.cohort.start_date <= end
    outcomes = Participant.objects.all()
    assert outcomes.filter(project_presented=True).exists()
    assert outcomes.filter(business_plan_written=True).exists()
    assert outcomes.filter(continued_after_release=True).exists()


def test_a_second_load_changes_nothing_and_says_so() -> None:
    before = (Learner.objects.count(), Placement.objects.count(), Participant.objects.count())
    lines = load_emergence()
    assert (
        Learner.objects.count(),
        Placement.objects.count(),
        Participant.objects.count(),
    ) == before
    assert len(lines) == 1 and "rien n'a changé" in lines[0]


def test_the_enrolment_figures_do_not_move_with_emergence() -> None:
    assert compute_bilan("2020-2021").as_dict()["emergence"]["establishments"] == [
        "CP FLEURY MEROGIS",
        "CP FRESNES",
        "CP MEAUX CHAUCONIN NEUFMONTIERS",
        "CP NANTERRE",
        "CP ORLEANS SARAN",
    ]
    emergence_learners = Learner.objects.filter(reference__startswith="E")
    assert not Enrolment.objects.filter(learner__in=emergence_learners).exists()
