"""Every page, for every role: anonymous visitors are sent to the login page, signed-in users
read what their role allows, and only catalogue editors reach the editing pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tremplin.accounts.models import User
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

PUBLIC = {"accounts:login", "core:health", "site:sources", "site:accessibility", "site:privacy"}
EDITOR_ONLY = {
    "catalog:unit_create",
    "catalog:unit_edit",
    "catalog:formation_create",
    "catalog:formation_edit",
    "catalog:edition_edit",
}
POST_ONLY = {
    "accounts:logout",
    "catalog:sector_create",
    "catalog:edition_create",
    "catalog:edition_add_offers",
    "catalog:edition_withdraw_offer",
    "catalog:edition_publish",
    "catalog:edition_copy",
}


def named_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, str]]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from named_patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name, str(entry.pattern)


def sample_url(name: str) -> str:
    from django.urls import reverse

    samples: dict[str, list[object]] = {
        "places:establishment": [Establishment.objects.get(label="CD MELUN").pk],
        "catalog:unit": ["CFA120"],
        "catalog:unit_edit": ["CFA120"],
        "catalog:formation": ["DIE3100"],
        "catalog:formation_edit": ["DIE3100"],
        "catalog:edition": ["2020-2021"],
        "catalog:edition_pdf": ["2020-2021"],
        "catalog:edition_lheo": ["2020-2021"],
        "catalog:edition_edit": ["2021-2022"],
        "catalog:edition_add_offers": ["2021-2022"],
        "catalog:edition_withdraw_offer": ["2021-2022", "unit", 1],
        "catalog:edition_publish": ["2021-2022"],
        "catalog:edition_copy": ["2021-2022"],
    }
    return reverse(name, args=samples.get(name, []))


@pytest.fixture(autouse=True)
def _organisme_configured(settings: Any) -> None:
    """The LHEO download answers its document once the Cnam's numbers are configured."""
    from tests.catalog.test_lheo import ORGANISME

    settings.TREMPLIN_ORGANISME = ORGANISME


REFERENCE_NAMESPACES = {"core", "accounts", "places", "catalog"}
PERSONAL = {"core:audit", "site:import", "site:import-template"}  # in the access matrix


def reference_patterns() -> Iterator[tuple[str, str]]:
    for name, pattern in named_patterns():
        if name.split(":")[0] in REFERENCE_NAMESPACES and name not in PERSONAL:
            yield name, pattern


def test_every_named_page_is_covered_by_this_test() -> None:
    names = {name for name, _ in reference_patterns()}
    assert "places:map" in names and "catalog:edition_pdf" in names
    for name in names:
        sample_url(name)  # raises if the test does not know how to build it


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    for name, _ in reference_patterns():
        if name in PUBLIC:
            continue
        response = client.get(sample_url(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/connexion/"), name


def test_every_role_reads_every_page_its_role_allows(
    client_as: Callable[[User], Client], every_user: list[User]
) -> None:
    assert len({u.role for u in every_user}) == 8
    for user in every_user:
        client = client_as(user)
        for name, _ in reference_patterns():
            if name in POST_ONLY or name in PUBLIC:
                continue
            response = client.get(sample_url(name))
            expected = 200 if name not in EDITOR_ONLY or user.can_edit_catalogue else 403
            assert response.status_code == expected, (user.username, name)


def test_post_only_actions_refuse_a_get(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    for name in POST_ONLY - {"accounts:logout"}:
        assert client.get(sample_url(name)).status_code == 405, name


def test_login_with_a_wrong_password_is_refused(client: Client) -> None:
    response = client.post("/connexion/", {"username": "referent", "password": "mauvais"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_login_then_home_shows_the_role(client: Client) -> None:
    from tremplin.demo.accounts import demo_code

    response = client.post(
        "/connexion/", {"username": "rle-melun", "password": "Tremplin-demo-2026"}, follow=True
    )
    assert "Double authentification" in response.content.decode()
    response = client.post(
        "/compte/double-authentification/verification/",
        {"code": demo_code("rle-melun"), "next": "/"},
        follow=True,
    )
    page = response.content.decode()
    assert "Votre établissement" in page
    assert "CD MELUN" in page


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("coordination", "Administration"),
        ("coord-paris", "DISP PARIS : 17 établissements"),
        ("referent", "Vos établissements"),
        ("conseil-ml", "Mission locale du Pays de Saint-Malo"),
        ("centre-rennes", "Cnam Bretagne"),
        ("enseignant", "Vos unités d&#x27;enseignement"),
        ("statistique", "186 établissements pénitentiaires"),
    ],
)
def test_each_role_has_its_own_home_page(
    client_as: Callable[[User], Client], username: str, expected: str
) -> None:
    page = client_as(User.objects.get(username=username)).get("/").content.decode()
    assert expected in page


def test_the_establishment_list_filters_by_disp_and_type(
    client_as: Callable[[User], Client], referent: User
) -> None:
    client = client_as(referent)
    paris = Establishment.objects.get(label="CD MELUN").disp_id
    page = client.get(f"/lieux/etablissements/?disp={paris}&type=CD").content.decode()
    assert "CD MELUN" in page
    assert "CP FRESNES" not in page
    assert "MA BREST" not in page


def test_the_establishment_list_searches_by_commune(
    client_as: Callable[[User], Client], referent: User
) -> None:
    page = client_as(referent).get("/lieux/etablissements/?q=Chauconin").content.decode()
    assert "CP MEAUX CHAUCONIN NEUFMONTIERS" in page
    assert "1 établissement" in page


def test_the_map_draws_establishments_and_centres(
    client_as: Callable[[User], Client], referent: User
) -> None:
    page = client_as(referent).get("/lieux/carte/").content.decode()
    assert "<svg" in page
    assert "CD MELUN" in page
    assert "Cnam Bretagne (démo)" in page
    assert "CP NOUMEA" in page  # listed outside the map: no coordinates


def test_the_establishment_list_filters_by_whether_learners_are_placed_there(
    client_as: Callable[[User], Client], referent: User
) -> None:
    from tests.personal_world import make_record

    make_record("T-HAS-0001", establishment="MA BREST")
    client = client_as(referent)
    with_learners = client.get("/lieux/etablissements/?has_learners=oui").content.decode()
    without = client.get("/lieux/etablissements/?has_learners=non").content.decode()
    assert "MA BREST" in with_learners and "CD MELUN" not in with_learners
    assert "MA BREST" not in without and "CD MELUN" in without


def test_pages_are_sent_compressed_to_browsers_that_accept_it(
    client_as: Callable[[User], Client], referent: User
) -> None:
    import gzip

    plain = client_as(referent).get("/")
    compressed = client_as(referent).get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    body = gzip.decompress(compressed.content).decode()
    assert "Vos établissements" in body
    assert len(compressed.content) < len(plain.content) / 2
