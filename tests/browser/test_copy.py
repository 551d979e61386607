"""The establishment copy, as its users live it: the coordinator creates the copy at the centre,
it is installed on a laptop with no network, the RLE records an Émergence session's attendance
there and prepares the bundle; carried to the centre, the coordinator imports it and sees the
attendance. Two real servers (`tremplin serve`), two databases, files between them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import DemoServer, login, serve, share_static

pytestmark = pytest.mark.browser

TREMPLIN = [sys.executable, "-m", "tremplin.cli"]
#: An Émergence cohort at CD MELUN this year, two of its learners, a session already held.
CENTRE_SETUP = """
from datetime import date
from tremplin.emergence.services import add_participant, ensure_cohort, save_session
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment
melun = Establishment.objects.get(label="CD MELUN")
cohort, _ = ensure_cohort(melun, "2026-2027", start_date=date(2026, 10, 5), facilitator="Mme Roux")
for learner in Learner.objects.filter(establishment=melun, status="placed").order_by("reference")[:2]:
    add_participant(cohort, learner)
save_session(cohort, on=date(2026, 11, 20), modality="on_site", topic="Présenter son projet")
"""
SHOTS = os.environ.get("TREMPLIN_SHOTS", "")


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([*TREMPLIN, *args], env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def centre(demo_server: DemoServer) -> DemoServer:
    """The session's demo server, with an Émergence cohort at CD MELUN this year."""
    _run(demo_server.env, "shell", "--no-imports", "-c", CENTRE_SETUP)
    return demo_server


@pytest.fixture(scope="module")
def copy_home(
    tmp_path_factory: pytest.TempPathFactory, empty_copy_home: Path, collected_static: Path
) -> tuple[Path, dict[str, str]]:
    """A laptop's empty installation (always the embedded database): the session's, copied."""
    home = tmp_path_factory.mktemp("copy") / "home"
    shutil.copytree(empty_copy_home, home)
    share_static(home, collected_static)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TREMPLIN_HOME"] = str(home)
    return home, env


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Pages on either server; their contexts closed at the end of the test."""
    contexts: list[BrowserContext] = []

    def open_(url: str) -> Page:
        context = browser.new_context(
            base_url=url,
            locale="fr-FR",
            accept_downloads=True,
            viewport={"width": 1024, "height": 900},
        )
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (1024, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1024, "height": 900})


def test_attendance_recorded_on_the_copy_reaches_the_centre_by_file(
    open_page: Callable[[str], Page],
    centre: DemoServer,
    copy_home: tuple[Path, dict[str, str]],
    tmp_path: Path,
) -> None:
    # At the centre: the coordinator creates the copy of CD MELUN.
    at_centre = open_page(centre.url)
    login(at_centre, "coordination")
    at_centre.get_by_role("link", name="Copies d'établissement").first.click()
    at_centre.get_by_label("Établissement").select_option(label="CD MELUN")
    at_centre.get_by_role("button", name="Créer la copie").click()
    expect(at_centre.get_by_role("heading", level=1)).to_contain_text("Copie de CD MELUN créée")
    code = at_centre.locator("#code-installation").inner_text().strip()
    _shot(at_centre, "copie-creee")
    with at_centre.expect_download() as download:
        at_centre.get_by_role("link", name="Télécharger le fichier d’installation").click()
    site_file = tmp_path / "cd-melun.tremplin-site"
    download.value.save_as(site_file)

    # On the laptop: the copy installed, served with no network but the loopback.
    home, env = copy_home
    _run(env, "site", "install", str(site_file), "--code", code)
    with serve(home, env, workers=1) as copy_url:
        on_copy = open_page(copy_url)
        login(on_copy, "rle-melun")
        expect(on_copy.get_by_text("Copie de l’établissement CD MELUN")).to_be_visible()
        _shot(on_copy, "copie-accueil")
        on_copy.get_by_role("link", name="Émergence", exact=True).first.click()
        on_copy.get_by_role("link", name="CD MELUN", exact=True).click()
        on_copy.get_by_role("link", name="Émargement").first.click()
        first = on_copy.get_by_label("Présent(e)").first
        first.check(force=True)  # the design system draws the box on the label
        on_copy.get_by_role("button", name="Enregistrer l’émargement").click()
        expect(on_copy.get_by_text("Émargement enregistré", exact=False)).to_be_visible()
        on_copy.get_by_role("link", name="Synchronisation", exact=True).first.click()
        _shot(on_copy, "copie-synchronisation")
        with on_copy.expect_download() as download:
            on_copy.get_by_role("button", name="Préparer l’envoi").click()
        bundle = tmp_path / "cd-melun-envoi-1.tremplin-bundle"
        download.value.save_as(bundle)

    # Back at the centre: the bundle imported, the attendance there.
    at_centre.goto("/copies/")
    at_centre.get_by_label("Fichier de synchronisation").set_input_files(bundle)
    at_centre.get_by_role("button", name="Importer").click()
    expect(at_centre.get_by_text("Envoi n° 1 importé", exact=False)).to_be_visible()
    _shot(at_centre, "centre-copies")
    at_centre.get_by_role("link", name="Émergence", exact=True).first.click()
    at_centre.get_by_role("link", name="CD MELUN", exact=True).click()
    at_centre.get_by_role("link", name="Émargement").first.click()
    expect(at_centre.get_by_label("Présent(e)").first).to_be_checked()
