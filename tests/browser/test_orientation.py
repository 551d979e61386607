from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_counselor_refers_a_young_person_and_the_centre_enrols_them(
    page: Page, browser: object, server_url: str
) -> None:
    login(page, "conseil-ml")
    page.goto("/orientation/jeunes/nouveau/")
    page.get_by_label("Référence").fill("ML-NAV-001")
    page.get_by_label("Nom", exact=True).fill("Guillou")
    page.get_by_label("Prénom").fill("Enzo")
    page.get_by_label("Date de naissance").fill(date(date.today().year - 20, 5, 2).isoformat())
    page.get_by_label("Commune de résidence").fill("Saint-Malo")
    page.get_by_label("Plus haut diplôme").select_option("bac")
    page.get_by_label("Distance maximale (km)").fill("80")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Formations proposées")).to_be_visible()

    near = page.locator("table").filter(has_text="Près de chez le jeune").first
    # The regional centre at Rennes, where the demo account `centre-rennes` works.
    row = (
        near.locator("tbody tr")
        .filter(has=page.get_by_role("cell", name="Cnam Bretagne (démo)", exact=True))
        .first
    )
    row.get_by_role("textbox").fill("Disponible le matin.")
    row.get_by_role("button").click()
    expect(page.get_by_text("Orientation envoyée à Cnam Bretagne (démo).")).to_be_visible()

    staff_page = browser.new_context(base_url=server_url).new_page()  # type: ignore[attr-defined]
    login(staff_page, "centre-rennes")
    staff_page.goto("/orientation/")
    staff_page.get_by_role("link", name="GUILLOU Enzo").first.click()
    staff_page.get_by_role("button", name="Marquer le jeune comme contacté").click()
    expect(staff_page.get_by_text("Orientation : jeune contacté par le centre.")).to_be_visible()
    staff_page.get_by_role("button", name="Marquer le jeune comme inscrit").click()
    expect(staff_page.get_by_text("Orientation : inscrit.")).to_be_visible()

    page.goto("/orientation/")
    mine = page.get_by_role("row").filter(has_text="GUILLOU")
    expect(mine).to_contain_text("Cnam Bretagne (démo)")
    expect(mine).to_contain_text("Inscrit")
