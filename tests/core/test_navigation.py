"""The navigation shows exactly what the views allow: for every role, a menu entry is shown if
and only if its page opens for that role (never a link to a refusal, never a page reachable
only by typing its address)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.site.navigation import _NAVIGATION

pytestmark = pytest.mark.django_db

#: What a page that opens answers (a list with one record may lead to it).
OPENS = {200, 302}


@pytest.mark.parametrize(
    "username",
    [
        "coordination",
        "coord-paris",
        "referent",
        "rle-melun",
        "conseil-ml",
        "centre-rennes",
        "enseignant",
        "statistique",
    ],
)
def test_the_navigation_shows_exactly_the_pages_a_role_may_open(
    username: str, client_as: Callable[[User], Client]
) -> None:
    client = client_as(User.objects.get(username=username))
    home = client.get(reverse("site:home"))
    shown = {item.url for item in home.context["navigation"]}
    mismatches = []
    for label, name, _, _ in _NAVIGATION:
        url = reverse(name)
        status = client.get(url).status_code
        opens = status in OPENS
        if opens != (url in shown):
            mismatches.append(f"{label} ({url}): {status}, {'shown' if url in shown else 'hidden'}")
    assert mismatches == []
