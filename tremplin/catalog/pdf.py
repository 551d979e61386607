"""The printed catalogue: learners in detention have no internet, paper is what they read."""

from __future__ import annotations

from tremplin.core.pdf import render_pdf

from .models import Edition
from .selectors import edition_content, summary_items


def catalogue_pdf(edition: Edition) -> bytes:
    content = edition_content(edition)
    return render_pdf(
        "catalog/pdf/catalogue.html",
        {
            "edition": edition,
            "content": content,
            "summary_items": summary_items(content["summary"]),
        },
    )
