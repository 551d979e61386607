"""Which offers are proposed to a young person living in a commune, in which order."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tremplin.catalog.models import Modality
from tremplin.orientation import proposals
from tremplin.orientation.models import CentreOffer, Qualification
from tremplin.orientation.proposals import (
    NO_COORDINATES_MESSAGE,
    bounding_box,
    geodesic_km,
    propose,
)
from tremplin.places.models import Commune, SizeClass, size_class

from .conftest import NEXT_START, commune, offer

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
SAINT_MALO = "35288"


def codes(proposals: tuple[object, ...]) -> list[tuple[str, str]]:
    return [(p.centre_code, p.formation_code) for p in proposals]  # type: ignore[attr-defined]


def test_near_offers_are_ranked_by_geodesic_distance_and_the_radius_leaves_out_the_far_ones(
    offers: dict[str, CentreOffer],
) -> None:
    result = propose(commune(SAINT_MALO), radius_km=70, today=TODAY)

    assert codes(result.near) == [
        ("DEMO-BRE-STBRIEUC", "CPN58"),  # 59.3 km
        ("DEMO-BRE", "CC13500"),  # 62.8 km, then by formation code
        ("DEMO-BRE", "CPN58"),
    ]
    assert [p.distance_km for p in result.near] == [59.3, 62.8, 62.8]
    assert [p.modality for p in result.near] == ["on_site", "hybrid", "on_site"]


def test_without_a_radius_the_nearest_centres_are_ranked_nearest_first(
    offers: dict[str, CentreOffer],
) -> None:
    result = propose(commune(SAINT_MALO), today=TODAY)

    assert [p.centre_code for p in result.near] == [
        "DEMO-BRE-STBRIEUC",
        "DEMO-BRE",
        "DEMO-BRE",
        "DEMO-BRE-VITRE",
        "DEMO-BRE-VITRE",
        "DEMO-BRE-QUIMPER",
    ]
    distances = [p.distance_km for p in result.near]
    assert distances == sorted(distances)


def test_the_radius_is_exact_the_bounding_box_only_narrows_the_search(
    offers: dict[str, CentreOffer],
) -> None:
    saint_malo = commune(SAINT_MALO)
    brieuc = commune("22278")  # Saint-Brieuc
    exact = geodesic_km(
        (saint_malo.latitude, saint_malo.longitude), (brieuc.latitude, brieuc.longitude)
    )
    assert exact is not None

    just_in = propose(saint_malo, radius_km=exact + 0.01, today=TODAY)
    just_out = propose(saint_malo, radius_km=exact - 0.01, today=TODAY)

    assert ("DEMO-BRE-STBRIEUC", "CPN58") in codes(just_in.near)
    assert ("DEMO-BRE-STBRIEUC", "CPN58") not in codes(just_out.near)


def test_the_bounding_box_contains_the_whole_circle() -> None:
    lat_min, lat_max, lon_min, lon_max = bounding_box(48.64, -1.98, 100)
    assert lon_min is not None and lon_max is not None
    for lat, lon in ((lat_min, -1.98), (lat_max, -1.98), (48.64, lon_min), (48.64, lon_max)):
        distance = geodesic_km((48.64, -1.98), (lat, lon))
        assert distance is not None and distance > 100


def test_distance_offers_are_always_proposed_after_the_near_ones_whatever_the_radius(
    offers: dict[str, CentreOffer],
) -> None:
    result = propose(commune(SAINT_MALO), radius_km=10, today=TODAY)

    assert result.near == ()
    assert codes(result.remote) == [("DEMO-IDF", "DIE3100"), ("DEMO-ARA", "CPN63")]
    assert all(p.distance_km and p.distance_km > 300 for p in result.remote)
    assert result.proposals == result.near + result.remote

    wide = propose(commune(SAINT_MALO), radius_km=70, today=TODAY)
    assert wide.proposals[-2:] == wide.remote
    assert all(p.modality == Modality.DISTANCE for p in wide.remote)


def test_a_commune_without_coordinates_gets_the_distance_offers_and_a_message(
    offers: dict[str, CentreOffer],
) -> None:
    noumea = Commune.objects.get(code="98818")
    assert noumea.latitude is None

    result = propose(noumea, radius_km=50, today=TODAY)

    assert result.message == NO_COORDINATES_MESSAGE
    assert result.message == (
        "La commune n'a pas de coordonnées : seules les formations à distance sont proposées."
    )
    assert result.near == ()
    assert {p.formation_code for p in result.remote} == {"DIE3100", "CPN63"}
    assert all(p.distance_km is None for p in result.remote)
    assert result.as_dict()["message"] == NO_COORDINATES_MESSAGE


def test_pre_bac_formations_are_proposed_only_below_the_bac_or_when_unknown(
    offers: dict[str, CentreOffer],
) -> None:
    saint_malo = commune(SAINT_MALO)

    with_bac = propose(saint_malo, qualification=Qualification.BAC, today=TODAY)
    below = propose(saint_malo, qualification=Qualification.BELOW_BAC, today=TODAY)
    unknown = propose(saint_malo, today=TODAY)

    assert "CPN71" not in {p.formation_code for p in with_bac.proposals}
    assert {p.formation_level for p in with_bac.proposals} == {"post_bac"}
    assert "CPN71" in {p.formation_code for p in below.proposals}
    assert "CPN71" in {p.formation_code for p in unknown.proposals}


def test_sectors_limit_the_formations_and_an_unknown_sector_is_refused(
    offers: dict[str, CentreOffer],
) -> None:
    result = propose(commune(SAINT_MALO), sectors=["informatique"], today=TODAY)

    assert {p.formation_code for p in result.proposals} == {"CC13500", "CPN63"}
    assert result.sectors == ("informatique",)

    with pytest.raises(ValidationError) as error:
        propose(commune(SAINT_MALO), sectors=["astronomie"], today=TODAY)
    assert "Secteur inconnu : « astronomie »" in str(error.value)


def test_an_offer_whose_next_session_has_started_is_left_out(db: None) -> None:
    offer("DEMO-BRE", "CPN58", Modality.ON_SITE, next_start=date(2026, 9, 1))
    offer("DEMO-BRE", "CC13500", Modality.ON_SITE, next_start=None)

    result = propose(commune(SAINT_MALO), today=TODAY)

    assert [p.formation_code for p in result.proposals] == ["CC13500"]
    assert result.proposals[0].next_start is None


@pytest.mark.parametrize(
    ("population", "expected", "label"),
    [
        (2_499, SizeClass.RURAL, "Commune rurale (moins de 2 500 habitants)"),
        (2_500, SizeClass.SMALL, "Petite ville (2 500 à 20 000 habitants)"),
        (19_999, SizeClass.SMALL, "Petite ville (2 500 à 20 000 habitants)"),
        (20_000, SizeClass.MEDIUM, "Ville moyenne (20 000 à 100 000 habitants)"),
        (99_999, SizeClass.MEDIUM, "Ville moyenne (20 000 à 100 000 habitants)"),
        (100_000, SizeClass.LARGE, "Grande ville (100 000 habitants et plus)"),
    ],
)
def test_the_size_class_of_the_centres_town_at_the_boundaries(
    offers: dict[str, CentreOffer], population: int, expected: SizeClass, label: str
) -> None:
    assert size_class(population) == expected
    Commune.objects.filter(name="Vitré", department_id="35").update(population=population)

    result = propose(commune(SAINT_MALO), today=TODAY)

    vitre = [p for p in result.proposals if p.centre_code == "DEMO-BRE-VITRE"]
    assert vitre and all(p.size_class == expected.value for p in vitre)
    assert all(p.size_class_label == label for p in vitre)


def test_a_town_of_unknown_population_has_no_size_class(offers: dict[str, CentreOffer]) -> None:
    Commune.objects.filter(name="Vitré", department_id="35").update(population=None)

    result = propose(commune(SAINT_MALO), today=TODAY)

    vitre = next(p for p in result.proposals if p.centre_code == "DEMO-BRE-VITRE")
    assert vitre.size_class is None
    assert vitre.size_class_label == "Taille inconnue"


def test_a_proposal_as_json_names_the_centre_the_town_size_the_distance_and_the_formation(
    offers: dict[str, CentreOffer],
) -> None:
    document = propose(commune(SAINT_MALO), radius_km=70, today=TODAY).as_dict()

    assert document["commune"] == {
        "code": SAINT_MALO,
        "name": "Saint-Malo",
        "department": "35",
        "has_coordinates": True,
    }
    assert document["count"] == 5
    first = document["proposals"][0]
    assert first["rank"] == 1
    assert first["centre"]["code"] == "DEMO-BRE-STBRIEUC"
    assert first["centre"]["commune"] == "Saint-Brieuc"
    assert first["centre"]["department"] == "22"
    assert first["size_class"] == "medium"
    assert first["distance_km"] == 59.3
    assert first["formation"]["code"] == "CPN58"
    assert first["formation"]["kind"] == "professional_certificate"
    assert first["modality"] == "on_site"
    assert first["next_start"] == NEXT_START.isoformat()


def test_a_negative_radius_is_refused(offers: dict[str, CentreOffer]) -> None:
    with pytest.raises(ValidationError):
        propose(commune(SAINT_MALO), radius_km=-1, today=TODAY)


def test_without_a_radius_only_the_nearest_centres_are_kept_and_distance_offers_stay(
    offers: dict[str, CentreOffer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proposals, "NEAREST_CENTRES", 2)

    result = propose(commune(SAINT_MALO), today=TODAY)

    assert {p.centre_code for p in result.near} == {"DEMO-BRE-STBRIEUC", "DEMO-BRE"}
    assert {p.centre_code for p in result.remote} == {"DEMO-ARA", "DEMO-IDF"}


def test_the_nearest_centres_are_those_of_the_geodesic_ranking() -> None:
    rng = random.Random(3)
    origin = (48.65, -2.01)
    points = {i: (rng.uniform(42.0, 51.0), rng.uniform(-4.5, 8.0)) for i in range(400)}

    for count in (1, 5, 25, 100):
        exact = sorted(points, key=lambda pk: proposals.geodesic_km(origin, points[pk]) or 0.0)
        assert proposals._nearest(origin, points, count) == set(exact[:count])
