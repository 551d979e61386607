"""Build the light static files of the first page: the DSFR components and utility rules Tremplin
uses, and Latin subsets of the Marianne typeface.

The State's design system ships all its components (60 KB of CSS once compressed, with a layer
for Internet Explorer 11), every icon and colour utility (458 KB of CSS) and fonts covering many
scripts (41 KB per weight). On a 400 kbit/s link these dominate the first page. This tool keeps:

- of the design system's main style sheet (its build without the Internet Explorer layer), every
  rule of the components Tremplin uses, whole: a component is kept with all its elements,
  modifiers and states (`fr-collapse` keeps `fr-collapse--expanded`, which the design system's
  script adds), and a component is in use when its class appears in Tremplin's sources, in the
  design system's templates Tremplin renders (its form fields and widgets) or among the names
  the design system's script builds its classes from;
- the utility rules whose classes appear in Tremplin's templates, Python and the design system's
  own templates and scripts;
- the Marianne faces subset to Latin-1 plus French typographic punctuation, with the usual
  layout features (kerning, ligatures, accents' placement).

Run it again after upgrading django-dsfr or using a new component or icon class
(tests/core/test_static_subsets.py fails until you do):

    .venv/bin/python tools/build_static_subsets.py
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tremplin" / "core" / "static" / "core"
CSS_OUT = OUT_DIR / "dsfr-utility.css"
CORE_OUT = OUT_DIR / "dsfr.css"
# Same paths as the design system's fonts: STATICFILES_DIRS is searched before the apps.
FONTS_OUT = ROOT / "tremplin" / "static_overrides" / "dsfr" / "dist" / "fonts"

# Latin-1, the French ligatures and Ÿ, the typographic spaces, dashes, quotes, ellipsis,
# guillemets, the euro and the minus sign.
UNICODES = (
    "U+0020-007E,U+00A0-00FF,U+0152-0153,U+0178,U+02C6,U+02DA,U+02DC,U+2009-200A,"
    "U+2010-2014,U+2018-201E,U+2022,U+2026,U+202F,U+2030,U+2039-203A,U+20AC,U+2122,U+2212"
)
FACES = ("Light", "Regular", "Medium", "Bold")
CLASS_TOKEN = re.compile(r"fr-[a-zA-Z0-9_-]+")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
# What of django-dsfr renders Tremplin's pages: its form snippet, fields and widgets (forms go
# through Django's template renderer), the favicon and the script tags, and the modules
# Tremplin's forms import (the classes they give the widgets; tests/core/test_static_subsets.py
# checks the list against Tremplin's imports). The others (tiles, cards, …) are not rendered,
# and their classes would keep components nobody uses.
RENDERED_DSFR_TEMPLATES = (
    "templates/dsfr/form_snippet.html",
    "templates/dsfr/form_field_snippets/**/*.html",
    "templates/dsfr/widgets/**/*.html",
    "templates/django/**/*.html",
    "templates/dsfr/favicon.html",
    "templates/dsfr/global_js.html",
    "forms.py",
    "utils.py",
)
CUSTOM_PROPERTY = re.compile(r"--[A-Za-z0-9_-]+")
PROPERTY_DECLARATION = re.compile(r"(--[A-Za-z0-9_-]+)\s*:[^;{}]*(?:;|(?=}))")
VAR_READ = re.compile(r"var\((--[A-Za-z0-9_-]+)")
# A class under `:not(…)` is not required for the rule to apply.
NEGATION = re.compile(r":not\([^()]*\)")
SCRIPT_NAME = re.compile(r"[\"'`]([a-z][a-z0-9_-]*)[\"'`]")


def dist_dir(package: Path) -> Path:
    return package / "static" / "dsfr" / "dist"


def dsfr_dir() -> Path:
    import dsfr

    return Path(dsfr.__file__).resolve().parent


def used_classes() -> set[str]:
    """Every `fr-…` token of Tremplin's sources and of the design system's templates and JS."""
    sources = tremplin_sources()
    package = dsfr_dir()
    sources.extend(package.glob("templates/**/*.html"))
    sources.extend(package.glob("static/dsfr/dist/dsfr.module.min.js"))
    sources.extend(package.glob("static/dsfr/dist/dsfr/dsfr.module.min.js"))
    tokens: set[str] = set()
    for path in sources:
        tokens.update(CLASS_TOKEN.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return tokens


def tremplin_sources() -> list[Path]:
    sources: list[Path] = []
    for pattern in ("**/*.html", "**/*.py", "**/*.js", "**/*.txt"):
        sources.extend(
            path for path in (ROOT / "tremplin").glob(pattern) if path not in (CSS_OUT, CORE_OUT)
        )
    return sources


def component(name: str) -> str:
    """`fr-header__brand` and `fr-header--dark` belong to `fr-header`."""
    return re.split("__|--", name)[0]


def used_components() -> tuple[set[str], tuple[str, ...]]:
    """The components in use, and the prefixes of classes built by Tremplin's templates
    (`fr-alert--{{ level }}`), whose every completion is kept."""
    package = dsfr_dir()
    sources = tremplin_sources()
    for pattern in RENDERED_DSFR_TEMPLATES:
        sources.extend(package.glob(pattern))
    tokens: set[str] = set()
    for path in sources:
        tokens.update(CLASS_TOKEN.findall(path.read_text(encoding="utf-8", errors="ignore")))
    written = {component(token) for token in tokens if not token.endswith("-")}
    # The script builds the classes it adds from bare names (`ns("collapse")`,
    # `"table--no-scroll"`): every name-like string of it counts, which may keep a little more
    # than needed but never less. The script only enhances the components it finds on the page,
    # so the name of a component package Tremplin does not write (`fr-tile`, `fr-tabs`) keeps
    # nothing.
    script = (dist_dir(package) / "dsfr" / "dsfr.module.min.js").read_text(encoding="utf-8")
    names = set(CLASS_TOKEN.findall(script)) | {
        f"fr-{name}" for name in SCRIPT_NAME.findall(script)
    }
    packages = {path.name for path in (dist_dir(package) / "component").iterdir() if path.is_dir()}
    unused = {f"fr-{name}{plural}" for name in packages for plural in ("", "s")} - written
    prefixes = tuple(sorted(token for token in tokens | names if token.endswith("-")))
    scripted = {component(name) for name in names if not name.endswith("-")} - unused
    return written | scripted, prefixes


def fixed_light_scheme() -> bool:
    """Tremplin's pages are always light (`data-fr-scheme="light"`, no display settings):
    the design system's dark theme (`[data-fr-theme=dark]`) never applies."""
    base = (ROOT / "tremplin" / "templates" / "base.html").read_text(encoding="utf-8")
    return 'data-fr-scheme="light"' in base and "fr-display" not in base


