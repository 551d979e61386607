"""The light static files of the first page are current and complete.

tools/build_static_subsets.py keeps only the design system's components and utility rules that
Tremplin uses and Latin subsets of Marianne; a new component or icon class in a template without
rebuilding would make it silently lose its style, and a character missing from the fonts would
fall back to another typeface.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_static_subsets", ROOT / "tools" / "build_static_subsets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_utility_subset_is_what_the_sources_need_today() -> None:
    tool = load_tool()
    committed = tool.CSS_OUT.read_text(encoding="utf-8")
    assert committed == tool.utility_css(), (
        "core/dsfr-utility.css is out of date: run tools/build_static_subsets.py"
    )


def selectors(tool: ModuleType, css: str) -> Iterator[str]:
    for prelude, body in tool.blocks(css):
        if prelude.startswith(("@media", "@supports")):
            yield from selectors(tool, body)
        elif not prelude.startswith("@"):
            yield from (selector.strip() for selector in tool.split_top(prelude, ","))


def test_the_committed_components_are_what_the_sources_need_today() -> None:
    tool = load_tool()
    committed = tool.CORE_OUT.read_text(encoding="utf-8")
    assert committed == tool.core_css(), (
        "core/dsfr.css is out of date: run tools/build_static_subsets.py"
    )


def test_every_design_system_class_tremplin_writes_keeps_its_rules() -> None:
    tool = load_tool()
    main = design_system_main(tool)
    kept = tool.CORE_OUT.read_text(encoding="utf-8")
    tokens: set[str] = set()
    for path in tool.tremplin_sources():
        tokens.update(tool.CLASS_TOKEN.findall(path.read_text(encoding="utf-8", errors="ignore")))
    defined = {token for token in tokens if f".{token}" in main}
    assert {"fr-header", "fr-btn", "fr-table", "fr-input", "fr-badge"} <= defined
    # Every selector of the design system made only of classes Tremplin writes is kept.
    written = [
        selector
        for selector in selectors(tool, main)
        if (names := tool.SELECTOR_CLASS.findall(selector))
        and all(name in tokens for name in names)
        and "[data-fr-theme=dark]" not in selector  # pages always light: test below
    ]
    assert len(written) > 500
    lost = sorted(selector for selector in written if selector not in kept)
    assert lost == []


def test_every_django_dsfr_module_tremplin_imports_is_scanned_for_its_classes() -> None:
    tool = load_tool()
    imported = {
        module
        for path in ROOT.glob("tremplin/**/*.py")
        for module in re.findall(r"from dsfr\.(\w+) import", path.read_text(encoding="utf-8"))
    }
    assert imported, "no import of django-dsfr found: the scan is broken"
    assert {f"{module}.py" for module in imported} <= set(tool.RENDERED_DSFR_TEMPLATES)


def test_a_state_the_design_system_script_adds_keeps_its_rules() -> None:
    """`fr-collapse--expanded` appears in no template: the script adds it when a menu opens."""
    kept = load_tool().CORE_OUT.read_text(encoding="utf-8")
    assert ".fr-collapse--expanded" in kept
    assert ".fr-modal--opened" in kept


def test_the_components_nobody_uses_and_the_internet_explorer_layer_are_left_out() -> None:
    tool = load_tool()
    kept = tool.CORE_OUT.read_text(encoding="utf-8")
    for unused in (".fr-follow", ".fr-consent-banner", ".fr-connect", ".fr-quote", ".fr-share"):
        assert unused not in kept
    assert "min-width:0\\0" not in kept  # the design system's Internet Explorer 11 layer
    assert "forced-colors:active" in kept  # high-contrast modes stay
    assert "url(../dsfr/dist/fonts/Marianne-Regular.woff2)" in kept


def test_the_dark_theme_is_left_out_only_while_every_page_is_light() -> None:
    tool = load_tool()
    kept = tool.CORE_OUT.read_text(encoding="utf-8")
    assert tool.fixed_light_scheme(), "base.html offers another scheme: keep the dark theme"
    assert "[data-fr-theme=dark]" not in kept


def design_system_main(tool: ModuleType) -> str:
    path = tool.dsfr_dir() / "static" / "dsfr" / "dist" / "dsfr" / "dsfr.main.min.css"
    return str(path.read_text(encoding="utf-8"))


def defined_properties(tool: ModuleType, css: str) -> set[str]:
    return {match.group(1) for match in tool.PROPERTY_DECLARATION.finditer(css)}


def test_every_custom_property_a_kept_rule_reads_is_still_defined() -> None:
    tool = load_tool()
    kept = tool.CORE_OUT.read_text(encoding="utf-8")
    defined_before, defined_now = (
        defined_properties(tool, design_system_main(tool)),
        defined_properties(tool, kept),
    )
    read = set(tool.VAR_READ.findall(kept))
    assert "--text-default-grey" in read
    assert sorted((read & defined_before) - defined_now) == []
    assert len(defined_now) < len(defined_before)


def test_every_custom_property_tremplin_reads_is_still_defined() -> None:
    """Tremplin's own style sheets (`.tr-figure` reads `--text-title-blue-france`), the utility
    rules and django-dsfr's overrides read the design system's colours."""
    tool = load_tool()
    kept = tool.CORE_OUT.read_text(encoding="utf-8")
    defined_before, defined_now = (
        defined_properties(tool, design_system_main(tool)),
        defined_properties(tool, kept),
    )
    sheets = [*ROOT.glob("tremplin/**/*.css"), *(tool.dsfr_dir() / "static" / "css").glob("*.css")]
    read = {
        name
        for sheet in sheets
        if sheet != tool.CORE_OUT
        for name in tool.VAR_READ.findall(sheet.read_text(encoding="utf-8"))
    }
    assert {"--text-title-blue-france", "--background-alt-grey"} <= read
    assert sorted((read & defined_before) - defined_now) == []


def test_the_utility_icons_are_inlined() -> None:
    css = load_tool().CSS_OUT.read_text(encoding="utf-8")
    assert ".fr-icon-lock-line:before" in css
    assert "icons/" not in css
    assert css.count("data:image/svg+xml,") >= 20


def test_every_icon_class_used_by_tremplin_has_its_rule() -> None:
    tool = load_tool()
    css = tool.CSS_OUT.read_text(encoding="utf-8")
    icons = {token for token in tool.used_classes() if token.startswith("fr-icon-")}
    utility = (
        tool.dsfr_dir() / "static" / "dsfr" / "dist" / "utility" / "utility.min.css"
    ).read_text(encoding="utf-8")
    defined = {icon for icon in icons if f".{icon}:" in utility}
    assert defined, "no icon found: the scan of the sources is broken"
    missing = sorted(icon for icon in defined if f".{icon}:" not in css)
    assert missing == []


def test_the_page_links_the_subset_and_not_the_whole_utility_file(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/connexion/").content.decode()
    assert "core/dsfr-utility" in html
    assert "utility.min.css" not in html
    assert "core/dsfr." in html and "dsfr.min.css" not in html
    assert "{#" not in html and "{%" not in html


def test_the_latin_fonts_cover_french_text_and_its_typography() -> None:
    tool = load_tool()
    needed = "àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛÜŸŒÆ«»’–—…€\u202f\u00a0"
    originals = tool.dsfr_dir() / "static" / "dsfr" / "dist" / "fonts"
    subsets = sorted(tool.FONTS_OUT.glob("Marianne-*.woff2"))
    assert len(subsets) == 8
    for path in subsets:
        cmap = TTFont(path).getBestCmap()
        original = TTFont(originals / path.name).getBestCmap()
        # What the State's typeface itself covers (it has no narrow no-break space, U+202F:
        # browsers take that one from the fallback font either way).
        absent = [char for char in needed if ord(char) in original and ord(char) not in cmap]
        assert absent == [], f"{path.name} lacks {absent}"
        assert ord("é") in cmap and ord("«") in cmap
        assert path.stat().st_size < (originals / path.name).stat().st_size * 0.6


def test_the_served_fonts_are_the_subsets() -> None:
    from django.contrib.staticfiles import finders

    tool = load_tool()
    found = finders.find("dsfr/dist/fonts/Marianne-Regular.woff2")
    assert found is not None
    assert Path(str(found)).resolve() == (tool.FONTS_OUT / "Marianne-Regular.woff2").resolve()


def test_the_login_page_does_not_wait_for_the_design_system_script_but_fetches_it_ahead(
    client,  # type: ignore[no-untyped-def]
) -> None:
    from django.urls import reverse

    login = client.get("/connexion/").content.decode()
    assert 'type="module"' not in login
    assert 'rel="prefetch"' in login and "dsfr.module.min" in login
    assert "core/tremplin" in login  # the error summary's focus stays
    other = client.get(reverse("site:accessibility")).content.decode()
    assert 'type="module"' in other and "dsfr.module.min" in other
