from __future__ import annotations

import pytest
from django.core.management import call_command

from tremplin.places.models import Commune, Disp, Establishment, SizeClass, Upr, size_class
from tremplin.places.refdata import load_reference_data

pytestmark = pytest.mark.django_db


def test_it_holds_every_real_place() -> None:
    assert Disp.objects.count() == 10
    assert Upr.objects.count() == 10
    assert Establishment.objects.count() == 186
    assert Commune.objects.count() == 35_014


def test_loading_the_reference_data_twice_changes_nothing() -> None:
    report = load_reference_data()
    assert not report.changed
    assert all(created == updated == 0 for created, updated, _ in report.tables.values())
    assert report.tables["Établissements pénitentiaires"] == (0, 0, 186)


def test_the_command_says_a_second_load_changed_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("refdata", "load")
    assert "Aucune modification" in capsys.readouterr().out


def test_a_changed_establishment_is_put_back_by_the_next_load() -> None:
    Establishment.objects.filter(label="CD MELUN").update(capacity=1)
    report = load_reference_data()
    assert report.tables["Établissements pénitentiaires"] == (0, 1, 185)
    assert Establishment.objects.get(label="CD MELUN").capacity != 1


def test_hand_attached_establishments_get_a_clean_name_and_keep_the_remark() -> None:
    meaux = Establishment.objects.get(label="CP MEAUX CHAUCONIN NEUFMONTIERS")
    assert meaux.name == "Centre pénitentiaire de Meaux-Chauconin"
    assert meaux.short_name == "Meaux"
    assert meaux.attached_by_hand
    assert "Chauconin" in meaux.directory_remark
    assert meaux.commune.name == "Chauconin-Neufmontiers"


def test_directory_names_lose_their_annuaire_marker() -> None:
    assert not Establishment.objects.filter(name__contains="(annuaire)").exists()
    assert Establishment.objects.get(label="CD MELUN").name == "Centre de détention de Melun"


@pytest.mark.parametrize(
    ("label", "short"),
    [
        ("CP FLEURY MEROGIS", "Fleury"),
        ("CD MELUN", "Melun"),
        ("MC POISSY", "Poissy"),
        ("CP SUD FRANCILIEN", "Réau"),
        ("CP SEINE SAINT DENIS", "Villepinte"),
        ("CP BOIS D ARCY", "Bois-d'Arcy"),
    ],
)
def test_short_names_follow_the_seed_documents(label: str, short: str) -> None:
    assert Establishment.objects.get(label=label).short_name == short


def test_overseas_establishments_without_coordinates_are_kept() -> None:
    noumea = Establishment.objects.select_related("commune", "disp").get(label="CP NOUMEA")
    assert noumea.disp.code == "DSPOM"
    assert not noumea.commune.has_coordinates


def test_establishment_types_and_disps_come_from_the_official_list() -> None:
    fresnes = Establishment.objects.select_related("disp", "disp__upr").get(label="CP FRESNES")
    assert fresnes.get_type_display() == "Centre pénitentiaire"
    assert fresnes.disp.code == "DISP PARIS"
    assert fresnes.disp.upr.name == "UPR de Paris"
    assert Establishment.objects.filter(type="EPM").count() == 6


def test_arrondissements_point_at_their_city() -> None:
    arrondissement = Commune.objects.get(code="13201")
    assert arrondissement.parent_id == "13055"


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (2_499, SizeClass.RURAL),
        (2_500, SizeClass.SMALL),
        (19_999, SizeClass.SMALL),
        (20_000, SizeClass.MEDIUM),
        (99_999, SizeClass.MEDIUM),
        (100_000, SizeClass.LARGE),
        (None, None),
    ],
)
def test_town_size_classes_have_the_convention_boundaries(
    population: int | None, expected: SizeClass | None
) -> None:
    assert size_class(population) == expected
