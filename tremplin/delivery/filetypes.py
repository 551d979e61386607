"""What a course material file may be, judged by its content, not by its name.

Each accepted extension declares what its first bytes must be (recognised by `filetype`, from
their magic numbers) or, for the formats that are ZIP archives underneath (ZIP, OpenDocument,
Office, EPUB), which entry proves the format. Every archive's entries are also checked: none may
be absolute, climb out with `..`, or be a symbolic link, and the archive may not unpack to more
than MAX_UNPACKED_BYTES (a "ZIP bomb"). A refused file gets a French sentence naming it and the
reason; nothing is stored.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import filetype
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Format:
    label: str
    #: What `filetype` must recognise in the first bytes (its extensions); empty for ZIP-based.
    magic: frozenset[str] = frozenset()
    #: For a ZIP-based format: the entry it must hold and, when given, that entry's content.
    entry: str = ""
    entry_content: bytes = b""

    @property
    def is_zip(self) -> bool:
        return not self.magic


#: The accepted extensions (the form's list) and what their content must be.
FORMATS: dict[str, Format] = {
    "pdf": Format("un PDF", frozenset({"pdf"})),
    "odt": Format(
        "un texte OpenDocument",
        entry="mimetype",
        entry_content=b"application/vnd.oasis.opendocument.text",
    ),
    "docx": Format("un document Word", entry="word/document.xml"),
    "mp3": Format("un fichier audio MP3", frozenset({"mp3"})),
    "mp4": Format("une vidéo MP4", frozenset({"mp4", "m4v"})),
    "zip": Format("une archive ZIP", entry=""),
    "epub": Format("un livre EPUB", entry="mimetype", entry_content=b"application/epub+zip"),
    "png": Format("une image PNG", frozenset({"png"})),
    "jpg": Format("une image JPEG", frozenset({"jpg"})),
    "jpeg": Format("une image JPEG", frozenset({"jpg"})),
}
#: An archive may not unpack to more than this (the files themselves are at most 20 Mo).
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
HEAD = 8192
_DRIVE = re.compile(r"^[A-Za-z]:")


def _what_it_is(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is not None:
        return f"celui d’un fichier {kind.extension.upper()}"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<")):
        return "du HTML ou du XML"
    return "non reconnu"


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return f"l’entrée « {name} » a un chemin absolu"
    if ".." in re.split(r"[/\\]", name):
        return f"l’entrée « {name} » remonte hors de l’archive (..)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"l’entrée « {name} » est un lien symbolique"
    return None


def _archive_problem(upload: IO[bytes], fmt: Format) -> str | None:
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        return f"son contenu n’est pas {fmt.label} valide (archive illisible)"
    with archive:
        entries = archive.infolist()
        for info in entries:
            problem = _entry_problem(info)
            if problem is not None:
                return f"archive refusée : {problem}"
        if sum(info.file_size for info in entries) > MAX_UNPACKED_BYTES:
            return "archive refusée : elle se décompresse en plus de 1 Go"
        if fmt.entry:
            names = {info.filename for info in entries}
            if fmt.entry not in names or (
                fmt.entry_content and archive.read(fmt.entry).strip() != fmt.entry_content
            ):
                return f"son contenu n’est pas {fmt.label} (c’est une autre archive ZIP)"
    return None


def content_problem(name: str, upload: Any) -> str | None:
    """Why this file's content does not match its extension, or None. The file is read from its
    start and put back there."""
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    fmt = FORMATS.get(extension)
    if fmt is None:
        return "ce format n’est pas accepté"
    upload.seek(0)
    head = upload.read(HEAD)
    try:
        if fmt.is_zip:
            if not zipfile.is_zipfile(upload):
                return f"son contenu n’est pas {fmt.label} : il est {_what_it_is(head)}"
            return _archive_problem(upload, fmt)
        kind = filetype.guess(head)
        if kind is None or kind.extension not in fmt.magic:
            return f"son contenu n’est pas {fmt.label} : il est {_what_it_is(head)}"
        return None
    finally:
        upload.seek(0)


def check_material(upload: Any) -> None:
    """ValidationError on the `file` field when the content does not match the name."""
    name = PurePosixPath(upload.name or "").name
    problem = content_problem(name, upload)
    if problem is not None:
        raise ValidationError({"file": f"« {name} » est refusé : {problem}."})
