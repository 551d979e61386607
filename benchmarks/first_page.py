"""The first page on a slow link: Chromium's network throttling (400 kbit/s each way, 400 ms
latency) against `tremplin serve` on loopback. Cold: a new browser profile (nothing cached);
warm: the same page again (static files cached: hashed names, far-future, immutable). Time to
the `load` event and bytes transferred, for the login page and, signed in, the home page.

    python benchmarks/first_page.py [--existing]

Targets: under 3 s cold, under 1 s warm. Needs Debian's chromium (make system-deps).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, emit, setup

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LINK = {"latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
COLD_TARGET_S, WARM_TARGET_S = 3.0, 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    tremplin = [sys.executable, "-m", "tremplin.cli"]
    subprocess.run([*tremplin, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [*tremplin, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{url}/sante/", timeout=1):  # noqa: S310 - loopback
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        raise RuntimeError("tremplin serve did not answer")
    warm_up(url)
    return server, url


def warm_up(url: str) -> None:
    """Each worker's first page compiles its templates (0.15 s): a server that has just started
    is not what "cold" measures (the browser's empty cache), so every worker answers the login
    page once before."""

    def ask(_: int) -> None:
        with urllib.request.urlopen(f"{url}/connexion/", timeout=10):  # noqa: S310 - loopback
            pass

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(ask, range(12)))


def load(page: Any, url: str) -> tuple[float, int]:
    """Seconds to the load event, and bytes transferred (document and resources)."""
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    seconds = time.perf_counter() - started
    if os.environ.get("TREMPLIN_BENCH_VERBOSE"):
        for name, size in page.evaluate(
            "() => performance.getEntries().filter(e => 'transferSize' in e)"
            ".map(e => [e.name, e.transferSize])"
        ):
            print(f"  {size / 1024:6.1f} KB  {name}")
    transferred = page.evaluate(
        "() => performance.getEntries().filter(e => 'transferSize' in e)"
        ".reduce((n, e) => n + e.transferSize, 0)"
    )
    return seconds, int(transferred)


def sign_in(page: Any, url: str) -> None:
    from tremplin.accounts.twofactor import current_code
    from tremplin.demo.accounts import DEMO_TOTP_KEY

    page.goto(f"{url}/connexion/")
    page.get_by_label("Identifiant").fill("referent")
    page.get_by_label("Mot de passe").fill("Tremplin-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/double-authentification/**")
    page.get_by_label("Code").fill(current_code(DEMO_TOTP_KEY))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state("load")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="serve the database there")
    args = parser.parse_args()
    setup(args.existing)
    if not args.existing:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("demo", "load")
    from playwright.sync_api import sync_playwright

    server, url = serve(dict(os.environ))
    results: list[tuple[str, float, int]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = browser.new_context(locale="fr-FR")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **LINK})
            results.append(("login page, cold", *load(page, f"{url}/connexion/")))
            results.append(("login page, warm", *load(page, f"{url}/connexion/")))
            sign_in(page, url)
            results.append(("referent's home page, warm", *load(page, f"{url}/")))
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)

    for what, seconds, size in results:
        target = COLD_TARGET_S if "cold" in what else WARM_TARGET_S
        emit(
            f"First page on 400 kbit/s and 400 ms latency: {what}",
            seconds,
            "s",
            ratio=f"{size / 1024:.0f} KB transferred",
            target=f"< {target:.0f} s",
            met=seconds < target,
            why=f"{size / 1024:.0f} KB at 50 KB/s, plus a 400 ms round trip per request chain",
        )


if __name__ == "__main__":
    main()
