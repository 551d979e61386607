"""Every definition of the bilan (DOMAIN.md, "The figures") on hand-built data: the conftest
loads the reference data, the demo catalogue and the demo users, never the demo learners."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.emergence.models import Cohort, Participant
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import Kind, Learner, Placement, Status
from tremplin.places.models import Establishment, MissionLocale
from tremplin.reporting.bilan import compute_bilan, percentage
from tremplin.reporting.tables import bilan_tables, mask_small_cells, mask_tables, trends

pytestmark = pytest.mark.django_db

YEAR = "2019-2020"
MELUN, FRESNES = "CD MELUN", "CP FRESNES"  # DISP PARIS
RENNES, NANTES = "CP RENNES", "CP NANTES"  # DISP RENNES
LILLE = "CP LILLE ANNOEULLIN"  # DISP LILLE
INFO, COMPTA = "informatique", "comptabilite-et-gestion"
INFO_KIND = Interview.Kind.INFORMATION_ORIENTATION
FOLLOWUP_KIND = Interview.Kind.TRAINING_FOLLOWUP

KEYS = [
    "academic_year",
    "enrolled_learners",
    "partner_establishments",
    "by_disp",
    "graduates",
    "ue_enrollments",
    "ue_validated",
    "learner_success_rate",
    "ue_validation_rate",
    "followup",
    "emergence",
]

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------

_numbers: dict[str, int] = {}


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


def units(sector: str, n: int = 1) -> list[TeachingUnit]:
    return list(TeachingUnit.objects.filter(sector__code=sector).order_by("code")[:n])


def unit(sector: str = COMPTA, index: int = 0) -> TeachingUnit:
    return units(sector, index + 1)[index]


def person(
    establishment: str | None = MELUN, arrived: date = date(2019, 6, 1), **extra: object
) -> Learner:
    number = _numbers["n"] = _numbers.get("n", 0) + 1
    learner = Learner.objects.create(
        reference=f"T-{number:05d}",
        last_name=f"Essai{number}",
        first_name="Léa",
        birth_date=date(1990, 1, 1),
        kind=Kind.DETAINED if establishment else Kind.YOUTH,
        status=Status.PLACED if establishment else Status.FOLLOWED,
        establishment=place(establishment) if establishment else None,
        **extra,  # type: ignore[arg-type]
    )
    if establishment:
        Placement.objects.create(
            learner=learner, kind="arrival", date=arrived, establishment=place(establishment)
        )
    return learner


def move(learner: Learner, label: str | None, on: date) -> None:
    if label is None:
        Placement.objects.create(learner=learner, kind="release", date=on)
    else:
        Placement.objects.create(
            learner=learner, kind="transfer", date=on, establishment=place(label)
        )


def enrol(
    learner: Learner,
    ue: TeachingUnit,
    establishment: str | None = MELUN,
    result: str = Result.VALIDATED,
    year: str = YEAR,
) -> Enrolment:
    return Enrolment.objects.create(
        learner=learner,
        academic_year=year,
        unit=ue,
        establishment=place(establishment) if establishment else None,
        result=result,
    )


def certify(
    learner: Learner,
    formation: str,
    awarded_on: date | None,
    establishment: str | None = MELUN,
    status: str = Certification.Status.AWARDED,
) -> Certification:
    return Certification.objects.create(
        learner=learner,
        formation=Formation.objects.get(code=formation),
        status=status,
        awarded_on=awarded_on,
        academic_year=YEAR,
        establishment=place(establishment) if establishment else None,
    )


def interview(learner: Learner, on: date, kind: str = INFO_KIND) -> Interview:
    return Interview.objects.create(learner=learner, date=on, kind=kind)


def cohort(label: str, year: str, *learners: Learner) -> Cohort:
    group = Cohort.objects.create(
        establishment=place(label), academic_year=year, start_date=date(int(year[:4]), 11, 4)
    )
    for learner in learners:
        Participant.objects.create(cohort=group, learner=learner)
    return group


def disp(bilan: dict[str, object], code: str) -> dict[str, object]:
    rows = [row for row in bilan["by_disp"] if row["disp"] == code]  # type: ignore[attr-defined]
    assert len(rows) == 1, bilan["by_disp"]
    return rows[0]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# Shape, empty year
# --------------------------------------------------------------------------------------------


def test_an_empty_year_gives_zeros_never_a_division_error_and_the_exact_shape() -> None:
    document = compute_bilan(YEAR).as_dict()
    assert list(document) == KEYS
    assert document == {
        "academic_year": YEAR,
        "enrolled_learners": 0,
        "partner_establishments": 0,
        "by_disp": [],
        "graduates": [],
        "ue_enrollments": 0,
        "ue_validated": 0,
        "learner_success_rate": 0.0,
        "ue_validation_rate": 0.0,
        "followup": {
            "people_followed": 0,
            "interviews": 0,
            "by_kind": {"information_orientation": 0, "training_followup": 0},
        },
        "emergence": {
            "years": ["2017-2018", "2018-2019", "2019-2020"],
            "participants": 0,
            "establishments": [],
        },
    }
    assert list(document["followup"]) == ["people_followed", "interviews", "by_kind"]
    assert list(document["emergence"]) == ["years", "participants", "establishments"]
    assert isinstance(document["learner_success_rate"], float)
    json.dumps(document)


def test_the_nested_keys_keep_their_order() -> None:
    learner = person()
    enrol(learner, unit())
    certify(learner, "DIE3100", date(2020, 6, 30))
    document = compute_bilan(YEAR).as_dict()
    assert list(document["by_disp"][0]) == [
        "disp",
        "establishments",
        "learners",
        "establishment_names",
    ]
    assert list(document["graduates"][0]) == ["formation", "kind", "establishment"]


# --------------------------------------------------------------------------------------------
# Learners, establishments, DISPs
# --------------------------------------------------------------------------------------------


def test_a_learner_transferred_mid_year_counts_once_overall_and_in_both_disps() -> None:
    moved = person(MELUN, arrived=date(2019, 3, 1))
    enrol(moved, unit(COMPTA, 0), MELUN)
    move(moved, RENNES, date(2020, 1, 15))
    enrol(moved, unit(COMPTA, 1), RENNES, Result.FAILED)
    stayed = person(RENNES)
    enrol(stayed, unit(COMPTA, 0), RENNES)

    bilan = compute_bilan(YEAR).as_dict()
    assert bilan["enrolled_learners"] == 2
    assert bilan["partner_establishments"] == 2
    assert disp(bilan, "DISP PARIS") == {
        "disp": "DISP PARIS",
        "establishments": 1,
        "learners": 1,
        "establishment_names": [MELUN],
    }
    assert disp(bilan, "DISP RENNES")["learners"] == 2
    assert [row["disp"] for row in bilan["by_disp"]] == ["DISP PARIS", "DISP RENNES"]


def test_a_learner_in_two_establishments_of_one_disp_counts_once_in_it() -> None:
    learner = person(MELUN)
    enrol(learner, unit(COMPTA, 0), MELUN)
    enrol(learner, unit(COMPTA, 1), FRESNES)
    other = person(FRESNES)
    enrol(other, unit(COMPTA, 0), FRESNES)
    paris = disp(compute_bilan(YEAR).as_dict(), "DISP PARIS")
    assert paris == {
        "disp": "DISP PARIS",
        "establishments": 2,
        "learners": 2,
        "establishment_names": [MELUN, FRESNES],
    }


def test_cancelled_enrolments_never_count_anywhere() -> None:
    only_cancelled = person(LILLE)
    enrol(only_cancelled, unit(COMPTA, 0), LILLE, Result.CANCELLED)
    mixed = person(MELUN)
    enrol(mixed, unit(COMPTA, 0), MELUN, Result.FAILED)
    enrol(mixed, unit(COMPTA, 1), FRESNES, Result.CANCELLED)

    bilan = compute_bilan(YEAR)
    document = bilan.as_dict()
    assert document["enrolled_learners"] == 1
    assert document["partner_establishments"] == 1
    assert [row["disp"] for row in document["by_disp"]] == ["DISP PARIS"]
    assert disp(document, "DISP PARIS")["establishment_names"] == [MELUN]
    assert (document["ue_enrollments"], document["ue_validated"]) == (1, 0)
    assert document["learner_success_rate"] == 0.0
    tables = bilan_tables(bilan)
    assert [row.label for row in tables.establishments] == [MELUN]
    assert sum(row.enrolments for row in tables.units if isinstance(row.enrolments, int)) == 1
    assert [(row.year, row.learners) for row in tables.trends] == [(YEAR, 1)]


def test_a_learner_whose_only_enrolment_is_cancelled_is_not_enrolled() -> None:
    learner = person()
    enrol(learner, unit(), MELUN, Result.CANCELLED)
    document = compute_bilan(YEAR).as_dict()
    assert document["enrolled_learners"] == 0
    assert document["by_disp"] == []
    assert trends() == []


def test_enrolments_of_other_years_do_not_count() -> None:
    learner = person()
    enrol(learner, unit(COMPTA, 0), year="2018-2019")
    enrol(learner, unit(COMPTA, 1), year="2020-2021")
    assert compute_bilan(YEAR).as_dict()["enrolled_learners"] == 0
    assert compute_bilan("2018-2019").as_dict()["enrolled_learners"] == 1


def test_a_young_persons_enrolment_without_establishment_counts_as_a_learner_only() -> None:
    youth = person(None, mission_locale=MissionLocale.objects.order_by("code").first())
    enrol(youth, unit(), None)
    document = compute_bilan(YEAR).as_dict()
    assert document["enrolled_learners"] == 1
    assert document["partner_establishments"] == 0
    assert document["by_disp"] == []
    assert compute_bilan(YEAR, disp="DISP PARIS").as_dict()["enrolled_learners"] == 0


# --------------------------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------------------------


def test_rates_have_two_decimals() -> None:
    first, second, third = person(), person(), person()
    enrol(first, unit(COMPTA, 0), result=Result.VALIDATED)
    enrol(second, unit(COMPTA, 0), result=Result.VALIDATED)
    enrol(third, unit(COMPTA, 0), result=Result.ABSENT)
    document = compute_bilan(YEAR).as_dict()
    assert document["learner_success_rate"] == 66.67  # 2 of 3 learners
    assert document["ue_validation_rate"] == 66.67  # 2 of 3 enrolments


def test_success_counts_learners_and_validation_counts_enrolments() -> None:
    busy = person()
    for ue in units(INFO, 3):
        enrol(busy, ue, result=Result.VALIDATED)
    idle = person()
    enrol(idle, unit(INFO, 0), result=Result.PENDING)
    document = compute_bilan(YEAR).as_dict()
    assert (document["ue_enrollments"], document["ue_validated"]) == (4, 3)
    assert document["learner_success_rate"] == 50.0
    assert document["ue_validation_rate"] == 75.0


def test_percentages_round_half_up() -> None:
    assert percentage(1, 32) == 3.13  # 3.125
    assert percentage(1, 3) == 33.33
    assert percentage(2, 3) == 66.67
    assert percentage(93, 176) == 52.84
    assert percentage(36, 64) == 56.25
    assert percentage(0, 0) == 0.0
    learner = person()
    ues = list(TeachingUnit.objects.order_by("code")[:32])
    enrol(learner, ues[0], result=Result.VALIDATED)
    for ue in ues[1:]:
        enrol(learner, ue, result=Result.FAILED)
    assert compute_bilan(YEAR).as_dict()["ue_validation_rate"] == 3.13


# --------------------------------------------------------------------------------------------
# Graduates
# --------------------------------------------------------------------------------------------


def test_graduates_are_awarded_certifications_within_the_year_bounds() -> None:
    learners = [person() for _ in range(7)]
    certify(learners[0], "DIE3100", date(2019, 9, 1))  # first day: in
    certify(learners[1], "CPN58", date(2020, 8, 31), "MC POISSY")  # last day: in
    certify(learners[2], "CS7200", date(2019, 8, 31))  # the day before: previous year
    certify(learners[3], "CC13000", date(2020, 9, 1))  # the day after: next year
    certify(learners[4], "CPN63", None, status=Certification.Status.PROPOSED)
    revoked = certify(learners[5], "DIE3200", date(2020, 1, 10))
    revoked.revoke()
    revoked.save()
    certify(learners[6], "CS7200", date(2020, 3, 2), None)

    assert compute_bilan(YEAR).as_dict()["graduates"] == [
        {"formation": "CPN58", "kind": "professional_certificate", "establishment": "MC POISSY"},
        {"formation": "CS7200", "kind": "specialisation_certificate", "establishment": None},
        {"formation": "DIE3100", "kind": "institution_diploma", "establishment": MELUN},
    ]
    assert compute_bilan("2018-2019").as_dict()["graduates"] == [
        {"formation": "CS7200", "kind": "specialisation_certificate", "establishment": MELUN}
    ]
    assert [g["formation"] for g in compute_bilan("2020-2021").as_dict()["graduates"]] == [
        "CC13000"
    ]


# --------------------------------------------------------------------------------------------
# Follow-up
# --------------------------------------------------------------------------------------------


def test_interviews_count_within_the_year_bounds() -> None:
    learner, other = person(), person()
    interview(learner, date(2019, 8, 31))  # previous year
    interview(learner, date(2019, 9, 1))
    interview(learner, date(2020, 8, 31), FOLLOWUP_KIND)
    interview(learner, date(2020, 9, 1))  # next year
    interview(other, date(2020, 2, 3), FOLLOWUP_KIND)
    assert compute_bilan(YEAR).as_dict()["followup"] == {
        "people_followed": 2,
        "interviews": 3,
        "by_kind": {"information_orientation": 1, "training_followup": 2},
    }
    assert compute_bilan("2018-2019").as_dict()["followup"]["interviews"] == 1


def test_the_followup_does_not_need_an_enrolment() -> None:
    interview(person(), date(2019, 10, 1))
    document = compute_bilan(YEAR).as_dict()
    assert document["enrolled_learners"] == 0
    assert document["followup"]["people_followed"] == 1


# --------------------------------------------------------------------------------------------
# Émergence
# --------------------------------------------------------------------------------------------


def test_emergence_covers_the_three_years_ending_with_this_one() -> None:
    old, a, b, c, late = (person() for _ in range(5))
    both = person()
    cohort("CP MEAUX CHAUCONIN NEUFMONTIERS", "2016-2017", old)
    cohort("CP MEAUX CHAUCONIN NEUFMONTIERS", "2017-2018", a, both)
    cohort(FRESNES, "2018-2019", b, both)  # `both` counts once
    cohort("CP NANTERRE", "2019-2020", c)
    cohort("CP FLEURY MEROGIS", "2019-2020")  # no participant yet: still an establishment
    cohort("CP ORLEANS SARAN", "2020-2021", late)
    assert compute_bilan(YEAR).as_dict()["emergence"] == {
        "years": ["2017-2018", "2018-2019", "2019-2020"],
        "participants": 4,
        "establishments": [
            "CP FLEURY MEROGIS",
            FRESNES,
            "CP MEAUX CHAUCONIN NEUFMONTIERS",
            "CP NANTERRE",
        ],
    }
    assert compute_bilan("2016-2017").as_dict()["emergence"]["participants"] == 1
    assert compute_bilan("2022-2023").as_dict()["emergence"] == {
        "years": ["2020-2021", "2021-2022", "2022-2023"],
        "participants": 1,
        "establishments": ["CP ORLEANS SARAN"],
    }


# --------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------


@pytest.fixture
def two_regions() -> dict[str, Learner]:
    """A learner moved from Melun (Paris) to Rennes on 15 January 2020, one staying at Fresnes,
    one at Nantes (Rennes), one released from Melun on 1 March 2020, with enrolments in two
    sectors, graduates, interviews and Émergence cohorts on both sides."""
    moved = person(MELUN, arrived=date(2019, 3, 1))
    enrol(moved, unit(COMPTA, 0), MELUN)
    interview(moved, date(2019, 10, 1))  # at Melun
    move(moved, RENNES, date(2020, 1, 15))
    enrol(moved, unit(INFO, 0), RENNES, Result.FAILED)
    interview(moved, date(2020, 1, 15), FOLLOWUP_KIND)  # the day of the transfer: at Rennes
    interview(moved, date(2020, 3, 1), FOLLOWUP_KIND)  # at Rennes
    fresnes = person(FRESNES)
    enrol(fresnes, unit(INFO, 1), FRESNES)
    interview(fresnes, date(2019, 12, 2))
    nantes = person(NANTES)
    enrol(nantes, unit(COMPTA, 1), NANTES)
    certify(nantes, "DIE3100", date(2020, 7, 1), NANTES)
    released = person(MELUN)
    enrol(released, unit(COMPTA, 2), MELUN, Result.ABANDONED)
    interview(released, date(2020, 2, 1))  # at Melun
    move(released, None, date(2020, 3, 1))
    interview(released, date(2020, 3, 20), FOLLOWUP_KIND)  # released: placed nowhere
    early = person(MELUN, arrived=date(2019, 11, 1))
    interview(early, date(2019, 10, 15))  # before any placement: outside any place scope
    certify(fresnes, "CPN63", date(2020, 6, 1), FRESNES)
    cohort(FRESNES, "2018-2019", person(FRESNES))
    cohort(RENNES, "2019-2020", person(RENNES), person(RENNES))
    return {"moved": moved, "fresnes": fresnes, "nantes": nantes, "released": released}


def test_the_whole_programme(two_regions: dict[str, Learner]) -> None:
    document = compute_bilan(YEAR).as_dict()
    assert document["enrolled_learners"] == 4
    assert document["partner_establishments"] == 4
    assert document["followup"]["interviews"] == 7
    assert document["followup"]["people_followed"] == 4
    assert document["emergence"]["participants"] == 3


def test_a_disp_restricts_everything(two_regions: dict[str, Learner]) -> None:
    paris = compute_bilan(YEAR, disp="DISP PARIS").as_dict()
    assert paris["enrolled_learners"] == 3  # moved (at Melun), fresnes, released
    assert paris["partner_establishments"] == 2
    assert [row["disp"] for row in paris["by_disp"]] == ["DISP PARIS"]
    assert (paris["ue_enrollments"], paris["ue_validated"]) == (3, 2)
    assert paris["graduates"] == [
        {"formation": "CPN63", "kind": "professional_certificate", "establishment": FRESNES}
    ]
    # Placed in DISP Paris on the day: moved on 1 Oct, fresnes, released on 1 Feb.
    assert paris["followup"] == {
        "people_followed": 3,
        "interviews": 3,
        "by_kind": {"information_orientation": 3, "training_followup": 0},
    }
    assert paris["emergence"]["participants"] == 1
    assert paris["emergence"]["establishments"] == [FRESNES]

    rennes = compute_bilan(YEAR, disp="disp rennes").as_dict()
    assert rennes["enrolled_learners"] == 2  # moved (at Rennes), nantes
    assert rennes["ue_validation_rate"] == 50.0
    assert [g["formation"] for g in rennes["graduates"]] == ["DIE3100"]
    assert rennes["followup"] == {
        "people_followed": 1,
        "interviews": 2,
        "by_kind": {"information_orientation": 0, "training_followup": 2},
    }
    assert rennes["emergence"] == {
        "years": ["2017-2018", "2018-2019", "2019-2020"],
        "participants": 2,
        "establishments": [RENNES],
    }
    assert compute_bilan(YEAR, disp="DISP LILLE").as_dict()["enrolled_learners"] == 0


def test_an_establishment_restricts_everything_and_ignores_case(
    two_regions: dict[str, Learner],
) -> None:
    melun = compute_bilan(YEAR, establishment="cd melun").as_dict()
    assert melun["enrolled_learners"] == 2
    assert melun["partner_establishments"] == 1
    assert melun["by_disp"] == [
        {"disp": "DISP PARIS", "establishments": 1, "learners": 2, "establishment_names": [MELUN]}
    ]
    assert melun["graduates"] == []
    assert melun["followup"]["interviews"] == 2  # moved on 1 Oct, released on 1 Feb
    assert melun["emergence"]["participants"] == 0
    fresnes = compute_bilan(YEAR, disp="DISP PARIS", establishment=FRESNES).as_dict()
    assert fresnes["enrolled_learners"] == 1
    assert fresnes["emergence"]["establishments"] == [FRESNES]
    assert fresnes["followup"]["people_followed"] == 1


def test_a_sector_restricts_enrolments_and_graduates_not_followup_nor_emergence(
    two_regions: dict[str, Learner],
) -> None:
    whole = compute_bilan(YEAR).as_dict()
    info = compute_bilan(YEAR, sector=INFO).as_dict()
    assert info["enrolled_learners"] == 2  # moved (at Rennes), fresnes
    assert info["partner_establishments"] == 2
    assert {row["disp"] for row in info["by_disp"]} == {"DISP PARIS", "DISP RENNES"}
    assert (info["ue_enrollments"], info["ue_validated"]) == (2, 1)
    assert [g["formation"] for g in info["graduates"]] == ["CPN63"]
    assert info["followup"] == whole["followup"]
    assert info["emergence"] == whole["emergence"]
    both = compute_bilan(YEAR, disp="DISP RENNES", sector="COMPTABILITE-ET-GESTION").as_dict()
    assert both["enrolled_learners"] == 1
    assert [g["formation"] for g in both["graduates"]] == ["DIE3100"]


def test_the_tables_follow_the_scope(two_regions: dict[str, Learner]) -> None:
    tables = bilan_tables(compute_bilan(YEAR, disp="DISP PARIS"))
    assert [(r.label, r.learners, r.enrolments, r.validated) for r in tables.establishments] == [
        (MELUN, 2, 2, 1),
        (FRESNES, 1, 1, 1),
    ]
    assert {r.code for r in tables.sectors} == {INFO, COMPTA}
    assert sum(r.enrolments for r in tables.sectors) == 3
    assert [(r.kind, r.interviews, r.people) for r in tables.followup] == [
        ("information_orientation", 3, 3),
        ("training_followup", 0, 0),
    ]
    assert [(r.year, r.establishment, r.participants) for r in tables.emergence] == [
        ("2018-2019", FRESNES, 1)
    ]
    assert [r.formation for r in tables.graduates] == ["CPN63"]
    assert "DISP PARIS" in tables.scope and not tables.whole_programme


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": "2019"}, "n'est pas valide"),
        ({"year": "2019-2021"}, "n'est pas valide"),
        ({"year": "2019/2020"}, "n'est pas valide"),
        ({"year": ""}, "n'est pas valide"),
        ({"disp": "DISP NULLE PART"}, "DISP inconnue"),
        ({"establishment": "CP NULLE PART"}, "Établissement inconnu"),
        ({"sector": "astronomie"}, "Secteur inconnu"),
        ({"disp": "DISP RENNES", "establishment": MELUN}, "relève de la DISP PARIS"),
    ],
)
def test_unknown_values_raise_a_french_value_error(options: dict[str, str], message: str) -> None:
    year = options.pop("year", YEAR)
    with pytest.raises(ValueError, match=message):
        compute_bilan(year, **options)


# --------------------------------------------------------------------------------------------
# Efficiency: a fixed number of queries, whatever the data
# --------------------------------------------------------------------------------------------


SCOPES: dict[str, dict[str, str]] = {
    "all": {},
    "disp": {"disp": "DISP PARIS"},
    "establishment": {"establishment": MELUN},
    "sector": {"sector": INFO},
}


def queries(**scope: str) -> tuple[int, int]:
    """The number of queries of the bilan, and of its detail tables."""
    with CaptureQueriesContext(connection) as for_bilan:
        bilan = compute_bilan(YEAR, **scope)
    with CaptureQueriesContext(connection) as for_tables:
        bilan_tables(bilan)
    return len(for_bilan.captured_queries), len(for_tables.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(
    two_regions: dict[str, Learner],
) -> None:
    small = {name: queries(**scope) for name, scope in SCOPES.items()}
    for index in range(30):
        label = RENNES if index % 2 else MELUN
        learner = person(label)
        for ue in units(INFO, 3):
            enrol(learner, ue, label)
        interview(learner, date(2019, 11, 1 + index % 28))
        certify(learner, "CPN63", date(2020, 5, 1), label)
    assert {name: queries(**scope) for name, scope in SCOPES.items()} == small
    # The tables: 12 queries, and at most 5 more for the orientation section (referral_stats:
    # two grouped passes, then the names of the centres, missions locales and regions).
    assert all(bilan <= 10 and tables <= 17 for bilan, tables in small.values()), small


# --------------------------------------------------------------------------------------------
# Trends and publication mode
# --------------------------------------------------------------------------------------------


def test_trends_cover_every_year_with_enrolments() -> None:
    a, b = person(), person()
    enrol(a, unit(COMPTA, 0), year="2017-2018")
    enrol(a, unit(COMPTA, 1), year="2019-2020", result=Result.FAILED)
    enrol(b, unit(COMPTA, 1), year="2019-2020", establishment=FRESNES)
    rows = trends()
    assert [(r.year, r.learners, r.establishments) for r in rows] == [
        ("2017-2018", 1, 1),
        ("2019-2020", 2, 2),
    ]
    assert (rows[1].learner_success_rate, rows[1].ue_validation_rate) == (50.0, 50.0)
    assert [r.year for r in trends(["2019-2020"])] == ["2019-2020"]
    assert [r.year for r in trends(establishment=FRESNES)] == ["2019-2020"]
    with pytest.raises(ValueError, match="n'est pas valide"):
        trends(["20"])


def test_publication_masks_small_learner_counts_only() -> None:
    for _ in range(6):
        enrol(person(MELUN), unit(COMPTA, 0), MELUN)
    for _ in range(2):
        learner = person(RENNES)
        enrol(learner, unit(COMPTA, 0), RENNES)
        interview(learner, date(2019, 12, 1))
    cohort(RENNES, YEAR, person(RENNES))
    document = compute_bilan(YEAR).as_dict()
    public = mask_small_cells(document)
    assert public["enrolled_learners"] == 8
    assert disp(public, "DISP PARIS")["learners"] == "n.c."  # else 8 - 6 gives Rennes' 2
    assert disp(public, "DISP RENNES")["learners"] == "< 5"
    assert disp(public, "DISP RENNES")["establishments"] == 1  # not a count of people
    assert public["followup"]["people_followed"] == "< 5"
    assert public["followup"]["interviews"] == 2  # not a count of people
    assert public["emergence"]["participants"] == "< 5"
    assert public["learner_success_rate"] == document["learner_success_rate"]
    assert document["followup"]["people_followed"] == 2  # the original is untouched
    assert list(public) == KEYS

    stricter = mask_small_cells(document, threshold=10)
    assert stricter["enrolled_learners"] == "< 10"
    assert disp(stricter, "DISP PARIS")["learners"] == "< 10"
    assert stricter["ue_validated"] is None
    assert stricter["learner_success_rate"] is None
    assert stricter["ue_validation_rate"] is None
    assert stricter["ue_enrollments"] is None  # shown next to a masked count, it would bound it

    tables = mask_tables(bilan_tables(compute_bilan(YEAR)))
    rennes = next(r for r in tables.establishments if r.label == RENNES)
    assert (rennes.learners, rennes.enrolments, rennes.validated) == ("< 5", None, None)
    melun = next(r for r in tables.establishments if r.label == MELUN)
    assert (melun.learners, melun.validated) == (6, 6)
    assert tables.masked_below == 5


def test_publication_keeps_zero() -> None:
    public = mask_small_cells(compute_bilan(YEAR).as_dict())
    assert public["enrolled_learners"] == 0
    assert public["emergence"]["participants"] == 0
    with pytest.raises(ValueError, match="seuil"):
        mask_small_cells(compute_bilan(YEAR).as_dict(), threshold=0)
