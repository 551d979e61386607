"""The light static files of the first page are current and complete.

tools/build_static_subsets.py keeps only the design system's utility rules that Tremplin uses and
Latin subsets of Marianne; a new icon class in a template without rebuilding would make the icon
silently vanish, and a character missing from the fonts would fall back to another typeface.
"""

from __future__ import annotations

import importlib.util
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
