"""In the browser: a coordinator downloads a certification's verifiable credential, and anyone,
without an account, pastes it on /verifier/ and reads the verdict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_credential_is_downloaded_then_verified_by_anyone(
    page: Page, browser: object, server_url: str, tmp_path: Path
) -> None:
    login(page, "coordination")
    page.goto("/certifications/")
    page.get_by_role("link", name=re.compile(r"^CNAM-CERT-")).first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Attestation vérifiable (Open Badges, JSON)").click()
    path = tmp_path / "attestation.json"
    download.value.save_as(path)

    anyone = browser.new_context(base_url=server_url, locale="fr-FR").new_page()  # type: ignore[attr-defined]
    anyone.goto("/verifier/")
    anyone.get_by_label("Attestation à vérifier").fill(path.read_text())
    anyone.get_by_role("button", name="Vérifier").click()
    expect(anyone.get_by_role("heading", name="Attestation valide")).to_be_visible()
    expect(
        anyone.get_by_text("Conservatoire national des arts et métiers", exact=True)
    ).to_be_visible()
