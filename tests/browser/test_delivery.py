"""The course material and the exams, as the RLE and the coordination handle them in the browser,
on the demo data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tremplin.demo.learners import DEMO_NOW

from .conftest import login

pytestmark = pytest.mark.browser


def pdf_text(path: Path) -> str:
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    found = shutil.which("pdftotext")
    assert found, "pdftotext (poppler-utils) is missing: run `make system-deps`."
    done = subprocess.run([found, "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def test_the_rle_hands_out_the_material_and_records_a_graded_assignment(
    page: Page, tmp_path: Path
) -> None:
    login(page, "rle-melun")
    page.get_by_role("link", name="Supports et examens", exact=True).first.click()
    # One establishment: the RLE lands on its page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi des supports — CD MELUN")

    with page.expect_download() as info:
        page.get_by_role("link", name="Bordereau de remise de la semaine (PDF)").click()
    slip = tmp_path / "bordereau.pdf"
    info.value.save_as(slip)
    text = pdf_text(slip)
    assert "Bordereau de remise" in text
    assert "CLÉMENT" in text and "D26-0004" in text and "Devoir n° 1" in text

    waiting = page.locator("table").filter(has_text="à remettre").first
    row = (
        waiting.get_by_role("row")
        .filter(has_text="CLÉMENT")
        .filter(has_text="CCG101")
        .filter(has_text="Devoir n° 1 (devoir)")
    )
    row.get_by_role("button", name="Remis").click()
    expect(page.get_by_text("Remise enregistrée.")).to_be_visible()

    awaited = page.locator("table").filter(has_text="attendu").first
    row = awaited.get_by_role("row").filter(has_text="CLÉMENT").filter(has_text="CCG101")
    row.get_by_label("Note sur 20").fill("14.5")
    row.get_by_label("Appréciation").fill("Calculs justes, rédaction à soigner.")
    row.get_by_role("button", name="Enregistrer le retour").click()
    expect(page.get_by_text("Retour du devoir enregistré.")).to_be_visible()
    returned = page.locator("table").filter(has_text="Derniers devoirs rendus")
    graded = returned.get_by_role("row").filter(has_text="CLÉMENT").filter(has_text="CCG101")
    expect(graded).to_contain_text("14,50/20")
    expect(graded).to_contain_text("Calculs justes, rédaction à soigner.")


def test_a_transfer_moves_the_exam_registration_to_a_session_of_the_new_establishment(
    page: Page,
) -> None:
    login(page, "coordination")
    page.get_by_role("link", name="Supports et examens", exact=True).first.click()
    page.get_by_role("link", name="CD MELUN").click()
    page.get_by_role("link", name="mercredi 9 décembre 2026", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("9 décembre 2026")
    page.get_by_role("link", name="EL IDRISSI Wilfried", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wilfried EL IDRISSI")
    exams = page.locator("table").filter(has_text="Inscriptions aux sessions d’examens")
    expect(exams.get_by_role("row").filter(has_text="CCE101")).to_contain_text("CD MELUN")

    page.get_by_role("link", name="Transfert").click()
    page.get_by_label("Nouvel établissement").select_option(label="CP OSNY PONTOISE")
    page.get_by_label("Date du transfert").fill(DEMO_NOW.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Transfert enregistré")).to_be_visible()

    # CCE101 follows the learner to the Osny session of 11 December; ASA102 has no session
    # there and stays at Melun, flagged.
    exams = page.locator("table").filter(has_text="Inscriptions aux sessions d’examens")
    moved = exams.get_by_role("row").filter(has_text="CCE101")
    expect(moved).to_contain_text("CP OSNY PONTOISE")
    expect(moved).to_contain_text("Suit un transfert")
    flagged = exams.get_by_role("row").filter(has_text="ASA102")
    expect(flagged).to_contain_text("CD MELUN")
    expect(flagged).to_contain_text("aucune session de ASA102")

    moved.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("11 décembre 2026")
    candidate = page.get_by_role("row").filter(has_text="EL IDRISSI")
    expect(candidate).to_contain_text("CCE101")
    expect(candidate).to_contain_text("signalement")


def test_the_figures_of_a_table_are_aligned_right_under_their_header(page: Page) -> None:
    """The design system aligns every cell left with a more specific rule than the project's
    « tr-num »: the establishments' counts stood left, their digits out of line."""
    login(page, "coordination")
    page.get_by_role("link", name="Supports et examens", exact=True).first.click()
    table = page.locator("table").first
    expect(table.locator("td.tr-num").first).to_have_css("text-align", "right")
    expect(table.locator("th.tr-num").first).to_have_css("text-align", "right")
    expect(table.locator("td:not(.tr-num)").first).to_have_css("text-align", "left")
