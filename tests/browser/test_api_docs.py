"""The API's pages in the browser: a token created on its page, the documentation page drawn by
Swagger UI from Tremplin's own files under the strict content security policy."""

from __future__ import annotations

import re
import urllib.request

import pytest

from .conftest import PASSWORD, login

pytestmark = pytest.mark.browser


def test_a_user_creates_a_token_and_reads_the_documentation_offline(
    page: object, server_url: str
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))  # type: ignore[attr-defined]
    login(page, "statistique")
    page.get_by_role("link", name="Mon compte").click()  # type: ignore[attr-defined]
    page.get_by_role("link", name="Jetons d'accès à l'API").click()  # type: ignore[attr-defined]
    page.get_by_label("Nom du jeton").fill("Tableur des statistiques")  # type: ignore[attr-defined]
    page.get_by_label("Votre mot de passe").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Créer le jeton").click()  # type: ignore[attr-defined]
    secret = page.locator("#jeton").inner_text()  # type: ignore[attr-defined]
    assert re.fullmatch(r"trm_[\w-]{40,}", secret)
    call = urllib.request.Request(  # noqa: S310 - loopback
        f"{server_url}/api/v1/bilan/2019-2020/", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(call, timeout=10) as answer:  # noqa: S310 - loopback
        assert answer.status == 200

    page.goto("/api/docs/")  # type: ignore[attr-defined]
    page.get_by_text("/api/v1/learners/", exact=True).first.wait_for(timeout=15_000)  # type: ignore[attr-defined]
    assert all(url.startswith(server_url) for url in requested), requested
    assert not [p for p in problems if "Content Security Policy" in p], problems
