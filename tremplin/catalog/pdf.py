"""The printed catalogue: learners in detention have no internet, paper is what they read.

A published edition no longer changes: its PDF is rendered once and then served from the default
storage. The stored file's name carries a digest of everything the PDF is made of (the frozen
content, the edition's texts, the templates and Tremplin's version), so a new template or a new
release renders it again instead of serving a stale copy.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

import tremplin
from tremplin.core.pdf import render_pdf

from .models import Edition
from .selectors import edition_content, summary_items

TEMPLATE = "catalog/pdf/catalogue.html"
STORED_DIR = "catalogue"


def catalogue_pdf(edition: Edition) -> bytes:
    """The catalogue of an edition: rendered each time for a draft, once for a frozen edition."""
    if edition.is_editable or edition.snapshot is None:
        return _render(edition)
    name = stored_name(edition)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return bytes(stored.read())
    data = _render(edition)
    if not default_storage.exists(name):  # another process may have stored it meanwhile
        default_storage.save(name, ContentFile(data))
    return data


def stored_name(edition: Edition) -> str:
    digest = hashlib.sha256()
    digest.update(_templates_digest())
    digest.update(tremplin.__version__.encode())
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


@cache
def _templates_digest() -> bytes:
    """The catalogue's own template and the shared PDF pieces it draws on."""
    here = Path(__file__).resolve().parent
    sources = sorted((here / "templates" / "catalog" / "pdf").glob("*")) + sorted(
        (here.parent / "core").glob("pdf*.py")
    )
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.digest()


def _render(edition: Edition) -> bytes:
    content = edition_content(edition)
    return render_pdf(
        TEMPLATE,
        {
            "edition": edition,
            "content": content,
            "summary_items": summary_items(content["summary"]),
        },
    )