def declaration_unless(names: set[str], match: re.Match[str]) -> str:
    return "" if match.group(1) in names else match.group(0)


def without_unused_properties(css: str, elsewhere: str) -> str:
    """The custom properties (`--text-default-grey: …`) no kept rule, style sheet, template or
    script reads, until none is left."""
    read_elsewhere = set(CUSTOM_PROPERTY.findall(elsewhere))
    while True:
        defined = {match.group(1) for match in PROPERTY_DECLARATION.finditer(css)}
        unused = defined - read_elsewhere - set(VAR_READ.findall(css))
        if not unused:
            return css
        css = PROPERTY_DECLARATION.sub(partial(declaration_unless, unused), css)


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses, brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def blocks(css: str) -> Iterator[tuple[str, str]]:
    """(prelude, body) of each top-level block; comments dropped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    i, n = 0, len(css)
    while i < n:
        open_at = css.find("{", i)
        if open_at < 0:
            return
        depth, j, quote = 1, open_at + 1, ""
        while j < n and depth:
            char = css[j]
            if quote:
                if char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            j += 1
        yield css[i:open_at].strip(), css[open_at + 1 : j - 1]
        i = j


def keep_rules(
    css: str, used: Callable[[str], bool], applies: Callable[[str], bool] = bool
) -> Iterable[str]:
    """The rules with the selectors whose every class is `used` and that `applies`; at-rules
    kept, their rules filtered alike."""
    for prelude, body in blocks(css):
        if prelude.startswith("@"):
            if prelude.startswith(("@media", "@supports")):
                inner = "".join(keep_rules(body, used, applies))
                if inner:
                    yield f"{prelude}{{{inner}}}"
            else:
                yield f"{prelude}{{{body}}}"
            continue
        selectors = [
            s.strip()
            for s in split_top(prelude, ",")
            if applies(s)
            and all(used(name) for name in SELECTOR_CLASS.findall(NEGATION.sub("", s)))
        ]
        if selectors:
            yield f"{','.join(selectors)}{{{body}}}"


def from_core_dir(css: str) -> str:
    """The design system's files point at its icons and fonts relative to their own folder
    under dist/: from core/ the same files are under ../dsfr/dist/."""
    return re.sub(r"url\((['\"]?)\.\./", r"url(\1../dsfr/dist/", css)


def readers() -> list[Path]:
    """What may read the design system's custom properties besides its own rules: Tremplin's
    sources and style sheets, django-dsfr's style sheets and the design system's script (the
    generated utility rules are added by the caller)."""
    package = dsfr_dir()
    paths = tremplin_sources()
    paths.extend(
        path for path in (ROOT / "tremplin").glob("**/*.css") if path not in (CSS_OUT, CORE_OUT)
    )
    paths.extend((package / "static" / "css").glob("*.css"))
    paths.append(dist_dir(package) / "dsfr" / "dsfr.module.min.js")
    return paths


def core_css() -> str:
    package = dsfr_dir()
    css = (dist_dir(package) / "dsfr" / "dsfr.main.min.css").read_text(encoding="utf-8")
    css = css.replace('@charset "UTF-8";', "", 1)  # written once, by the header
    components, prefixes = used_components()

    def used(name: str) -> bool:
        return (
            not name.startswith("fr-") or component(name) in components or name.startswith(prefixes)
        )

    light = fixed_light_scheme()  # base.html read once, not for each selector

    def applies(selector: str) -> bool:
        return not (light and "[data-fr-theme=dark]" in selector)

    kept = "".join(keep_rules(css, used, applies))
    elsewhere = "".join(path.read_text(encoding="utf-8", errors="ignore") for path in readers())
    elsewhere += utility_css()
    kept = without_unused_properties(kept, elsewhere)
    header = (
        '@charset "UTF-8";\n/* Generated by tools/build_static_subsets.py from django-dsfr\'s '
        "dsfr.main.min.css (DSFR, MIT licence): the components Tremplin uses, in its light "
        "theme. */\n"
    )
    return header + from_core_dir(kept) + "\n"


def inline_icons(css: str, folder: Path) -> str:
    """The icons' SVG files written into the rules that use them (`data:` URLs): a page's icons
    no longer wait for the style sheet to arrive before being asked for, one round trip each on
    a slow link, for a few hundred bytes each once compressed."""

    def data_url(match: re.Match[str]) -> str:
        svg = re.sub(r">\s+<", "><", (folder / match.group(2)).read_text(encoding="utf-8").strip())
        return f'url("data:image/svg+xml,{quote(svg, safe=" =:/;,")}")'

    return re.sub(r"url\((['\"]?)\.\./(icons/[^)'\"]+\.svg)\1\)", data_url, css)


def utility_css() -> str:
    folder = dsfr_dir() / "static" / "dsfr" / "dist"
    css = (folder / "utility" / "utility.min.css").read_text(encoding="utf-8")
    classes = used_classes()
    kept = inline_icons("".join(keep_rules(css, classes.__contains__)), folder)
    header = (
        "/* Generated by tools/build_static_subsets.py from django-dsfr's utility.min.css "
        "(DSFR, MIT licence): the rules Tremplin uses, their icons inlined. */\n"
    )
    return header + from_core_dir(kept) + "\n"


def build_fonts() -> None:
    from fontTools import subset

    FONTS_OUT.mkdir(parents=True, exist_ok=True)
    source_dir = dsfr_dir() / "static" / "dsfr" / "dist" / "fonts"
    for face in FACES:
        for suffix in ("", "_Italic"):
            name = f"Marianne-{face}{suffix}"
            subset.main(
                [
                    str(source_dir / f"{name}.woff2"),
                    f"--unicodes={UNICODES}",
                    "--flavor=woff2",
                    f"--output-file={FONTS_OUT / f'{name}.woff2'}",
                ]
            )


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    CORE_OUT.write_text(core_css(), encoding="utf-8")
    CSS_OUT.write_text(utility_css(), encoding="utf-8")
    build_fonts()
    for css in (CORE_OUT, CSS_OUT):
        print(f"{css.relative_to(ROOT)}: {css.stat().st_size} octets")
    for path in sorted(FONTS_OUT.glob("*.woff2")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
