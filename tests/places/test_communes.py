"""Towns as people write them: one resolver for every commune field."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.places.communes import name_key, resolve_commune, suggestions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written",
    [
        "Saint-Malo",
        "saint malo",
        "St-Malo",
        "ST MALO",
        "st malo",
        "35400",
        "35288",
        "Saint-Malo (35)",
    ],
)
def test_saint_malo_is_found_however_it_is_written(written: str) -> None:
    assert resolve_commune(written).code == "35288"


def test_a_name_without_its_diaeresis_and_a_dropped_leading_zero_are_found() -> None:
    assert resolve_commune("Plouer-sur-Rance").code == resolve_commune("Plouër-sur-Rance").code
    assert resolve_commune("1053").code == "01053"  # Bourg-en-Bresse, its zero lost


def test_rennes_by_its_name_is_rennes() -> None:
    assert resolve_commune("Rennes").code == "35238"


def test_a_postal_code_shared_by_several_communes_asks_to_choose_and_lists_them() -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_commune("35800")
    message = caught.value.messages[0]
    assert "désigne plusieurs communes" in message
    assert "Dinard (35) [35093]" in message and "Saint-Lunaire (35) [35287]" in message


def test_a_name_shared_by_several_communes_asks_for_the_department() -> None:
    with pytest.raises(ValidationError, match="désigne plusieurs communes"):
        resolve_commune("Saint-Denis")
    assert resolve_commune("Saint-Denis (93)").department_id == "93"


def test_an_unknown_town_is_refused_with_suggestions() -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_commune("Renne")
    assert "Aucune commune ne correspond à « Renne »" in caught.value.messages[0]
    assert "Rennes (35)" in caught.value.messages[0]


def test_the_name_key_ignores_accents_case_hyphens_apostrophes_and_abbreviations() -> None:
    assert name_key("L'Haÿ-les-Roses") == name_key("l hay les roses")
    assert name_key("Ste-Foy") == "sainte foy"


def test_suggestions_follow_the_typed_beginning() -> None:
    assert "Saint-Malo" in [c.name for c in suggestions("st mal")]


def test_the_suggestions_address_answers_json_for_a_signed_in_user(
    client_as: Callable[[User], Client], referent: User
) -> None:
    response = client_as(referent).get(reverse("places:commune_suggestions"), {"q": "st malo"})
    assert response.status_code == 200
    assert {"label": "Saint-Malo (35)", "code": "35288"} in response.json()["suggestions"]


def test_the_command_line_takes_the_commune_as_people_write_it() -> None:
    outputs = []
    for written in ("St-Malo", "35400", "35288"):
        out = StringIO()
        call_command("orientation", "propose", "--commune", written, "--format", "json", stdout=out)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] == outputs[2]


def test_an_ambiguous_commune_offers_its_candidates_as_radio_buttons_without_javascript() -> None:
    from tremplin.learners.forms import ReleaseForm

    form = ReleaseForm({"date": "2026-01-05", "commune": "Saint-Georges"})
    assert not form.is_valid()
    page = str(form["commune"])
    assert 'type="radio"' in page
    assert 'name="commune-choix"' in page
    code = page.split('name="commune-choix" value="')[1].split('"')[0]
    chosen = ReleaseForm({"date": "2026-01-05", "commune": "Saint-Georges", "commune-choix": code})
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["commune"].code == code
