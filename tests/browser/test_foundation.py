from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_referent_logs_in_and_lands_on_their_home_page(page: Page) -> None:
    login(page, "referent")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour Nadia")
    expect(page.get_by_text("Vos établissements")).to_be_visible()
    expect(page.locator(".fr-header__service-title")).to_have_text("Cnam · Tremplin")


def test_a_wrong_password_keeps_the_user_out(page: Page) -> None:
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill("referent")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(
        page.get_by_text("Saisissez un nom d’utilisateur et un mot de passe valides")
    ).to_be_visible()


def test_a_user_browses_the_catalogue_and_downloads_the_pdf(page: Page, tmp_path: Path) -> None:
    login(page, "rle-melun")
    page.get_by_role("link", name="Catalogue", exact=True).first.click()
    page.get_by_role("link", name="2020-2021", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Édition 2020-2021")
    expect(page.get_by_text("80 unités d'enseignement", exact=True)).to_be_visible()
    page.get_by_role("button", name="Diplôme de gestion et de comptabilité (DIE3100)").click()
    expect(page.locator("#formation-DIE3100").get_by_role("cell", name="CCG101")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le catalogue imprimable (PDF)").click()
    target = tmp_path / "catalogue.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename == "catalogue-cnam-psmj-2020-2021.pdf"


def test_the_establishments_map_shows_every_directorate(page: Page, tmp_path: Path) -> None:
    login(page, "coord-paris")
    page.get_by_role("link", name="Carte", exact=True).first.click()
    figure = page.locator("svg[role=img]").first
    expect(figure).to_be_visible()
    assert page.locator("svg[role=img] path").count() >= 101
    expect(page.get_by_role("link", name="CD MELUN — Melun").first).to_be_attached()
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)


def test_a_coordinator_is_refused_an_invalid_unit(page: Page) -> None:
    login(page, "coordination")
    page.goto("/catalogue/ue/nouvelle/")
    page.get_by_label("Code").fill("CFA120")
    page.get_by_label("Intitulé").fill("Doublon")
    page.get_by_label("Crédits ECTS").fill("6")
    page.get_by_label("Modalité").select_option("distance")
    page.get_by_label("Secteur").select_option(label="Informatique")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("existe déjà")).to_be_visible()
