"""In the browser: a commune suggested as the counselor types, chosen among namesakes without
JavaScript; a second file of the same person caught on the form and merged by a coordinator."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser


def fill_young_person(page: Page, reference: str, commune: str) -> None:
    page.get_by_label("Référence").fill(reference)
    page.get_by_label("Nom", exact=True).fill("Riou")
    page.get_by_label("Prénom").fill(f"Maël {reference}")
    page.get_by_label("Date de naissance").fill(date(date.today().year - 19, 3, 8).isoformat())
    page.get_by_label("Commune de résidence").fill(commune)
    page.get_by_label("Plus haut diplôme").select_option("bac")
    page.get_by_label("Distance maximale (km)").fill("40")


def test_a_commune_is_suggested_as_the_counselor_types(page: Page) -> None:
    login(page, "conseil-ml")
    page.goto("/orientation/jeunes/nouveau/")
    page.get_by_label("Commune de résidence").press_sequentially("st mal", delay=30)
    options = page.locator("datalist option")
    expect(options.first).to_be_attached()
    expect(page.locator("datalist option[value='Saint-Malo (35)']")).to_be_attached()


def test_without_javascript_a_commune_is_chosen_among_its_namesakes(
    browser: object, server_url: str
) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=server_url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    login(page, "conseil-ml")
    page.goto("/orientation/jeunes/nouveau/")
    fill_young_person(page, "ML-NOJS-1", "Saint-Georges")
    page.get_by_role("button", name="Enregistrer").click()
    choices = page.get_by_role("group", name="Choisissez la commune :")
    expect(choices).to_be_visible()
    assert choices.get_by_role("radio").count() >= 2
    choices.locator("label").first.click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Formations proposées")).to_be_visible()
    context.close()


def test_a_second_file_is_caught_then_merged_and_the_merge_undone(page: Page) -> None:
    login(page, "coordination")
    page.goto("/apprenants/nouveau/")
    page.get_by_label("Nom", exact=True).fill("Le Bihan")
    page.get_by_label("Prénom").fill("Jean-Yves")
    page.get_by_label("Date de naissance").fill("1991-02-03")
    page.get_by_label("Public", exact=True).select_option("detained")
    page.locator("select[name=establishment]").select_option(label="CD MELUN")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/apprenants/*/")
    first = page.url
    page.goto("/apprenants/nouveau/")
    page.get_by_label("Nom", exact=True).fill("LE BIHAN")
    page.get_by_label("Prénom").fill("Jean Yves")
    page.get_by_label("Date de naissance").fill("1991-02-03")
    page.get_by_label("Public", exact=True).select_option("detained")
    page.locator("select[name=establishment]").select_option(label="CD MELUN")
    page.get_by_label("Numéro d'écrou").fill("45872")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_role("heading", name="Cette personne a peut-être déjà un dossier")
    ).to_be_visible()
    page.locator("label[for=id_other_person]").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("numéro d'écrou 45872")).to_be_visible()
    page.get_by_role("link", name="fusionnez les dossiers").click()
    expect(page.get_by_role("heading", name="Ce que la fusion ferait")).to_be_visible()
    page.get_by_role("button", name="Fusionner les deux dossiers").click()
    expect(page).to_have_url(first)
    expect(page.get_by_text("numéro d'écrou 45872")).to_be_visible()
    page.get_by_role("button", name="Annuler la fusion").click()
    expect(page.get_by_text("chaque dossier a retrouvé son contenu")).to_be_visible()
    expect(page.get_by_text("numéro d'écrou 45872")).to_have_count(0)
