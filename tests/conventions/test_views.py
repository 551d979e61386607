"""The conventions pages: every demo role reads them; only the national coordinator edits (403
for everybody else); the progress is drawn without any style attribute."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.conventions.models import Convention, Objective
from tremplin.demo.conventions import load_conventions

pytestmark = pytest.mark.django_db

USERS = (
    "coordination",
    "coord-paris",
    "referent",
    "rle-melun",
    "conseil-ml",
    "centre-rennes",
    "enseignant",
    "statistique",
)
NOT_EDITORS = tuple(u for u in USERS if u != "coordination")
UNAVAILABLE = "disponible avec l’orientation des missions locales"


@pytest.fixture
def conventions(db: None) -> list[Convention]:
    load_conventions()
    return list(Convention.objects.all())


def unml(conventions: list[Convention]) -> Convention:
    return next(c for c in conventions if c.kind == "state_unml_cnam")


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


#: The roles of the action matrix's conventions.read (the navigation shows them the entry).
READERS = ("coordination", "coord-paris", "statistique")


@pytest.mark.parametrize("username", sorted(set(USERS) - set(READERS)))
def test_the_other_roles_are_refused_the_conventions(
    client_as: Callable[[User], Client], conventions: list[Convention], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    assert client.get(reverse("conventions:list")).status_code == 403
    assert client.get(reverse("conventions:detail", args=[conventions[0].pk])).status_code == 403


@pytest.mark.parametrize("username", READERS)
def test_the_coordinations_and_the_statistician_read_the_list_and_each_convention(
    client_as: Callable[[User], Client], conventions: list[Convention], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    html = page(client, reverse("conventions:list"))
    for convention in conventions:
        assert convention.title.replace("'", "&#x27;") in html
    assert "DISP PARIS" in html and "Tout le territoire national" in html
    assert "tr-progress-0" in html  # no demo history in the test database
    assert ("Nouvelle convention" in html) == (username == "coordination")
    for convention in conventions:
        detail = page(client, reverse("conventions:detail", args=[convention.pk]))
        assert ("Ajouter l’objectif" in detail) == (username == "coordination")
        assert ("Modifier la convention" in detail) == (username == "coordination")


def test_the_referrals_objective_counts_the_missions_locales_referrals(
    client_as: Callable[[User], Client], coordinator: User, conventions: list[Convention]
) -> None:
    client = client_as(coordinator)
    html = page(client, reverse("conventions:detail", args=[unml(conventions).pk]))
    assert "Orienter au moins 100 jeunes" in html
    assert "<strong>0 orientation</strong> sur une cible de 100" in html  # none in the test data
    assert "Non disponible" not in html


def test_the_progress_has_figures_in_text_and_no_style_attribute(
    client_as: Callable[[User], Client], coordinator: User, conventions: list[Convention]
) -> None:
    client = client_as(coordinator)
    html = page(client, reverse("conventions:list"))
    assert not re.search(r"\sstyle=", html)
    assert 'class="tr-progress" aria-hidden="true"' in html
    # Without the demo history every count is 0: written as such, singular.
    assert "0 établissement</strong> sur une cible de 25" in html
    assert "conventions/conventions.css" in html


@pytest.mark.parametrize("username", NOT_EDITORS)
def test_only_the_national_coordinator_edits(
    client_as: Callable[[User], Client], conventions: list[Convention], username: str
) -> None:
    client = client_as(User.objects.get(username=username))
    convention = conventions[0]
    objective = convention.objectives.first()
    assert objective is not None
    before = (Convention.objects.count(), Objective.objects.count())
    for url in (
        reverse("conventions:create"),
        reverse("conventions:edit", args=[convention.pk]),
        reverse("conventions:objective_edit", args=[convention.pk, objective.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "x"}).status_code == 403, url
    for url in (
        reverse("conventions:objective_add", args=[convention.pk]),
        reverse("conventions:objective_delete", args=[convention.pk, objective.pk]),
    ):
        assert client.post(url, {"label": "x"}).status_code == 403, url
    assert (Convention.objects.count(), Objective.objects.count()) == before


def test_anonymous_visitors_are_sent_to_the_login_page(
    client: Client, conventions: list[Convention]
) -> None:
    for url in (
        reverse("conventions:list"),
        reverse("conventions:detail", args=[conventions[0].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_convention_answers_404(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    assert (
        client_as(coordinator).get(reverse("conventions:detail", args=[999999])).status_code == 404
    )


def test_the_navigation_shows_conventions_to_coordinators_and_the_statistician(
    client_as: Callable[[User], Client],
) -> None:
    for username in USERS:
        html = page(client_as(User.objects.get(username=username)), reverse("site:home"))
        shown = f'href="{reverse("conventions:list")}"' in html
        assert shown == (username in {"coordination", "coord-paris", "statistique"}), username


def test_the_coordinator_creates_and_edits_a_convention(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    assert client.get(reverse("conventions:create")).status_code == 200
    data = {
        "title": "Convention Cnam Grand Est – UPR – DISP de Strasbourg",
        "kind": "regional_tripartite",
        "parties": "Cnam Grand Est\nUPR de Strasbourg\nDISP de Strasbourg",
        "signed_on": "2022-03-01",
        "ends_on": "2022-02-01",
        "scope": "establishments",
        "establishments": "mc ensisheim, CP METZ",
        "summary": "Essaimage dans le Grand Est.",
    }
    response = client.post(reverse("conventions:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "postérieure à la date de signature" in html and "<title>Erreur" in html
    assert not Convention.objects.exists()

    response = client.post(reverse("conventions:create"), {**data, "ends_on": ""})
    convention = Convention.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("conventions:detail", args=[convention.pk])
    assert convention.party_list == ["Cnam Grand Est", "UPR de Strasbourg", "DISP de Strasbourg"]
    assert sorted(e.label for e in convention.establishments.all()) == ["CP METZ", "MC ENSISHEIM"]

    edit = reverse("conventions:edit", args=[convention.pk])
    assert "MC ENSISHEIM" in page(client, edit)
    response = client.post(edit, {**data, "ends_on": "", "scope": "disps", "establishments": ""})
    assert response.status_code == 400
    assert "au moins une DISP" in response.content.decode()
    response = client.post(edit, {**data, "ends_on": "2024-12-31", "establishments": "CP METZ"})
    assert response.status_code == 302
    convention.refresh_from_db()
    assert [e.label for e in convention.establishments.all()] == ["CP METZ"]


def test_the_coordinator_adds_edits_and_deletes_objectives(
    client_as: Callable[[User], Client], coordinator: User, conventions: list[Convention]
) -> None:
    client = client_as(coordinator)
    convention = unml(conventions)
    add = reverse("conventions:objective_add", args=[convention.pk])
    data = {
        "label": "Au moins 30 jeunes inscrits",
        "indicator": "enrolled_learners",
        "target": "0",
        "academic_years": "2021-2022",
    }
    response = client.post(add, data)
    assert response.status_code == 400
    assert "strictement positif" in response.content.decode()
    response = client.post(add, {**data, "academic_years": ""})
    assert response.status_code == 400
    assert "les deux dates de la période" in response.content.decode()

    response = client.post(add, {**data, "target": "30", "academic_years": "2021-2022 à 2022-2023"})
    assert response.status_code == 302
    objective = convention.objectives.get(label="Au moins 30 jeunes inscrits")
    assert objective.period_label == "2021-2022 à 2022-2023"

    edit = reverse("conventions:objective_edit", args=[convention.pk, objective.pk])
    assert "2021-2022 à 2022-2023" in page(client, edit)
    response = client.post(
        edit,
        {
            "label": "Au moins 12,5 % d'UE validées",
            "indicator": "ue_validation_rate",
            "target": "12,5",
            "period_start": "2022-01-01",
            "period_end": "2022-12-31",
        },
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert str(objective.target) == "12.50" and objective.period_label.startswith("du 01/01/2022")

    response = client.post(
        reverse("conventions:objective_delete", args=[convention.pk, objective.pk])
    )
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()
    # An objective is reached only through its own convention.
    other = next(c for c in conventions if c.pk != convention.pk)
    first = other.objectives.first()
    assert first is not None
    wrong = reverse("conventions:objective_delete", args=[convention.pk, first.pk])
    assert client.post(wrong).status_code == 404
