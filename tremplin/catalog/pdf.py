"""The printed catalogue: learners in detention have no internet, paper is what they read.

A draft is laid out once per state of its content (it changes with every offer added), kept in
the reports cache under a digest of that content (`core.digests`). A published edition
is frozen: the services refuse any change to it (`services.ensure_editable`, `save_form`; the
offers and texts of a published or archived edition cannot be edited, only copied to the next
year), and its content is the snapshot taken at publication. So its PDF is rendered once, stored
in the default storage (`MEDIA_ROOT/catalogue/` by default) and then served from there.

The stored file's name carries a digest of everything the PDF is made of (the frozen content,
the edition's texts, the templates and Tremplin's version): a new template, a new release or a
database restored with another content renders it again instead of serving a stale copy, and
storing the new copy deletes the edition's older ones. On a local disk the copy is written under
a temporary name then renamed, so a concurrent request never reads half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tremplin.core.digests import remember_document, sources_digest
from tremplin.core.pdf import render_pdf

from .models import Edition
from .selectors import edition_content, summary_items

TEMPLATE = "catalog/pdf/catalogue.html"
STORED_DIR = "catalogue"


def catalogue_pdf(edition: Edition) -> bytes:
    """The catalogue of an edition: a draft's laid out once per state of its content (kept in
    the reports cache, `core.digests`), a frozen edition's once and stored for good."""
    if edition.is_editable or edition.snapshot is None:
        content = edition_content(edition)
        return remember_document(
            "catalogue-draft",
            (content, edition.published_on),
            _sources(),
            lambda: _render(edition, content),
        )
    name = stored_name(edition)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return bytes(stored.read())
    data = _render(edition)
    _store(name, data)
    _drop_older_copies(edition.year, keep=name)
    return data


def stored_name(edition: Edition) -> str:
    digest = hashlib.sha256()
    digest.update(sources_digest(*_sources()))
    frozen = {
        "year": edition.year,
        "title": edition.title,
        "introduction": edition.introduction,
        "how_to_apply": edition.how_to_apply,
        "published_on": str(edition.published_on),
        "content": edition.snapshot,
    }
    digest.update(json.dumps(frozen, sort_keys=True, default=str).encode())
    return f"{STORED_DIR}/catalogue-{edition.year}-{digest.hexdigest()[:16]}.pdf"


def _store(name: str, data: bytes) -> None:
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # a remote storage (object store): a write is whole or absent
        if not default_storage.exists(name):  # another process may have stored it meanwhile
            default_storage.save(name, ContentFile(data))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".partial-", delete=False) as out:
        out.write(data)
    os.replace(out.name, path)  # atomic: the whole file under its name, or no file


def _drop_older_copies(year: str, *, keep: str) -> None:
    """The edition's copies rendered from an older template, release or content."""
    prefix = f"catalogue-{year}-"
    _, files = default_storage.listdir(STORED_DIR)
    for file in files:
        stored = f"{STORED_DIR}/{file}"
        if file.startswith(prefix) and file.endswith(".pdf") and stored != keep:
            default_storage.delete(stored)


def _sources() -> tuple[Path, ...]:
    """The catalogue's own template, the words its summary is written in and the shared PDF
    pieces it draws on (with the release, `sources_digest`)."""
    here = Path(__file__).resolve().parent
    return (
        here / "templates" / "catalog" / "pdf",
        here / "selectors.py",  # the summary's words
        here.parent / "core" / "pdf.py",
    )


def _render(edition: Edition, content: Any = None) -> bytes:
    """The PDF: the template draws on the content and the edition's publication date alone."""
    content = edition_content(edition) if content is None else content
    return render_pdf(
        TEMPLATE,
        {
            "edition": edition,
            "content": content,
            "summary_items": summary_items(content["summary"]),
        },
    )
