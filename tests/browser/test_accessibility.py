"""Accessibility measured in the browser: axe-core (WCAG 2.1 A and AA, best practices) over every
page of the navigation of every role, and what axe cannot see: the header at 1024 px and up and
on a phone, the « Menu » skip link on a phone, the key actions of a wide table on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from playwright.sync_api import Page, expect

from .conftest import login

pytestmark = pytest.mark.browser

#: axe-core itself, from the pinned axe-playwright-python wheel (nothing fetched at run time).
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
ROLES = (
    "coordination",
    "coord-paris",
    "referent",
    "rle-melun",
    "enseignant",
    "conseil-ml",
    "centre-rennes",
    "statistique",
)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is, one line each."""
    page.evaluate(AXE_SCRIPT)
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def navigation_links(page: Page) -> list[str]:
    hrefs = page.locator("#navigation-principale a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return list(dict.fromkeys(hrefs))


def marianne_is_whole(page: Page) -> bool:
    """The « République française » block is not cut: its text fits in its box."""
    return bool(
        page.evaluate(
            """() => {
              const top = document.querySelector('.fr-header__brand-top');
              const logo = document.querySelector('.fr-logo');
              const a = top.getBoundingClientRect(), b = logo.getBoundingClientRect();
              return b.left >= a.left - 1 && b.right <= a.right + 1
                && logo.scrollWidth <= logo.clientWidth + 1;
            }"""
        )
    )


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_a_roles_navigation_has_no_serious_accessibility_violation(
    page: Page, username: str
) -> None:
    login(page, username)
    for width in (1024, 1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/")
        assert marianne_is_whole(page), f"{username}: the Marianne block is cut at {width} px"
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto("/")
    pages = navigation_links(page)
    assert pages, f"{username} has no navigation"
    found = {}
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("load")
        violations = serious_violations(page)
        if violations:
            found[url] = violations
    assert not found, f"{username}: {found}"


def test_on_a_phone_the_menu_skip_link_opens_the_menu_and_focuses_its_first_link(
    page: Page,
) -> None:
    login(page, "referent")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/suivi/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".fr-skiplinks a", has_text="Menu")).to_be_focused()
    page.keyboard.press("Enter")
    first = page.locator("#navigation-principale a").first
    expect(first).to_be_visible()
    expect(first).to_be_focused()


def test_on_a_phone_a_wide_table_says_it_scrolls_and_the_keyboard_reaches_it(page: Page) -> None:
    login(page, "conseil-ml")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/orientation/jeunes/")
    table = page.locator(".tr-table-wide").first
    expect(table).to_have_attribute("tabindex", "0")
    expect(table).to_have_attribute("role", "region")
    expect(page.locator(".tr-scroll-hint").first).to_be_visible()
    assert serious_violations(page) == []


def test_on_a_phone_the_counselor_reaches_the_orienter_button_and_the_distance(
    page: Page,
) -> None:
    login(page, "conseil-ml")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/orientation/jeunes/")
    page.locator("main a[href^='/orientation/jeunes/']").filter(has_text=re.compile(r"\w")).nth(
        1
    ).click()
    button = page.get_by_role("button", name=re.compile("^Orienter")).first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    distance = page.locator("td", has_text=re.compile(r"\d km$")).first
    distance_box = distance.bounding_box()
    assert distance_box is not None and distance_box["x"] + distance_box["width"] <= 360
