"""`tremplin orientation propose --commune CODE [--sector CODE ...] [--radius KM]
[--qualification LEVEL] --format json|text`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from tremplin.orientation.models import CentreOffer

pytestmark = pytest.mark.django_db


def propose(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("orientation", "propose", *args)
    return capsys.readouterr().out


def test_json_prints_the_ranked_proposals_and_nothing_else(
    offers: dict[str, CentreOffer], capsys: pytest.CaptureFixture[str]
) -> None:
    out = propose(capsys, "--commune", "35288", "--radius", "70", "--format", "json")

    document = json.loads(out)  # the whole output is one JSON document
    ranked = [
        (p["rank"], p["centre"]["code"], p["formation"]["code"], p["modality"], p["distance_km"])
        for p in document["proposals"]
    ]
    assert ranked == [
        (1, "DEMO-BRE-STBRIEUC", "CPN58", "on_site", 59.3),
        (2, "DEMO-BRE", "CC13500", "hybrid", 62.8),
        (3, "DEMO-BRE", "CPN58", "on_site", 62.8),
        (4, "DEMO-IDF", "DIE3100", "distance", 318.9),
        (5, "DEMO-ARA", "CPN63", "distance", 607.4),
    ]
    first = document["proposals"][0]
    assert first["commune"] == "Saint-Brieuc"
    assert first["size_class"] == "medium"
    assert first["next_start"] == "2099-09-01"
    assert document["message"] == ""


def test_sectors_and_qualification_narrow_the_proposals(
    offers: dict[str, CentreOffer], capsys: pytest.CaptureFixture[str]
) -> None:
    out = propose(
        capsys,
        "--commune", "35288",
        "--sector", "informatique",
        "--sector", "construction-et-amenagement",
        "--qualification", "below_bac",
        "--format", "json",
    )  # fmt: skip

    assert {p["formation"]["code"] for p in json.loads(out)["proposals"]} == {
        "CC13500",
        "CPN63",
        "CPN71",
    }


def test_a_commune_without_coordinates_says_why_only_distance_offers_are_listed(
    offers: dict[str, CentreOffer], capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(propose(capsys, "--commune", "98818", "--format", "json"))

    assert document["message"].startswith("La commune n'a pas de coordonnées")
    assert {p["modality"] for p in document["proposals"]} == {"distance"}


def test_text_speaks_french(
    offers: dict[str, CentreOffer], capsys: pytest.CaptureFixture[str]
) -> None:
    out = propose(capsys, "--commune", "35288", "--radius", "70")

    assert out.startswith("Formations proposées pour un jeune habitant Saint-Malo (35) :")
    assert "59.3 km, en présentiel, rentrée le 01/09/2099" in out
    assert "À distance : 2" in out


def test_a_leading_zero_dropped_by_a_spreadsheet_is_restored(
    offers: dict[str, CentreOffer], capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(propose(capsys, "--commune", "1053", "--format", "json"))

    assert document["commune"]["code"] == "01053"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--commune", "99999"], "Aucune commune ne correspond à « 99999 »"),
        (["--commune", "35288", "--sector", "astronomie"], "Secteur inconnu : « astronomie »"),
        (["--commune", "35288", "--radius", "-5"], "Le rayon est un nombre de kilomètres positif"),
    ],
)
def test_unknown_commune_or_sector_is_a_french_error(
    offers: dict[str, CentreOffer], args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as error:
        call_command("orientation", "propose", *args, "--format", "json")

    assert message in str(error.value)
