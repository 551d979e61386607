"""The daily work, as people do it in the browser, on the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_referent_finds_a_learner_records_an_interview_and_submits_an_application(
    page: Page,
) -> None:
    login(page, "referent")
    page.get_by_role("link", name="Apprenants", exact=True).first.click()
    page.get_by_label("Nom, prénom ou référence").fill("Koné")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="KONÉ").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("KONÉ")

    page.get_by_role("link", name="Saisir un entretien").click()
    page.get_by_label("Nature").select_option("training_followup")
    page.get_by_label("Durée (minutes)").fill("45")
    page.get_by_label("Notes").fill(
        "Point sur le premier devoir rendu ; méthode de travail en cellule."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Entretien enregistré.")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Point sur le premier devoir rendu", exact=False)
    ).to_be_visible()

    page.get_by_role("link", name="Déposer une candidature").click()
    page.get_by_label("UE demandées").fill("CFA010, CFA040")
    page.get_by_label("Financement").select_option("dap")
    page.get_by_label("Projet et motivation").fill("Devenir assistant comptable à la sortie.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Candidature déposée")).to_be_visible()
    expect(page.get_by_text("Déposée", exact=True).first).to_be_visible()


def test_a_teacher_grades_and_a_coordinator_awards_the_certification(
    page: Page, browser: object, server_url: str, tmp_path: Path
) -> None:
    login(page, "enseignant")
    page.get_by_role("link", name="Résultats", exact=True).first.click()
    for code, grade in (("CCG101", "15"), ("CCG109", "12,5")):
        page.get_by_role("link", name=code).filter(has_text=code).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("2026-2027")
        row = page.get_by_role("row").filter(has_text="CLÉMENT")
        row.get_by_role("combobox").first.select_option("validated")
        row.get_by_role("textbox").fill(grade)
        page.get_by_role("button", name="Enregistrer la grille").click()
        expect(page.get_by_text("résultat(s) enregistré(s)", exact=False)).to_be_visible()
        if code == "CCG109":  # the last missing UE of the DGC
            expect(page.get_by_text("1 certification(s) proposée(s)", exact=False)).to_be_visible()
        page.get_by_role("link", name="Saisie des résultats").first.click()

    coordinator = browser.new_context(base_url=server_url, accept_downloads=True).new_page()  # type: ignore[attr-defined]
    login(coordinator, "coordination")
    coordinator.get_by_role("link", name="Certifications", exact=True).first.click()
    coordinator.get_by_role("row").filter(
        has_text="Diplôme de gestion et de comptabilité"
    ).get_by_role("link").first.click()
    coordinator.get_by_role("button", name="Confirmer et délivrer").click()
    expect(coordinator.get_by_text("Certification délivrée")).to_be_visible()
    with coordinator.expect_download() as info:
        coordinator.get_by_role("link", name="Télécharger l’attestation (PDF)").click()
    target = tmp_path / "attestation.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")


def test_the_statistician_reads_the_bilan_and_downloads_the_report(
    page: Page, tmp_path: Path
) -> None:
    login(page, "statistique")
    page.get_by_role("link", name="Bilan chiffré", exact=True).first.click()
    page.get_by_label("Année universitaire", exact=True).select_option("2019-2020")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan chiffré 2019-2020")
    expect(page.locator(".tr-keyfigure").first).to_contain_text("64")
    expect(page.get_by_text("56,25 %").first).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Rapport PDF").click()
    target = tmp_path / "bilan.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    # No personal record for a statistician.
    page.goto("/apprenants/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
