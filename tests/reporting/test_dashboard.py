from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tremplin.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["coordination", "coord-paris", "statistique"])
def test_coordinators_and_the_statistician_read_the_dashboard(
    client_as: Callable[[User], Client], username: str
) -> None:
    response = client_as(User.objects.get(username=username)).get("/rapports/?year=2019-2020")
    assert response.status_code == 200
    page = response.content.decode()
    for section in (
        "Chiffres clés",
        "Par direction interrégionale",
        "Évolution",
        "Résultats",
        "Suivi pédagogique",
        "Émergence",
    ):
        assert section in page
    assert "<svg" in page and "<table" in page


def test_the_statistician_sees_publication_mode_on_and_unchangeable(
    client_as: Callable[[User], Client],
) -> None:
    """The statistician always reads the published figures: the filter says so, where an
    unchecked, optional box offered a choice that changed nothing."""
    statistician = client_as(User.objects.get(username="statistique"))
    form = statistician.get("/rapports/?year=2019-2020").context["form"]
    box = str(form["publication"])
    assert "checked" in box and "disabled" in box
    label = form["publication"].as_field_group()
    assert "Toujours actif pour votre rôle" in label and "(Optionnel)" not in label
    # Asking for the exact figures changes nothing.
    asked = statistician.get("/rapports/?year=2019-2020&publication=").context["form"]
    assert asked.cleaned_data["publication"] is True

    coordinator = client_as(User.objects.get(username="coordination"))
    box = str(coordinator.get("/rapports/?year=2019-2020").context["form"]["publication"])
    assert "checked" not in box and "disabled" not in box


@pytest.mark.parametrize(
    "username", ["referent", "rle-melun", "enseignant", "conseil-ml", "centre-rennes"]
)
def test_other_roles_have_no_dashboard(client_as: Callable[[User], Client], username: str) -> None:
    client = client_as(User.objects.get(username=username))
    assert client.get("/rapports/").status_code == 403
    assert client.get("/rapports/export/csv/?year=2019-2020").status_code == 403


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("pdf", b"%PDF"), ("xlsx", b"PK"), ("json", b"{"), ("csv", "\ufeff".encode())],
)
def test_each_export_button_downloads_its_format(
    client_as: Callable[[User], Client], statistician: User, fmt: str, start: bytes
) -> None:
    response = client_as(statistician).get(
        f"/rapports/export/{fmt}/?year=2019-2020&disp=DISP+PARIS"
    )
    assert response.status_code == 200
    assert response.content.startswith(start)


def test_an_establishment_outside_the_chosen_disp_is_explained(
    client_as: Callable[[User], Client], statistician: User
) -> None:
    response = client_as(statistician).get(
        "/rapports/?year=2019-2020&disp=DISP+PARIS&establishment=MA+BREST"
    )
    assert response.status_code == 400
    assert "MA BREST n&#x27;est pas dans la DISP PARIS" in response.content.decode()
