from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_referent_logs_in_and_lands_on_their_home_page(page: Page) -> None:
    login(page, "referent", fresh=True)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour Nadia")
    expect(page.get_by_text("Vos établissements")).to_be_visible()
    expect(page.locator(".fr-header__service-title")).to_have_text("Cnam · Tremplin")


def test_a_wrong_password_keeps_the_user_out(page: Page) -> None:
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill("referent")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()


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
    figure = page.locator("svg.tremplin-map__svg").first
    expect(figure).to_be_visible()
    assert page.locator("svg.tremplin-map__svg path").count() >= 101
    page.locator("details > summary").click()
    expect(page.get_by_role("link", name="CD MELUN — Melun")).to_be_visible()
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
    expect(page.get_by_text("Une UE porte déjà ce code.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Code : Une UE porte déjà ce code.")).to_be_visible()


def test_the_design_system_styles_load_and_no_script_fails(page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/connexion/")
    button = page.get_by_role("button", name="Se connecter")
    color = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert color == "rgb(0, 0, 145)"  # DSFR's blue France: the stylesheet is applied
    login(page, "referent")
    page.goto("/catalogue/2020-2021/")
    assert errors == []


def test_the_catalogue_reads_without_javascript(browser: object, server_url: str) -> None:
    context = browser.new_context(base_url=server_url, java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    login(page, "referent")
    page.goto("/catalogue/2020-2021/")
    expect(page.locator("#formation-DIE3100").get_by_role("cell", name="CCG101")).to_be_visible()
    context.close()
