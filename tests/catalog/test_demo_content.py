"""The demo content reproduces the Cnam's published 2020-2021 PSMJ offer (no Django needed)."""

import re
from collections import Counter

import pytest

from tremplin.demo.content import (
    EDITION,
    EXTRA_TEACHING_UNITS,
    FORMATIONS,
    SECTORS,
    TEACHING_UNITS,
    Formation,
)

UNITS_BY_CODE = {unit["code"]: unit for unit in TEACHING_UNITS}
UE_CODE = re.compile(r"^[A-Z]{3}\d{3}$")
FORMATION_CODE = re.compile(r"^[A-Z0-9]{2,20}$")


def referenced_units(formation: Formation) -> list[str]:
    requirements = formation["requirements"]
    codes = list(requirements["mandatory"])
    for group in requirements["choice_groups"]:
        codes.extend(group["units"])
    return codes


def best_reachable_credits(formation: Formation) -> int:
    requirements = formation["requirements"]
    total = sum(UNITS_BY_CODE[code]["ects"] for code in requirements["mandatory"])
    for group in requirements["choice_groups"]:
        credits = sorted((UNITS_BY_CODE[code]["ects"] for code in group["units"]), reverse=True)
        total += sum(credits[: group["choose"]])
    return total


def units_to_validate(formation: Formation) -> int:
    requirements = formation["requirements"]
    return len(requirements["mandatory"]) + sum(
        group["choose"] for group in requirements["choice_groups"]
    )


def test_the_catalogue_has_exactly_the_six_published_sectors() -> None:
    assert list(SECTORS) == [
        "Comptabilité et gestion",
        "Construction et aménagement",
        "Droit des affaires, droit social et immobilier",
        "Finance, banque et assurance",
        "Informatique",
        "Management et innovation",
    ]


def test_the_edition_has_eighty_teaching_units() -> None:
    assert len(TEACHING_UNITS) == 80


def test_twenty_seven_teaching_units_are_taught_at_distance() -> None:
    modalities = Counter(unit["modality"] for unit in TEACHING_UNITS)
    assert modalities["distance"] == 27
    assert set(modalities) <= {"distance", "on_site", "hybrid"}


def test_formations_are_split_by_kind_as_published() -> None:
    assert Counter(formation["kind"] for formation in FORMATIONS) == {
        "professional_certificate": 4,
        "skills_certificate": 8,
        "specialisation_certificate": 2,
        "rncp_title": 2,
        "institution_diploma": 3,
        "business_creation_programme": 1,
    }


def test_teaching_unit_codes_are_unique_across_both_lists() -> None:
    codes = [unit["code"] for unit in (*TEACHING_UNITS, *EXTRA_TEACHING_UNITS)]
    assert len(codes) == len(set(codes))


def test_teaching_unit_codes_look_like_cnam_codes() -> None:
    for unit in (*TEACHING_UNITS, *EXTRA_TEACHING_UNITS):
        assert UE_CODE.match(unit["code"]), unit["code"]


def test_formation_codes_are_unique_uppercase_letters_and_digits() -> None:
    codes = [formation["code"] for formation in FORMATIONS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert FORMATION_CODE.match(code), code


def test_every_teaching_unit_has_a_known_sector_and_typical_ects() -> None:
    for unit in (*TEACHING_UNITS, *EXTRA_TEACHING_UNITS):
        assert unit["sector"] in SECTORS, unit["code"]
        assert unit["ects"] in {2, 3, 4, 6, 8}, unit["code"]
        assert unit["title"].strip(), unit["code"]


@pytest.mark.parametrize("formation", FORMATIONS, ids=lambda formation: formation["code"])
def test_every_requirement_references_a_known_teaching_unit(formation: Formation) -> None:
    unknown = [code for code in referenced_units(formation) if code not in UNITS_BY_CODE]
    assert unknown == []


@pytest.mark.parametrize("formation", FORMATIONS, ids=lambda formation: formation["code"])
def test_a_formation_lists_each_unit_once_and_its_choices_are_possible(
    formation: Formation,
) -> None:
    codes = referenced_units(formation)
    assert len(codes) == len(set(codes))
    for group in formation["requirements"]["choice_groups"]:
        assert group["label"].strip()
        assert 1 <= group["choose"] < len(group["units"])


@pytest.mark.parametrize("formation", FORMATIONS, ids=lambda formation: formation["code"])
def test_each_formation_min_credits_is_reachable(formation: Formation) -> None:
    assert formation["requirements"]["min_credits"] <= best_reachable_credits(formation)


def test_each_sector_has_at_least_one_formation() -> None:
    sectors_with_formations = {formation["sector"] for formation in FORMATIONS}
    assert sectors_with_formations == set(SECTORS)


def test_every_offered_teaching_unit_belongs_to_a_formation() -> None:
    used = {code for formation in FORMATIONS for code in referenced_units(formation)}
    assert set(UNITS_BY_CODE) - used == set()


def test_only_rncp_titles_carry_an_rncp_code() -> None:
    for formation in FORMATIONS:
        if formation["kind"] == "rncp_title":
            assert re.fullmatch(r"RNCP\d{4,6}", formation["rncp_code"]), formation["code"]
        else:
            assert formation["rncp_code"] == "", formation["code"]


def test_the_dgc_is_an_institution_diploma_and_the_largest_formation() -> None:
    (dgc,) = [f for f in FORMATIONS if f["title"] == "Diplôme de gestion et de comptabilité"]
    assert dgc["kind"] == "institution_diploma"
    assert dgc["sector"] == "Comptabilité et gestion"
    assert 8 <= units_to_validate(dgc) <= 12
    for formation in FORMATIONS:
        if formation is not dgc:
            assert units_to_validate(formation) < units_to_validate(dgc), formation["code"]
            assert formation["requirements"]["min_credits"] < dgc["requirements"]["min_credits"], (
                formation["code"]
            )


def test_emergence_is_the_hybrid_business_creation_programme() -> None:
    (emergence,) = [f for f in FORMATIONS if f["kind"] == "business_creation_programme"]
    assert emergence["title"] == "Émergence du désir d'entreprendre"
    modalities = {
        UNITS_BY_CODE[code]["modality"] for code in emergence["requirements"]["mandatory"]
    }
    assert modalities == {"hybrid"}


def test_formations_have_a_french_description_and_a_level() -> None:
    for formation in FORMATIONS:
        assert formation["description"].strip(), formation["code"]
        assert formation["level"] in {"post_bac", "pre_bac"}, formation["code"]
    levels = Counter(formation["level"] for formation in FORMATIONS)
    assert levels["post_bac"] > levels["pre_bac"]


def test_the_2020_2021_edition_is_described_as_published() -> None:
    assert EDITION["year"] == "2020-2021"
    assert EDITION["title"] == (
        "Édition 2020-2021 du catalogue dédié aux personnes sous main de justice"
    )
    assert EDITION["published_on"] == "2020-11-23"
    assert EDITION["introduction"].strip()
    for step in ("RLE", "référent", "entretien", "examinée par le Cnam", "papier"):
        assert step in EDITION["how_to_apply"], step


def test_extra_teaching_units_exist_but_are_not_offered_in_2020_2021() -> None:
    assert 3 <= len(EXTRA_TEACHING_UNITS) <= 4
    for unit in EXTRA_TEACHING_UNITS:
        assert unit["code"] not in UNITS_BY_CODE
