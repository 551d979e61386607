"""Issue 17, item 8: an uploaded course material is judged by its content (magic bytes), not by
its name, and an archive with an absolute, climbing (`..`) or linked entry is refused; the
French error names the file and the reason, and nothing is stored."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.delivery.filetypes import FORMATS
from tremplin.delivery.forms import PACKAGE_EXTENSIONS
from tremplin.delivery.models import MaterialPackage

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def archive(*entries: tuple[str, bytes], link: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, content in entries:
            out.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            out.writestr(info, "/etc/passwd")
    return buffer.getvalue()


GOOD = {
    "livret.pdf": b"%PDF-1.7\n1 0 obj\n",
    "schema.png": b"\x89PNG\r\n\x1a\n" + bytes(24),
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(24),
    "photo.jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + bytes(24),
    "cours.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(24),
    "cours.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(24),
    "exercices.zip": archive(("exercices/serie-1.pdf", b"%PDF-1.4\n")),
    "devoir.docx": archive(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")),
    "devoir.odt": archive(
        ("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")
    ),
    "roman.epub": archive(("mimetype", b"application/epub+zip"), ("OEBPS/a.xhtml", b"<x/>")),
}


def post(client: Client, name: str, content: bytes) -> Any:
    return client.post(
        reverse("delivery:package_create", args=["CCG101"]),
        {
            "title": f"Support {name}",
            "kind": "booklet",
            "position": "1",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )


def test_every_accepted_extension_has_a_content_rule_and_a_good_example() -> None:
    assert set(PACKAGE_EXTENSIONS) == set(FORMATS)
    assert {name.rsplit(".", 1)[1] for name in GOOD} == set(FORMATS)


def test_files_whose_content_matches_their_name_are_stored(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    for name, content in GOOD.items():
        assert post(client, name, content).status_code == 302, name
    stored = MaterialPackage.objects.filter(unit__code="CCG101")
    assert stored.count() == len(GOOD)
    assert all(package.file.read() for package in stored)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("livret.pdf", HTML, "son contenu n’est pas un PDF : il est du HTML ou du XML"),
        ("photo.png", b"%PDF-1.4\n", "son contenu n’est pas une image PNG : il est celui d’un"),
        ("cours.mp3", b"MZ\x90\x00" + bytes(60), "son contenu n’est pas un fichier audio MP3"),
        (
            "cours.mp4",
            b"juste du texte",
            "son contenu n’est pas une vidéo MP4 : il est non reconnu",
        ),
        ("devoir.docx", HTML, "son contenu n’est pas un document Word : il est du HTML"),
        ("devoir.docx", archive(("a.txt", b"x")), "(c’est une autre archive ZIP)"),
        ("roman.epub", archive(("mimetype", b"text/html")), "pas un livre EPUB"),
        ("exercices.zip", b"PK\x03\x04 tronque", "n’est pas une archive ZIP"),
        ("exercices.zip", archive(("../../etc/cron.d/x", b"x")), "remonte hors de l’archive (..)"),
        ("exercices.zip", archive(("a\\..\\..\\x.bat", b"x")), "remonte hors de l’archive (..)"),
        ("exercices.zip", archive(("/etc/passwd", b"x")), "« /etc/passwd » a un chemin absolu"),
        ("exercices.zip", archive(("C:/Windows/x.dll", b"x")), "a un chemin absolu"),
        ("exercices.zip", archive(("ok.pdf", b"%PDF")), ""),  # the control: accepted
        ("exercices.zip", archive(link="raccourci"), "« raccourci » est un lien symbolique"),
        (
            "devoir.odt",
            archive(("mimetype", b"application/vnd.oasis.opendocument.text"), ("../x", b"")),
            "remonte hors de l’archive",
        ),
    ],
)
def test_a_file_whose_content_does_not_match_is_refused_with_its_name_and_the_reason(
    client_as: Callable[[User], Client],
    coordinator: User,
    tmp_path: Path,
    name: str,
    content: bytes,
    reason: str,
) -> None:
    response = post(client_as(coordinator), name, content)
    if not reason:
        assert response.status_code == 302
        return
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert f"« {name} » est refusé : " in page and reason in page
    assert not MaterialPackage.objects.filter(unit__code="CCG101").exists()
    assert not list((tmp_path / "media").rglob("*.*"))


def test_replacing_a_file_checks_the_new_content_and_keeps_the_old_file(
    client_as: Callable[[User], Client], coordinator: User
) -> None:
    client = client_as(coordinator)
    post(client, "livret.pdf", GOOD["livret.pdf"])
    package = MaterialPackage.objects.get(unit__code="CCG101")
    response = client.post(
        reverse("delivery:package_edit", args=["CCG101", package.pk]),
        {
            "title": package.title,
            "kind": "booklet",
            "position": "1",
            "file": SimpleUploadedFile("livret.pdf", HTML),
        },
    )
    assert response.status_code == 400
    assert "« livret.pdf » est refusé" in response.content.decode()
    package.refresh_from_db()
    assert package.file.read() == GOOD["livret.pdf"]
