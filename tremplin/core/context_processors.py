from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


_NAVIGATION = (
    ("Accueil", "core:home", ""),
    ("Établissements", "places:establishments", "/lieux/etablissements"),
    ("Carte", "places:map", "/lieux/carte"),
    ("Centres et missions locales", "places:partners", "/lieux/partenaires"),
    ("Catalogue", "catalog:index", "/catalogue"),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    if not request.user.is_authenticated:
        return {"navigation": []}
    path = request.path
    items = []
    for label, name, prefix in _NAVIGATION:
        url = reverse(name)
        active = path.startswith(prefix) if prefix else path == url
        items.append(NavItem(label, url, active))
    return {"navigation": items}
