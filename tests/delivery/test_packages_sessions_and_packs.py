"""The packages of a UE (national coordination), the editing of an exam session and its
candidates, and the per-learner offline pack."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.core.models import AuditEvent
from tremplin.delivery import exams, services
from tremplin.delivery.models import Delivery, ExamRegistration, ExamSession
from tremplin.delivery.models import MaterialPackage as Package
from tremplin.enrolment.models import Result

from .test_delivery import FRESNES, MELUN, at, detained, enrol, packages, place, rle, today, user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny file standing for a booklet\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdftotext(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    found = shutil.which("pdftotext")
    assert found, "pdftotext (poppler-utils) is missing: run `make system-deps`."
    done = subprocess.run(
        [found, "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def teacher() -> User:
    return User.objects.get(username="enseignant")


def upload(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def events(model: str, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model=model, action=action).order_by("pk"))


# --------------------------------------------------------------------------------------------
# Packages of a UE
# --------------------------------------------------------------------------------------------


def test_the_national_coordinator_creates_edits_and_deletes_a_package(
    client_as: Callable[[User], Client],
) -> None:
    client = client_as(user("coordination"))
    unit = TeachingUnit.objects.get(code="CCG101")
    listing = client.get(reverse("delivery:packages")).content.decode()
    assert "CCG101" in listing
    assert "Supports de cours par UE" in client.get(reverse("delivery:index")).content.decode()

    response = client.post(
        reverse("delivery:package_create", args=["CCG101"]),
        {"title": "Livret n° 1", "kind": "booklet", "position": "1", "file": upload("l1.pdf")},
    )
    assert response.status_code == 302
    package = Package.objects.get(unit=unit, title="Livret n° 1")
    assert package.file.read() == PDF
    assert events("delivery.MaterialPackage", "create")[-1].object_id == str(package.pk)

    response = client.post(
        reverse("delivery:package_edit", args=["CCG101", package.pk]),
        {"title": "Livret n° 1 (2e édition)", "kind": "booklet", "position": "2"},
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.title, package.position, package.file.read()) == (
        "Livret n° 1 (2e édition)",
        2,
        PDF,
    )  # no new file: the old one stays
    client.post(
        reverse("delivery:package_edit", args=["CCG101", package.pk]),
        {"title": package.title, "kind": "booklet", "position": "2", "clear_file": "on"},
    )
    package.refresh_from_db()
    assert not package.file
    page = client.get(reverse("delivery:unit_packages", args=["CCG101"])).content.decode()
    assert "Livret n° 1 (2e édition)" in page and "Modifier" in page

    response = client.post(reverse("delivery:package_delete", args=["CCG101", package.pk]))
    assert response.status_code == 302
    assert not Package.objects.filter(pk=package.pk).exists()
    assert "supprimé" in events("delivery.MaterialPackage", "update")[-1].summary


def test_it_refuses_to_delete_a_package_already_sent(
    client_as: Callable[[User], Client],
) -> None:
    enrol(detained("PK-1"), "CCG101")
    kit = packages("CCG101")
    services.send_packages(place(MELUN), kit["booklet"].unit, [kit["booklet"]], on=today(), by=None)
    client = client_as(user("coordination"))
    url = reverse("delivery:package_delete", args=["CCG101", kit["booklet"].pk])
    assert "ne peut pas être supprimé" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400
    assert "déjà été envoyé (1 remise)" in response.content.decode()
    assert Package.objects.filter(pk=kit["booklet"].pk).exists()


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("cours.exe", 10, "« cours.exe » n’est pas d’un format accepté (.exe)"),
        ("script.pdf.sh", 10, "n’est pas d’un format accepté (.sh)"),
        ("LIVRET", 10, "le nom n’a pas d’extension"),
        ("video.mp4", 20 * 1024 * 1024 + 1, "« video.mp4 » pèse 20,0 Mo : un support ne peut"),
    ],
)
def test_it_refuses_a_file_of_an_unsafe_kind_or_over_20_mo(
    client_as: Callable[[User], Client], name: str, size: int, message: str
) -> None:
    client = client_as(user("coordination"))
    response = client.post(
        reverse("delivery:package_create", args=["CCG101"]),
        {"title": "Vidéo", "kind": "media", "position": "1", "file": upload(name, b"x" * size)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le formulaire contient" in page and message in page
    assert not Package.objects.filter(unit__code="CCG101").exists()


def test_it_refuses_a_second_package_of_the_same_title_in_a_unit(
    client_as: Callable[[User], Client],
) -> None:
    packages("CCG101")
    client = client_as(user("coordination"))
    response = client.post(
        reverse("delivery:package_create", args=["CCG101"]),
        {"title": "devoir ccg101", "kind": "assignment", "position": "9"},
    )
    assert response.status_code == 400
    assert "L&#x27;UE CCG101 a déjà un support intitulé" in response.content.decode()
    response = client.post(
        reverse("delivery:package_create", args=["CCG101"]),
        {"title": "", "kind": "nothing", "position": "-1"},
    )
    assert response.status_code == 400


def test_logistics_roles_read_the_packages_and_only_the_national_coordinator_changes_them(
    client_as: Callable[[User], Client],
) -> None:
    kit = packages("CCG101")
    client = client_as(user("rle-melun"))
    page = client.get(reverse("delivery:unit_packages", args=["CCG101"])).content.decode()
    assert "Livret imprimé CCG101" in page and "Ajouter un support" not in page
    assert client.get(reverse("delivery:packages")).status_code == 200
    for url in (
        reverse("delivery:package_create", args=["CCG101"]),
        reverse("delivery:package_edit", args=["CCG101", kit["booklet"].pk]),
        reverse("delivery:package_delete", args=["CCG101", kit["booklet"].pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "X", "kind": "booklet", "position": "1"}).status_code == (
            403
        )
    assert Package.objects.filter(unit__code="CCG101").count() == 4
    # A regional coordinator reads, does not change.
    regional = client_as(user("coord-paris"))
    assert regional.get(reverse("delivery:packages")).status_code == 200
    assert regional.get(reverse("delivery:package_create", args=["CCG101"])).status_code == 403
    # Roles without logistics are refused the pages.
    assert client_as(teacher()).get(reverse("delivery:packages")).status_code == 403
    assert client_as(user("statistique")).get(reverse("delivery:packages")).status_code == 403
    # A package is edited through its own UE only; an unknown UE is a 404.
    coordinator = client_as(user("coordination"))
    url = reverse("delivery:package_edit", args=["CCG102", kit["booklet"].pk])
    assert coordinator.get(url).status_code == 404
    assert coordinator.get(reverse("delivery:unit_packages", args=["NOPE99"])).status_code == 404


def test_a_superuser_changes_packages(client_as: Callable[[User], Client]) -> None:
    admin = User.objects.create_superuser(username="root-test", password="x")
    response = client_as(admin).post(
        reverse("delivery:package_create", args=["CCG101"]),
        {"title": "Livret", "kind": "booklet", "position": "1"},
    )
    assert response.status_code == 302


# --------------------------------------------------------------------------------------------
# Editing an exam session
# --------------------------------------------------------------------------------------------


def _session(days: int = 10, codes: tuple[str, ...] = ("CCG101",)) -> ExamSession:
    return exams.create_session(
        place(MELUN),
        starts_at=at(today() + timedelta(days=days)),
        room="Salle 2",
        invigilator="M. Petit",
        units=TeachingUnit.objects.filter(code__in=codes),
    )


def _codes(session: ExamSession) -> set[tuple[str, str]]:
    return {
        (r.enrolment.learner.reference, r.enrolment.unit.code)
        for r in session.registrations.select_related("enrolment__learner", "enrolment__unit")
    }


def test_a_session_is_edited_and_its_units_bring_or_take_their_candidates(
    client_as: Callable[[User], Client],
) -> None:
    alice = detained("SE-1")
    enrol(alice, "CCG101")
    enrol(alice, "CCG102")
    session = _session()
    assert _codes(session) == {("SE-1", "CCG101")}
    client = client_as(user("rle-melun"))
    url = reverse("delivery:session_edit", args=[session.pk])
    form = client.get(url).content.decode()
    assert 'value="Salle 2"' in form and "CCG102" in form  # the create form, filled in
    new_start = timezone.localtime(at(today() + timedelta(days=12), 14))
    response = client.post(
        url,
        {
            "starts_at": f"{new_start:%Y-%m-%dT%H:%M}",
            "duration_minutes": "120",
            "room": "Salle 5",
            "invigilator": "Mme Roy",
            "units": [TeachingUnit.objects.get(code="CCG102").pk],
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.room, session.invigilator, session.duration_minutes) == (
        "Salle 5",
        "Mme Roy",
        120,
    )
    assert session.starts_at == new_start
    assert _codes(session) == {("SE-1", "CCG102")}
    assert (
        "1 inscription(s) ajoutée(s), 1 retirée(s)"
        in events("delivery.ExamSession", "update")[-1].summary
    )

    # Errors come back on the form: no UE, a date already past.
    response = client.post(
        url,
        {
            "starts_at": f"{timezone.localtime(at(today() - timedelta(days=1))):%Y-%m-%dT%H:%M}",
            "duration_minutes": "120",
            "room": "Salle 5",
            "invigilator": "Mme Roy",
        },
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in response.content.decode()
    response = client.post(
        url,
        {
            "starts_at": f"{timezone.localtime(at(today() - timedelta(days=1))):%Y-%m-%dT%H:%M}",
            "duration_minutes": "120",
            "room": "Salle 5",
            "invigilator": "Mme Roy",
            "units": [TeachingUnit.objects.get(code="CCG102").pk],
        },
    )
    assert response.status_code == 400
    assert "La nouvelle date est déjà passée." in response.content.decode()


def test_candidates_are_added_and_removed_after_the_creation(
    client_as: Callable[[User], Client],
) -> None:
    session = _session()
    alice = detained("SC-1")
    late = enrol(alice, "CCG101")  # enrolled after the session was created
    elsewhere = enrol(detained("SC-2", FRESNES), "CCG101")
    client = client_as(user("rle-melun"))
    page = client.get(reverse("delivery:session", args=[session.pk])).content.decode()
    assert "Ajouter des candidats" in page and "DURAND Alice — CCG101" in page
    add = reverse("delivery:session_add", args=[session.pk])
    client.post(add, {"enrolments": [elsewhere.pk]})  # not offered: another establishment
    assert not session.registrations.exists()
    assert client.post(add, {"enrolments": [late.pk]}).status_code == 302
    registration = session.registrations.get()
    assert registration.enrolment == late

    response = client.post(reverse("delivery:remove", args=[registration.pk]))
    assert response.status_code == 302
    assert not session.registrations.exists()
    summaries = [e.summary for e in events("delivery.ExamSession", "update")]
    assert summaries[-2:] == ["1 candidat(s) ajouté(s)", "candidat retiré (CCG101)"]
    assert events("learners.Learner", "update")[-1].person_id == alice.pk


def test_it_refuses_to_change_a_past_session_but_records_its_attendance(
    client_as: Callable[[User], Client],
) -> None:
    alice, bruno = detained("SP-1"), detained("SP-2", last_name="Bernard")
    enrol(alice, "CCG101")
    enrol(bruno, "CCG101")
    session = _session(days=-3)
    carla = detained("SP-3", last_name="Colin")
    enrol(carla, "CCG101")
    first = session.registrations.order_by("pk").first()
    assert first is not None
    client = client_as(user("rle-melun"))
    page = client.get(reverse("delivery:session", args=[session.pk])).content.decode()
    assert "Cette session a eu lieu : elle ne peut plus être modifiée" in page
    assert "Modifier la session" not in page and "Présence des candidats" in page

    for method, url, data in (
        ("get", reverse("delivery:session_edit", args=[session.pk]), {}),
        ("post", reverse("delivery:session_edit", args=[session.pk]), {"room": "X"}),
        ("post", reverse("delivery:session_add", args=[session.pk]), {"enrolments": ["1"]}),
        ("post", reverse("delivery:remove", args=[first.pk]), {}),
        (
            "post",
            reverse("delivery:accommodation", args=[first.pk]),
            {"accommodation": "Tiers temps", "extra_time_minutes": "30"},
        ),
    ):
        response = getattr(client, method)(url, data, follow=True)
        assert "elle ne peut plus être modifiée" in response.content.decode(), url
    assert session.registrations.count() == 2
    first.refresh_from_db()
    assert first.accommodation == "" and first.extra_time_minutes == 0

    registrations = {r.enrolment.learner.reference: r for r in session.registrations.all()}
    response = client.post(
        reverse("delivery:presence", args=[session.pk]),
        {f"r{registrations['SP-1'].pk}": "present", f"r{registrations['SP-2'].pk}": "absent"},
    )
    assert response.status_code == 302
    assert {r.enrolment.learner.reference: r.present for r in ExamRegistration.objects.all()} == {
        "SP-1": True,
        "SP-2": False,
    }
    assert events("delivery.ExamSession", "update")[-1].summary == "présence : 2 inscription(s)"
    record = client.get(reverse("learners:detail", args=[bruno.pk])).content.decode()
    assert "absent(e)" in record


def test_attendance_waits_for_the_session_to_begin(client_as: Callable[[User], Client]) -> None:
    enrol(detained("SA-1"), "CCG101")
    session = _session(days=5)
    registration = session.registrations.get()
    client = client_as(user("rle-melun"))
    assert "Présence des candidats" not in (
        client.get(reverse("delivery:session", args=[session.pk])).content.decode()
    )
    response = client.post(
        reverse("delivery:presence", args=[session.pk]),
        {f"r{registration.pk}": "present"},
        follow=True,
    )
    assert "La présence s&#x27;enregistre une fois la session commencée" in (
        response.content.decode()
    )
    registration.refresh_from_db()
    assert registration.present is None


def test_only_the_staff_of_the_establishment_edit_its_sessions(
    client_as: Callable[[User], Client],
) -> None:
    enrol(detained("SX-1"), "CCG101")
    session = _session()
    registration = session.registrations.get()
    stranger = client_as(rle(FRESNES))
    for url in (
        reverse("delivery:session_edit", args=[session.pk]),
        reverse("delivery:session_add", args=[session.pk]),
        reverse("delivery:presence", args=[session.pk]),
        reverse("delivery:remove", args=[registration.pk]),
    ):
        assert stranger.post(url, {}).status_code == 404, url
    assert stranger.get(reverse("delivery:session_edit", args=[session.pk])).status_code == 404
    assert client_as(teacher()).get(
        reverse("delivery:session_edit", args=[session.pk])
    ).status_code == (403)
    assert session.registrations.count() == 1


# --------------------------------------------------------------------------------------------
# The per-learner offline pack
# --------------------------------------------------------------------------------------------


def _with_files(kit: dict[str, Package], *kinds: str) -> None:
    for kind in kinds:
        kit[kind].file.save(f"{kind}.pdf", ContentFile(PDF + kind.encode()), save=True)


def test_the_offline_pack_holds_the_printed_material_and_a_cover_sheet(
    client_as: Callable[[User], Client],
) -> None:
    alice = detained("OP-1", last_name="Lambert")
    enrol(alice, "CCG101")
    enrol(alice, "CCG109")
    enrol(alice, "CCG102", Result.VALIDATED)  # done: not in the pack
    enrol(alice, "CCE101")  # taught on site: not in the pack
    ccg101, ccg109, done = packages("CCG101"), packages("CCG109"), packages("CCG102")
    _with_files(ccg101, "booklet", "media", "assignment", "correction")
    _with_files(ccg109, "booklet", "assignment")
    _with_files(done, "booklet")
    # The file of the CCG109 assignment was lost from the storage.
    ccg109["assignment"].file.storage.delete(ccg109["assignment"].file.name or "")

    client = client_as(user("rle-melun"))
    melun = place(MELUN)
    page = client.get(reverse("delivery:establishment", args=[melun.pk])).content.decode()
    assert "Packs hors ligne par apprenant" in page
    assert "Supports numériques autorisés par l’établissement" in page
    assert reverse("delivery:pack", args=[melun.pk, alice.pk]) in page

    response = client.get(reverse("delivery:pack", args=[melun.pk, alice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f"pack-OP-1-{today():%Y-%m-%d}.zip" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store, private"  # never kept by the browser
    archive = zipfile.ZipFile(BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert sorted(archive.namelist()) == [
        "00-page-de-garde.pdf",
        "CCG101/00-livret-imprime-ccg101.pdf",
        "CCG101/02-devoir-ccg101.pdf",
        "CCG101/03-corrige-ccg101.pdf",
        "CCG109/00-livret-imprime-ccg109.pdf",
    ]  # no offline media: the establishment did not allow them
    assert archive.read("CCG101/02-devoir-ccg101.pdf") == PDF + b"assignment"

    cover = pdftotext(archive.read("00-page-de-garde.pdf"))
    for expected in (
        "Pack de cours hors ligne",
        "LAMBERT Alice",
        "numéro OP-1",
        "Centre de détention de Melun (CD MELUN)",
        "CCG101 Fondamentaux du droit ; CCG109 Introduction à la comptabilité",
        "Livret imprimé CCG101 Livret imprimé",
        "Devoir CCG109 Devoir fichier absent",
        "Corrigé CCG101 Corrigé",
        timezone.localdate().strftime("%Y"),
        "ne sont pas inclus",
    ):
        assert expected in cover, expected
    assert "CCG102" not in cover and "CCE101" not in cover
    assert "Support hors ligne" not in cover

    event = events("learners.Learner", "export")[-1]
    assert event.object_id == str(alice.pk)
    assert "pack hors ligne (ZIP) à CD MELUN : 4 fichier(s), 1 absent(s)" in event.summary
    assert "sans supports numériques" in event.summary


def test_offline_media_join_the_pack_when_the_establishment_allows_them(
    client_as: Callable[[User], Client],
) -> None:
    alice = detained("OP-2")
    enrol(alice, "CCG101")
    kit = packages("CCG101")
    _with_files(kit, "media")
    kit["media"].file.save("videos.mp4", ContentFile(b"video"), save=True)
    client = client_as(user("rle-melun"))
    url = reverse("delivery:pack", args=[place(MELUN).pk, alice.pk])
    archive = zipfile.ZipFile(
        BytesIO(b"".join(client.get(url, {"numerique": "on"}).streaming_content))  # type: ignore[attr-defined]
    )
    assert "CCG101/01-support-hors-ligne-ccg101.mp4" in archive.namelist()
    cover = pdftotext(archive.read("00-page-de-garde.pdf"))
    assert "Support hors ligne" in cover and "sont inclus : l’établissement les autorise" in cover
    # Packages without a file are listed, not in the ZIP.
    assert "aucun fichier joint" in cover
    assert "supports numériques inclus" in events("learners.Learner", "export")[-1].summary

    response = client.get(
        reverse("delivery:pack_cover", args=[place(MELUN).pk, alice.pk]), {"numerique": "on"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert "Support hors ligne" in pdftotext(response.content)


def test_the_pack_is_out_of_reach_outside_the_scope(client_as: Callable[[User], Client]) -> None:
    alice = detained("OP-3")
    enrol(alice, "CCG101")
    packages("CCG101")
    melun, fresnes = place(MELUN), place(FRESNES)
    stranger = client_as(rle(FRESNES))
    assert stranger.get(reverse("delivery:pack", args=[melun.pk, alice.pk])).status_code == 404
    assert stranger.get(reverse("delivery:pack_cover", args=[melun.pk, alice.pk])).status_code == (
        404
    )
    # Through the stranger's own establishment, the learner is not there either.
    assert stranger.get(reverse("delivery:pack", args=[fresnes.pk, alice.pk])).status_code == 404
    assert client_as(teacher()).get(
        reverse("delivery:pack", args=[melun.pk, alice.pk])
    ).status_code == (403)
    assert not AuditEvent.objects.filter(model="learners.Learner", action="export").exists()


def test_a_transfer_takes_the_learner_out_of_the_old_establishments_packs(
    client_as: Callable[[User], Client],
) -> None:
    from tremplin.learners.services import transfer

    alice = detained("OP-4")
    enrol(alice, "CCG101")
    packages("CCG101")
    transfer(alice, to=place(FRESNES), on=today(), by=user("referent"))
    coordinator = client_as(user("coordination"))
    assert coordinator.get(
        reverse("delivery:pack", args=[place(MELUN).pk, alice.pk])
    ).status_code == (404)
    response = coordinator.get(reverse("delivery:pack", args=[place(FRESNES).pk, alice.pk]))
    assert response.status_code == 200
    assert not Delivery.objects.exists()


def test_the_packs_list_the_establishments_placed_learners_with_a_pending_distance_ue() -> None:
    from tremplin.delivery.selectors import DISTANCE_MODALITIES, pack_learners

    distance = TeachingUnit.objects.filter(modality__in=DISTANCE_MODALITIES).order_by("code")[0]
    on_site = TeachingUnit.objects.exclude(modality__in=DISTANCE_MODALITIES).order_by("code")[0]
    pending, done, elsewhere, in_class = (
        detained("TP-1"),
        detained("TP-2", last_name="Bernard"),
        detained("TP-3", FRESNES),
        detained("TP-4", last_name="Colin"),
    )
    enrol(pending, distance.code)
    enrol(pending, on_site.code, Result.VALIDATED)
    enrol(done, distance.code, Result.VALIDATED)
    enrol(elsewhere, distance.code)
    enrol(in_class, on_site.code)
    listed = pack_learners(user("coordination"), place(MELUN))
    assert [learner.reference for learner in listed] == ["TP-1"]


def test_a_large_establishments_packs_are_paged_and_searched(
    client_as: Callable[[User], Client],
) -> None:
    from tremplin.delivery.selectors import DISTANCE_MODALITIES, pack_learners
    from tremplin.delivery.views.material import PACKS_PER_PAGE

    distance = TeachingUnit.objects.filter(modality__in=DISTANCE_MODALITIES).order_by("code")[0]
    for n in range(PACKS_PER_PAGE + 3):
        enrol(detained(f"PG-{n:03d}", last_name=f"Nom{n:03d}"), distance.code)
    enrol(detained("PG-999", last_name="Quéméner"), distance.code)
    rle_melun = user("rle-melun")
    total = pack_learners(rle_melun, place(MELUN)).count()
    assert PACKS_PER_PAGE < total < 2 * PACKS_PER_PAGE
    client = client_as(rle_melun)
    url = reverse("delivery:establishment", args=[place(MELUN).pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": "2"}).content.decode()
    found = client.get(url, {"apprenant": "quemener"}).content.decode()
    nothing = client.get(url, {"apprenant": "zzz"}).content.decode()

    assert f"{total} apprenants inscrits à distance (page 1 sur 2)" in first
    assert first.count("Pack hors ligne (ZIP)") == PACKS_PER_PAGE
    assert 'href="?page=2#packs"' in first
    assert second.count("Pack hors ligne (ZIP)") == total - PACKS_PER_PAGE
    assert "QUÉMÉNER Alice" in second and "QUÉMÉNER Alice" not in first  # in name order
    # Found by the start of the name, without its accents.
    assert f"1 apprenant inscrit à distance pour «&nbsp;quemener&nbsp;», sur {total}" in found
    assert found.count("Pack hors ligne (ZIP)") == 1 and "QUÉMÉNER Alice" in found
    assert "Aucun apprenant inscrit à distance ne correspond à «&nbsp;zzz&nbsp;»" in nothing
    assert "Voir tous les apprenants inscrits à distance" in nothing
