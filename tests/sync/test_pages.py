"""The copies' pages: « Copies d'établissement » at the centre for the coordinations of the
establishment's scope, « Synchronisation » on a copy for its RLE and referents; on a copy the
header says so and what only the centre decides is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment
from tremplin.sync import bundle, crypto, services
from tremplin.sync.models import CENTRE, Conflict, Node, Peer
from tremplin.sync.selectors import forget_node

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
MANAGERS = {"coordination", "coord-paris"}


def user(name: str) -> User:
    return User.objects.get(username=name)


def test_only_the_coordinations_open_the_copies_and_on_their_establishments(
    client_as: Login, every_user: list[User]
) -> None:
    melun = services.create_site(Establishment.objects.get(label="CD MELUN")).peer
    elsewhere = Establishment.objects.exclude(disp__code="DISP PARIS").order_by("label").first()
    assert elsewhere is not None
    far = services.create_site(elsewhere).peer
    for who in every_user:
        client = client_as(who)
        expected = 200 if who.username in MANAGERS else 403
        assert client.get("/copies/").status_code == expected, who.username
        assert client.get(f"/copies/{melun.code}/").status_code == expected, who.username
        assert client.get("/synchronisation/").status_code == 403, who.username
    regional = client_as(user("coord-paris"))
    assert regional.get(f"/copies/{far.code}/").status_code == 403
    assert far.code not in regional.get("/copies/").content.decode()
    assert far.code in client_as(user("coordination")).get("/copies/").content.decode()


def test_a_coordinator_creates_a_copy_whose_code_is_shown_once_and_opens_its_file(
    client_as: Login,
) -> None:
    make_record("D26-0001", establishment="CD MELUN")
    client = client_as(user("coord-paris"))
    melun = Establishment.objects.get(label="CD MELUN")
    page = client.post("/copies/", {"establishment": melun.pk}).content.decode()
    peer = Peer.objects.get(establishment=melun)
    assert "Code d’installation, affiché une seule fois" in page
    code = page.split('id="code-installation">')[1].split("<")[0]
    download = client.get(f"/copies/{peer.code}/fichier/")
    assert download["Content-Disposition"] == f'attachment; filename="{peer.code}.tremplin-site"'
    payload = bundle.open_site(bundle.Envelope.parse(download.content), code)
    assert payload["site"]["establishment"] == "CD MELUN"
    with pytest.raises(crypto.Refused, match="le code d'installation ne correspond pas"):
        bundle.open_site(bundle.Envelope.parse(download.content), "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    # The code is never shown again; a second copy of the same establishment is refused.
    assert code not in client.get(f"/copies/{peer.code}/").content.decode()
    again = client.post("/copies/", {"establishment": melun.pk}).content.decode()
    assert "Sélectionnez un choix valide" in again


def test_a_bundle_uploaded_at_the_centre_is_applied_and_a_replay_says_why(
    client_as: Login, make_copy: Any, tmp_path: Path
) -> None:
    make_record("D26-0001", establishment="CD MELUN")
    peer, copy = make_copy()
    copy.python(
        "from datetime import date\n"
        "from tremplin.accounts.models import User\n"
        "from tremplin.followup.services import record_interview\n"
        "from tremplin.learners.models import Learner\n"
        "record_interview(Learner.objects.get(), on=date(2026, 11, 30), kind='training_followup',"
        " by=User.objects.get(username='rle-melun'), notes='Depuis la copie')\n"
    )
    sent = copy.export("b1.json")
    client = client_as(user("coordination"))
    with sent.open("rb") as upload:
        done = client.post("/copies/import/", {"bundle": upload}, follow=True)
    assert "Envoi n° 1 importé : 1 créés" in done.content.decode().replace("\xa0", " ")
    assert Interview.objects.filter(notes="Depuis la copie").exists()
    with sent.open("rb") as upload:
        again = client.post("/copies/import/", {"bundle": upload}, follow=True)
    assert "n° 1 a déjà été importé" in again.content.decode().replace("\xa0", " ")
    back = client.post(f"/copies/{peer.code}/envoi/")
    assert (
        back["Content-Disposition"]
        == f'attachment; filename="{peer.code}-retour-1.tremplin-bundle"'
    )
    (tmp_path / "r1.json").write_bytes(back.content)
    assert copy.import_(tmp_path / "r1.json").returncode == 0


def test_revoking_asks_first_then_refuses_the_keys_bundles(client_as: Login) -> None:
    peer = services.create_site(Establishment.objects.get(label="CD MELUN")).peer
    client = client_as(user("coord-paris"))
    confirm = client.get(f"/copies/{peer.code}/revoquer/").content.decode()
    assert "Révoquer la copie de CD MELUN" in confirm.replace("\xa0", " ")
    Peer.objects.get(pk=peer.pk).revoked_at is None  # noqa: B015 - nothing done by a GET
    client.post(f"/copies/{peer.code}/revoquer/")
    assert Peer.objects.get(pk=peer.pk).revoked_at is not None
    assert client.post(f"/copies/{peer.code}/envoi/", follow=True).status_code == 200
    assert Peer.objects.get(pk=peer.pk).sent_seq == 0


def test_conflicts_are_listed_and_marked_as_seen(client_as: Login) -> None:
    peer = services.create_site(Establishment.objects.get(label="CD MELUN")).peer
    conflict = Conflict.objects.create(
        peer=peer,
        seq=1,
        model="enrolment.enrolment",
        uid="c:1",
        field="grade",
        local="12.00",
        incoming="8.00",
        kept="8.00",
        rule="modifié des deux côtés",
    )
    client = client_as(user("coordination"))
    page = client.get(f"/copies/{peer.code}/").content.decode()
    assert "Inscription à une ue" in page and "12.00" in page and "8.00" in page
    client.post(f"/copies/{peer.code}/conflits/", {"conflict": [conflict.pk]})
    conflict.refresh_from_db()
    assert conflict.reviewed_by == user("coordination")


@pytest.fixture
def as_copy(db: None) -> Iterator[Node]:
    """This test database made an establishment copy of CD MELUN (for this test only)."""
    keys, centre = crypto.KeyPair.generate(), crypto.KeyPair.generate().public
    melun = Establishment.objects.get(label="CD MELUN")
    Peer.objects.create(
        code=CENTRE,
        establishment=melun,
        sign_public=centre.sign,
        box_public=centre.box,
        fingerprint=centre.fingerprint,
    )
    yield Node.objects.create(
        role=Node.Role.COPY,
        code="cd-melun",
        establishment=melun,
        sign_key=keys.sign,
        box_key=keys.box,
    )
    forget_node()  # the rollback sends no signal


def test_on_a_copy_the_header_says_so_and_what_the_centre_decides_is_refused(
    client_as: Login, as_copy: Node
) -> None:
    make_record("D26-0001", establishment="CD MELUN")
    learner = Learner.objects.get(reference="D26-0001")
    rle = client_as(user("rle-melun"))
    home = rle.get("/").content.decode().replace("\xa0", " ")
    assert (
        "Copie de l’établissement CD MELUN, pas encore synchronisée depuis son installation" in home
    )
    assert 'href="/synchronisation/"' in home and 'href="/copies/"' not in home
    refused = rle.post(f"/apprenants/{learner.pk}/transfert/", {})
    assert refused.status_code == 403
    assert "cette action se fait au centre" in refused.content.decode()
    page = rle.get("/synchronisation/")
    assert page.status_code == 200
    sent = rle.post("/synchronisation/envoi/")
    assert sent["Content-Disposition"] == 'attachment; filename="cd-melun-envoi-1.tremplin-bundle"'
    assert client_as(user("coordination")).get("/copies/").status_code == 403
