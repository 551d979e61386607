"""The import page (/imports/): upload, preview without writing, confirm; rejected files; who may
import what."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import login_verified
from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.core.models import AuditEvent
from tremplin.learners.models import Learner, Placement

pytestmark = pytest.mark.django_db

URL = "/imports/"
LEARNERS = (
    "reference;last_name;first_name;birth_date;kind;establishment;mission_locale\n"
    "WEB-0001;Durand;Alice;12/04/1990;detained;CD MELUN;\n"
    "WEB-0002;Dupont;Bruno;1988-01-03;detained;CP FRESNES;\n"
)


@pytest.fixture(autouse=True)
def _pending_files_in_tmp(tmp_path: Path) -> Iterator[None]:
    """The page keeps the file between preview and confirmation under TREMPLIN_HOME."""
    with override_settings(TREMPLIN_HOME=tmp_path):
        yield


def user(username: str) -> User:
    return User.objects.get(username=username)


def upload(client: Client, kind: str, content: str | bytes) -> HttpResponse:
    data = content.encode("utf-8") if isinstance(content, str) else content
    response: HttpResponse = client.post(
        URL, {"kind": kind, "file": SimpleUploadedFile("fichier.csv", data, "text/csv")}
    )
    return response


def text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def token_of(response: HttpResponse) -> str:
    found = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert found, "the preview offers no confirmation"
    return found[1]


def messages_of(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def web_learners() -> list[str]:
    return list(
        Learner.objects.filter(reference__startswith="WEB-")
        .order_by("reference")
        .values_list("reference", flat=True)
    )


def test_the_url_of_the_import_page() -> None:
    assert reverse("site:import") == URL


def test_an_upload_shows_a_preview_and_writes_nothing(
    client_as: Callable[[User], Client], tmp_path: Path
) -> None:
    response = upload(client_as(user("coordination")), "learners", LEARNERS)
    assert response.status_code == 200
    page = text(response)
    assert "Aperçu : apprenants" in page
    assert "2 lignes valides : 2 créations, 0 mises à jour, 0 inchangées." in re.sub(
        r"<[^>]+>", "", page
    )
    assert "Confirmer l’import" in page
    assert web_learners() == []
    assert not AuditEvent.objects.filter(action="import").exists()
    assert len(list((tmp_path / "imports").iterdir())) == 1


def test_confirming_the_preview_writes_the_file_and_audits_it(
    client_as: Callable[[User], Client], tmp_path: Path
) -> None:
    client = client_as(user("coordination"))
    token = token_of(upload(client, "learners", LEARNERS))
    response = client.post(URL, {"token": token}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert messages_of(response) == [
        "Import des apprenants : 2 ligne(s) lue(s) : 2 création(s), 0 mise(s) à jour, "
        "0 ligne(s) inchangée(s). L'import a été enregistré."
    ]
    assert web_learners() == ["WEB-0001", "WEB-0002"]
    assert Placement.objects.filter(learner__reference__startswith="WEB-").count() == 2
    event = AuditEvent.objects.get(action="import")
    assert (event.username, event.model, event.ip) == (
        "coordination",
        "core.AuditEvent",
        "127.0.0.1",
    )
    assert event.summary.startswith("learners : 2 ligne(s) lue(s) : 2 création(s)")
    assert list((tmp_path / "imports").iterdir()) == []  # the pending file is gone


def test_a_preview_cannot_be_confirmed_twice(client_as: Callable[[User], Client]) -> None:
    client = client_as(user("coordination"))
    token = token_of(upload(client, "learners", LEARNERS))
    client.post(URL, {"token": token}, follow=True)
    response = client.post(URL, {"token": token}, follow=True)
    assert messages_of(response) == ["Cet aperçu a expiré : déposez le fichier à nouveau."]
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_an_unknown_token_writes_nothing(client_as: Callable[[User], Client]) -> None:
    response = client_as(user("coordination")).post(URL, {"token": "../../etc/passwd"}, follow=True)
    assert messages_of(response) == ["Cet aperçu a expiré : déposez le fichier à nouveau."]


def test_another_users_preview_cannot_be_confirmed(client: Client) -> None:
    login_verified(client, user("coordination"))
    token = token_of(upload(client, "learners", LEARNERS))
    other = login_verified(Client(), user("coord-paris"))
    response = other.post(URL, {"token": token}, follow=True)
    assert messages_of(response) == ["Cet aperçu a expiré : déposez le fichier à nouveau."]
    assert web_learners() == []


def test_a_file_already_imported_has_nothing_to_confirm(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(user("coordination"))
    client.post(URL, {"token": token_of(upload(client, "learners", LEARNERS))})
    page = text(upload(client, "learners", LEARNERS))
    assert "Rien à changer : les données sont déjà à jour." in page
    assert 'name="token"' not in page


def test_a_rejected_file_shows_every_error_and_writes_nothing(
    client_as: Callable[[User], Client], tmp_path: Path
) -> None:
    content = (
        "reference,last_name,first_name,birth_date,kind,establishment,mission_locale\n"
        "WEB-0001,Durand,Alice,1990-04-12,detained,CD MELUN,\n"
        "WEB-0002,Dupont,Bruno,31/02/1988,detained,CP FRESNES,\n"
        "WEB-0003,Le Goff,Erwan,2005-02-01,youth,CD MELUN,DEMO-ML-STMALO\n"
        "WEB-0004,Roux,Paul,1980-06-01,detained,CP NULLE PART,\n"
    )
    response = upload(client_as(user("coordination")), "learners", content)
    assert response.status_code == 400
    page = text(response)
    assert "Fichier refusé : aucune donnée n’a été modifiée" in page
    assert "3 erreurs à corriger" in page
    for error in (
        "ligne 3, colonne « birth_date » : « 31/02/1988 » n'est pas une date "
        "(AAAA-MM-JJ ou JJ/MM/AAAA).",
        "ligne 4, colonne « establishment » : doit rester vide pour un jeune.",
        "ligne 5, colonne « establishment » : établissement inconnu : « CP NULLE PART ».",
    ):
        assert f"<li>{error}</li>" in page
    assert 'name="token"' not in page
    assert web_learners() == []
    assert not (tmp_path / "imports").exists() or not list((tmp_path / "imports").iterdir())


def test_a_file_in_an_unknown_encoding_is_rejected_on_the_page(
    client_as: Callable[[User], Client],
) -> None:
    response = upload(client_as(user("coordination")), "learners", LEARNERS.encode() + b"\x81\n")
    assert response.status_code == 400
    assert "encodage non reconnu (octet 0x81" in text(response)
    assert web_learners() == []


def test_a_referent_imports_into_their_scope_only(client_as: Callable[[User], Client]) -> None:
    content = LEARNERS + "WEB-0003;Loin;Yves;1980-01-01;detained;MA ST MALO;\n"
    response = upload(client_as(user("referent")), "learners", content)
    assert response.status_code == 400
    assert (
        "<li>ligne 4, colonne « establishment » : établissement hors de votre périmètre : "
        "« MA ST MALO ».</li>" in text(response)
    )
    assert web_learners() == []


def test_a_referent_previews_and_confirms_learners_of_their_establishments(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(user("referent"))
    client.post(URL, {"token": token_of(upload(client, "learners", LEARNERS))})
    assert web_learners() == ["WEB-0001", "WEB-0002"]
    assert AuditEvent.objects.get(action="import").username == "referent"


def test_a_teacher_may_import_results_only(client_as: Callable[[User], Client]) -> None:
    client = client_as(user("enseignant"))
    page = client.get(URL)
    assert page.status_code == 200
    assert 'value="enrollments"' in page.content.decode()
    assert 'value="learners"' not in page.content.decode()
    upload(client, "learners", LEARNERS)
    assert web_learners() == []


@pytest.mark.parametrize("username", ["statistique", "centre-rennes"])
def test_a_role_without_import_rights_gets_403(
    client_as: Callable[[User], Client], username: str
) -> None:
    client = client_as(user(username))
    assert client.get(URL).status_code == 403
    assert upload(client, "learners", LEARNERS).status_code == 403
    assert web_learners() == []


def offered(client: Client) -> list[str]:
    page = client.get(URL).content.decode()
    select = re.search(r'<select name="kind".*?</select>', page, re.S)
    assert select, "the page offers no kind of file"
    return re.findall(r'<option value="([^"]+)"', select[0])


@pytest.mark.parametrize(
    ("username", "kinds"),
    [
        (
            "coordination",
            [
                "centre-offers",
                "centres",
                "enrollments",
                "interviews",
                "learners",
                "missions-locales",
                "movements",
                "referrals",
                "teaching-units",
                "youth-profiles",
            ],
        ),
        (
            "coord-paris",
            ["enrollments", "interviews", "learners", "movements", "youth-profiles"],
        ),
        ("referent", ["enrollments", "interviews", "learners", "movements"]),
        ("rle-melun", ["enrollments", "learners", "movements"]),
        ("conseil-ml", ["learners", "referrals", "youth-profiles"]),
    ],
)
def test_each_role_is_offered_the_kinds_of_file_it_may_import(
    client_as: Callable[[User], Client], username: str, kinds: list[str]
) -> None:
    assert offered(client_as(user(username))) == kinds


def test_the_teaching_units_kind_is_not_offered_to_a_referent_nor_accepted_from_one(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(user("referent"))
    assert "teaching-units" not in offered(client)
    content = "code,title,ects,modality,sector\nNFE299,Réseaux,6,distance,Informatique\n"
    response = upload(client, "teaching-units", content)
    assert response.status_code == 200
    assert 'name="token"' not in response.content.decode()
    assert "Aperçu" not in text(response)
    assert not TeachingUnit.objects.filter(code="NFE299").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]
