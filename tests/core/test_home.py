"""Every role's home page shows its work to do, with counts, and links every item it lists."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.enrolment.test_results import enrolment, learner, user
from tremplin.accounts.models import User

pytestmark = pytest.mark.django_db


def home(client: Client) -> str:
    return client.get(reverse("site:home")).content.decode()


def card(page: str, title: str) -> str:
    """The HTML of one card of the home page, from its title to the next card."""
    start = page.index(f'<h2 class="fr-card__title">{title}</h2>')
    end = page.find('<div class="fr-col-12', start)
    return page[start : end if end != -1 else None]


def test_the_teacher_finds_every_ue_linked_and_each_grid_to_fill_with_its_count(
    client_as: Callable[[User], Client],
) -> None:
    teacher = user("enseignant")
    enrolment(learner("TR-0001", "Abel"), "CCG101")
    enrolment(learner("TR-0002", "Blanc"), "CCG101")
    enrolment(learner("TR-0003", "Caron"), "CCG103")
    page = home(client_as(teacher))
    units = card(page, "Vos unités d&#x27;enseignement")
    taught = list(teacher.teaching_units.order_by("code"))
    assert len(taught) > 6
    for unit in taught:  # every UE listed is a link (none listed without one)
        assert f'href="{reverse("catalog:unit", args=[unit.code])}"' in units
    grids = card(page, "Grilles de résultats à compléter")
    assert "3 résultats en attente dans 2 grilles." in grids
    assert f'href="{reverse("enrolment:grid", args=["CCG101", "2025-2026"])}"' in grids
    assert "CCG101 2025-2026 : 2 résultats à saisir" in grids
    assert "CCG103 2025-2026 : 1 résultat à saisir" in grids


def test_the_referent_finds_every_establishment_linked(
    client_as: Callable[[User], Client],
) -> None:
    referent = user("referent")
    page = card(home(client_as(referent)), "Vos établissements")
    mine = list(referent.establishments.all())
    assert mine
    for establishment in mine:
        assert f'href="{reverse("places:establishment", args=[establishment.pk])}"' in page


@pytest.mark.parametrize(
    ("username", "titles"),
    [
        ("centre-rennes", ["Jeunes à contacter", "Reprises de formation"]),
        ("conseil-ml", ["Orientations en attente"]),
        ("statistique", ["Chiffres à publier"]),
        ("rle-melun", ["Examens de la semaine", "Candidatures", "Suivi"]),
        ("referent", ["Examens de la semaine", "Candidatures", "Suivi"]),
        ("coordination", ["Examens de la semaine", "Certifications", "Candidatures"]),
    ],
)
def test_each_roles_home_shows_its_work_with_counts(
    client_as: Callable[[User], Client], username: str, titles: list[str]
) -> None:
    page = home(client_as(user(username)))
    for title in titles:
        body = card(page, title)
        assert re.search(r"\d|Aucune", body), f"{title}: no count"
        assert 'href="' in body, f"{title}: no link to the work"


def test_the_learners_count_is_written_with_french_thousands(
    client_as: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tremplin.site.selectors as home_selectors

    monkeypatch.setattr(home_selectors, "stamped_count", lambda queryset: 50971)
    body = card(home(client_as(user("coordination"))), "Apprenants")
    assert "50\u202f971 dossiers dans votre périmètre." in body
