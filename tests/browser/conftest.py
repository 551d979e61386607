"""Browser tests: the real production server (`tremplin serve`) on loopback, with its own freshly
loaded database, driven by Playwright through Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.installations import Installation

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Tremplin-demo-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files collected once (hashed and compressed: about 40 s), shared by every
    server of the session through a link in its TREMPLIN_HOME."""
    home = tmp_path_factory.mktemp("static-home")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TREMPLIN_HOME"] = str(home)
    subprocess.run(
        [sys.executable, "-m", "tremplin.cli", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        capture_output=True,
    )
    return home / "static"


def share_static(home: Path, collected: Path) -> None:
    (home / "static").symlink_to(collected, target_is_directory=True)


@contextmanager
def serve(home: Path, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """`tremplin serve` on a free loopback port for this installation: its address, once it
    answers; stopped on leaving."""
    port = _free_port()
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tremplin.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/sante/", timeout=1):  # noqa: S310 - loopback
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("tremplin serve did not answer: " + (home / "server.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@dataclass(frozen=True)
class DemoServer:
    """The session's server: its address, its TREMPLIN_HOME and the environment of its commands
    (its database: the embedded one, or a throwaway PostgreSQL one)."""

    url: str
    home: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def demo_server(
    tmp_path_factory: pytest.TempPathFactory, collected_static: Path, demo_home: Installation
) -> Iterator[DemoServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make system-deps`.")
    home = tmp_path_factory.mktemp("tremplin-server") / "home"
    with demo_home.copy(home, f"tremplin_browser_{os.getpid()}") as env:
        share_static(home, collected_static)
        with serve(home, env) as url:
            yield DemoServer(url, home, env)


@pytest.fixture(scope="session")
def server_url(demo_server: DemoServer) -> str:
    return demo_server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, server_url: str) -> Iterator[object]:
    context = browser.new_context(base_url=server_url, locale="fr-FR", accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


#: The time step (30 s) of the last code used per account: the server refuses a code twice.
_last_step: dict[str, int] = {}


def totp_code(username: str) -> str:
    """The demo account's code, computed with django-otp from the documented demo secret: the
    current step's, or a later one within the server's tolerance (one step) when this account
    already used it; waits for the next step when even that one is taken."""
    from tremplin.accounts.twofactor import current_code
    from tremplin.demo.accounts import DEMO_TOTP_KEY

    now = time.time()
    current = int(now // 30)
    step = max(current, _last_step.get(username, current - 1) + 1)
    if step > current + 1:
        time.sleep((step - 1) * 30 - now + 0.5)
        now = time.time()
        current = int(now // 30)
    _last_step[username] = step
    return current_code(DEMO_TOTP_KEY, at=step * 30 + 1)


#: Each account's cookies after its first login of the test session on a server. The server
#: refuses a two-factor code twice, so a third login of an account within a minute had to wait
#: for the next step (up to 30 s, about 40 s a run in all): a later test of the same account on
#: the same server starts from that signed-in session instead (and logs in again if it ended).
_signed_in: dict[tuple[str, str], list[Any]] = {}


def login(page: object, username: str, *, fresh: bool = False) -> None:
    """Log in through the real pages: password, then the two-factor code when the account has
    one (every demo account but the statistician). Once per account, server and test session
    unless `fresh` (a test of the login itself): a later call opens the home page with that
    login's session."""
    page.goto("/connexion/")  # type: ignore[attr-defined]
    key = (urlparse(page.url).netloc, username)  # type: ignore[attr-defined]
    if key in _signed_in and not fresh:
        page.context.add_cookies(_signed_in[key])  # type: ignore[attr-defined]
        page.goto("/")  # type: ignore[attr-defined]
        if "/connexion/" not in page.url:  # type: ignore[attr-defined]
            return
        page.context.clear_cookies()  # type: ignore[attr-defined]
        page.goto("/connexion/")  # type: ignore[attr-defined]
    page.get_by_label("Identifiant").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Mot de passe").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Se connecter").click()  # type: ignore[attr-defined]
    if "/double-authentification/" in page.url:  # type: ignore[attr-defined]
        page.get_by_label("Code").fill(totp_code(username))  # type: ignore[attr-defined]
        page.get_by_role("button", name="Vérifier").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    if not any(step in page.url for step in ("/connexion/", "/double-authentification/")):  # type: ignore[attr-defined]
        _signed_in[key] = page.context.cookies()  # type: ignore[attr-defined]
