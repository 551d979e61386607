"""`collectstatic` leaves out the design system's unused files (tremplin/core/staticfiles.py), and
nothing a page or a style sheet names is among them."""

from __future__ import annotations

import re
from pathlib import Path

import dsfr
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from dsfr.constants import DsfrStaticAssets
from whitenoise.compress import Compressor

import tremplin

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")
CSS_URL = re.compile(r"""url\(\s*['"]?(?!data:|https?:|#)([^'")?#]+)""")


def collected() -> set[str]:
    """The paths `collectstatic` gathers: every finder's files, less the ignored patterns."""
    patterns = apps.get_app_config("staticfiles").ignore_patterns
    return {path for finder in finders.get_finders() for path, _ in finder.list(patterns)}


def templates() -> list[Path]:
    """Tremplin's templates and the design system's (some are rendered by its tags)."""
    roots = [Path(tremplin.__file__).parent, Path(dsfr.__file__).parent / "templates"]
    return [path for root in roots for path in root.rglob("*.html")]


def test_every_static_file_a_template_names_is_collected() -> None:
    kept = collected()
    named = {
        (path.name, name)
        for path in templates()
        for name in STATIC_TAG.findall(path.read_text(encoding="utf-8"))
    }
    assert len(named) > 20
    missing = sorted(f"{template}: {name}" for template, name in named if name not in kept)
    assert missing == []


def test_the_design_system_scripts_its_tag_names_are_collected() -> None:
    kept = collected()
    assert DsfrStaticAssets.DSFR_MODULE_JS in kept
    assert DsfrStaticAssets.DSFR_NOMODULE_JS in kept


def test_every_file_the_style_sheets_name_is_collected() -> None:
    kept = collected()
    sheets = [name for name in kept if name.startswith("core/") and name.endswith(".css")]
    assert "core/dsfr.css" in sheets
    missing = []
    urls = 0
    for sheet in sheets:
        css = Path(finders.find(sheet)).read_text(encoding="utf-8")
        for url in CSS_URL.findall(css):
            urls += 1
            target = str(Path("/", sheet).parent.joinpath(url).resolve())[1:]
            if target not in kept:
                missing.append(f"{sheet}: {url}")
    assert urls > 100
    assert missing == []


def test_the_unused_parts_of_the_design_system_are_left_out() -> None:
    kept = collected()
    design_system = [name for name in kept if name.startswith("dsfr/")]
    # 3,500 files in the package's distribution; the fonts, favicons, theme pictures, scripts
    # and the seven icon families core/dsfr.css names are kept.
    assert 100 < len(design_system) < 1500
    assert not any(name.startswith("dsfr/dist/component/") for name in design_system)
    assert not any(name.endswith(".md") for name in kept)
    assert "dsfr/dist/fonts/Marianne-Regular.woff2" in kept
    assert "dsfr/dist/icons/system/check-line.svg" in kept


def test_the_pages_files_are_compressed_but_not_the_source_maps() -> None:
    compressor = Compressor(extensions=settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS)
    assert compressor.should_compress("core/tremplin.4f1c2a9b7e01.css")
    assert compressor.should_compress("dsfr/dist/dsfr/dsfr.module.min.0a1b2c3d4e5f.js")
    assert not compressor.should_compress("swagger-ui-dist/swagger-ui-bundle.js.0a1b2c3d4e5f.map")
    assert not compressor.should_compress("dsfr/dist/fonts/Marianne-Regular.woff2")
