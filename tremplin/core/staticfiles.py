"""Which static files `collectstatic` gathers.

The design system's package ships its whole distribution (3,500 files, 61 MB once hashed and
compressed): every component's own style sheet and script, the legacy builds, 1,900 icons,
the pictograms. Tremplin's pages read their own subsets (`core/dsfr.css`,
`core/dsfr-utility.css`, tools/build_static_subsets.py) and, from the distribution, only the
fonts, the favicons, the three theme pictures, the design system's scripts and the icons that
`core/dsfr.css` names. The rest is left out of the collection: `collectstatic` took about a
minute (100 s of CPU) to hash and compress it for every installation and every test run.

Left out by name, so that a page or a style sheet naming a file left out fails loudly:
`collectstatic` refuses a style sheet whose `url()` names a missing file, and
tests/core/test_staticfiles.py checks every `{% static %}` of the templates.
"""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig

DIST = "dsfr/dist"

#: The icon families that `core/dsfr.css` does not name.
UNUSED_ICON_FAMILIES = (
    "buildings",
    "communication",
    "design",
    "development",
    "device",
    "document",
    "editor",
    "finance",
    "health",
    "map",
    "others",
)

IGNORED = [
    "*.md",
    # Each component's files, the core, the layout, the schemes, the utility classes, the legacy
    # builds, the analytics module: all inside the bundles (and Tremplin's subsets of them).
    *(
        f"{DIST}/{part}/*"
        for part in ("analytics", "component", "core", "layout", "legacy", "scheme", "utility")
    ),
    f"{DIST}/dsfr.*",  # the bundles at the root (the kept scripts are in dist/dsfr/)
    f"{DIST}/dsfr/*.css",  # the whole style sheet: core/dsfr.css is Tremplin's subset
    f"{DIST}/artwork/pictograms/*",
    f"{DIST}/artwork/background/*",
    *(f"{DIST}/icons/{family}/*" for family in UNUSED_ICON_FAMILIES),
]


class StaticFiles(StaticFilesConfig):
    """django.contrib.staticfiles, with the design system's unused files left out."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, *IGNORED]
