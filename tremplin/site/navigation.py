from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from tremplin.accounts.twofactor import must_verify
from tremplin.core.actions import Action, roles_for
from tremplin.core.registry import on_copy
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of

R = Role
ALL = frozenset(Role.values)
PERSONAL = ALL - {R.STATISTICIAN, R.TEACHER, R.CENTRE_STAFF}
COORDINATION = frozenset({R.NATIONAL_COORDINATOR, R.REGIONAL_COORDINATOR})
#: Entries of an establishment copy only, and of the centre only (docs/sync.md).
COPY_ONLY = frozenset({"sync:copy"})
CENTRE_ONLY = frozenset({"sync:sites", "site:import", "conventions:list", "core:audit"})


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def importing_roles() -> frozenset[str]:
    """The roles that may run at least one import (each importer declares its own)."""
    from tremplin.core.registry import importers

    return frozenset().union(*(cls.roles for cls in importers().values()))


# (label, url name, path prefix that makes it active, roles that see it, or how to know them)
_NAVIGATION: tuple[tuple[str, str, str, frozenset[str] | Callable[[], frozenset[str]]], ...] = (
    ("Accueil", "site:home", "", ALL),
    ("Apprenants", "learners:list", "/apprenants", PERSONAL),
    ("Suivi", "followup:caseload", "/suivi", roles_for(Action.READ_CASELOAD)),
    (
        "Candidatures",
        "enrolment:applications",
        "/candidatures",
        roles_for(Action.READ_APPLICATIONS),
    ),
    ("Résultats", "enrolment:grids", "/resultats", roles_for(Action.ENTER_RESULTS)),
    (
        "Certifications",
        "enrolment:certifications",
        "/certifications",
        roles_for(Action.READ_CERTIFICATIONS),
    ),
    ("Émergence", "emergence:cohorts", "/emergence", COORDINATION | {R.REFERENT, R.RLE}),
    ("Supports et examens", "delivery:index", "/supports", COORDINATION | {R.REFERENT, R.RLE}),
    (
        "Reprises de formation",
        "delivery:handovers",
        "/reprises",
        roles_for(Action.READ_HANDOVERS),
    ),
    ("Jeunes", "orientation:young_people", "/orientation/jeunes", frozenset({R.ML_COUNSELOR})),
    (
        "Orientations",
        "orientation:referrals",
        "/orientation",
        COORDINATION | {R.ML_COUNSELOR, R.CENTRE_STAFF},
    ),
    ("Bilan chiffré", "reporting:dashboard", "/rapports", COORDINATION | {R.STATISTICIAN}),
    ("Établissements", "places:establishments", "/lieux/etablissements", ALL),
    ("Carte", "places:map", "/lieux/carte", ALL),
    ("Catalogue", "catalog:index", "/catalogue", ALL),
    ("Conventions", "conventions:list", "/conventions", roles_for(Action.READ_CONVENTIONS)),
    ("Imports", "site:import", "/imports", importing_roles),
    ("Copies d'établissement", "sync:sites", "/copies", roles_for(Action.MANAGE_COPIES)),
    ("Synchronisation", "sync:copy", "/synchronisation", roles_for(Action.SYNC_COPY)),
    ("Journal d'audit", "core:audit", "/journal", frozenset({R.NATIONAL_COORDINATOR})),
    ("Comptes", "security:users", "/compte/comptes", frozenset({R.NATIONAL_COORDINATOR})),
)


@lru_cache(maxsize=256)
def _address(name: str, prefix: str, urlconf: str) -> str:
    """An entry's address, reversed once per script prefix and URL configuration (about a
    tenth of a millisecond each, twenty entries on every page)."""
    return reverse(name, urlconf=urlconf)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)  # absent on errors raised before authentication
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    # Before the second factor, no menu: each of its entries led back to the code's page (an
    # error page rendered before the second factor's middleware ran keeps the menu).
    if hasattr(user, "is_verified") and must_verify(user):
        return {"navigation": []}
    scope = scope_of(user)
    path = request.path
    copy = on_copy()
    script, urlconf = get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)
    shown = [
        (label, _address(name, script, urlconf), prefix)
        for label, name, prefix, roles in _NAVIGATION
        if (scope.everything or scope.role in (roles() if callable(roles) else roles))
        and (name not in COPY_ONLY or copy)
        and (name not in CENTRE_ONLY or not copy)
    ]
    # The longest matching prefix wins: /orientation/jeunes is "Jeunes", not "Orientations".
    matching = [prefix for _, url, prefix in shown if prefix and path.startswith(prefix)]
    current = max(matching, key=len, default=None)
    return {
        "navigation": [
            NavItem(label, url, prefix == current if prefix else path == url)
            for label, url, prefix in shown
        ]
    }
