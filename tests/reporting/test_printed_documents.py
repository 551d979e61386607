"""The bilan and the orientation statistics as documents: a national year's printed bilan counts
its certifications per formation (one row per certification laid out 3,000 rows, 175 pages and
30 seconds of WeasyPrint), and a document laid out once is read back for the same figures, the
same day and the same sources, never for others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.core.digests import remember_document, sources_digest
from tremplin.reporting.formats import pdf as bilan_pdf
from tremplin.reporting.formats.pdf import PRINTED_GRADUATES, graduates_by_formation, pdf_context
from tremplin.reporting.tables import GraduateRow, Tables

NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _no_stored_documents() -> Iterator[None]:
    """The reports cache lives as long as the test session: each test here starts without the
    documents another stored, and leaves none (a fake document among them) to the next."""
    caches["reports"].clear()
    yield
    caches["reports"].clear()


def tables_with(graduates: list[GraduateRow], masked_below: int | None = None) -> Tables:
    return Tables(
        "2020-2021", "tous", [], [], [], [], graduates, [], [], [], masked_below=masked_below
    )


def certification(formation: str, place: str | None, count: Any = 1) -> GraduateRow:
    return GraduateRow(
        formation,
        f"Certificat {formation}",
        "skills_certificate",
        "Certificat de compétence",
        place,
        place,
        count,
    )


def bilan_document() -> dict[str, Any]:
    return {
        "academic_year": "2020-2021",
        "followup": {"people_followed": 0, "interviews": 0, "by_kind": {}},
        "emergence": {"years": [], "participants": 0},
        "ue_enrollments": 0,
        "ue_validated": 0,
        "enrolled_learners": 0,
        "partner_establishments": 0,
        "learner_success_rate": None,
        "ue_validation_rate": None,
        "by_disp": [],
        "graduates": [],
    }


def test_many_certifications_are_printed_per_formation_with_their_establishments() -> None:
    rows = [certification("CC13000", f"CD {i % 40}") for i in range(150)]
    rows += [certification("CPN71", f"MA {i % 7}") for i in range(200)]
    rows += [certification("DIE3200", None)]

    table = graduates_by_formation(tables_with(rows))

    assert table.title == "Certifications délivrées, par formation"
    assert table.headers == ("Formation", "Intitulé", "Nature", "Établissements", "Diplômés")
    # The largest first; a certification without an establishment counts, and no place.
    assert table.rows == [
        ("CPN71", "Certificat CPN71", "Certificat de compétence", 7, 200),
        ("CC13000", "Certificat CC13000", "Certificat de compétence", 40, 150),
        ("DIE3200", "Certificat DIE3200", "Certificat de compétence", 0, 1),
    ]


def test_the_printed_bilan_counts_per_formation_above_the_limit_and_says_where_the_detail_is() -> (
    None
):
    many = [certification("CC13000", f"CD {i}") for i in range(PRINTED_GRADUATES + 1)]

    printed = pdf_context(bilan_document(), tables_with(many))["sheets"]["graduates"]

    assert [cell["text"] for cell in printed["rows"][0]] == [
        "CC13000",
        "Certificat CC13000",
        "Certificat de compétence",
        "61",
        "61",
    ]
    assert len(printed["rows"]) == 1
    assert printed["note"] == (
        "61 certifications : le détail par établissement figure dans les exports CSV et XLSX "
        "du bilan."
    )


def test_a_few_certifications_are_printed_one_per_row_as_in_the_seed() -> None:
    few = [certification("CC13000", f"CD {i}") for i in range(PRINTED_GRADUATES)]

    printed = pdf_context(bilan_document(), tables_with(few))["sheets"]["graduates"]

    assert len(printed["rows"]) == PRINTED_GRADUATES
    assert [cell["text"] for cell in printed["rows"][0]][3:] == ["CD 0", "1"]
    assert "note" not in printed


def test_published_rows_already_per_formation_are_printed_as_they_are() -> None:
    published = [certification(f"F{i:03d}", None, "< 5") for i in range(PRINTED_GRADUATES + 5)]

    printed = pdf_context(bilan_document(), tables_with(published, masked_below=5))["sheets"][
        "graduates"
    ]

    assert len(printed["rows"]) == PRINTED_GRADUATES + 5
    assert [cell["text"] for cell in printed["rows"][0]][-1] == "< 5"
    assert "note" not in printed


SOURCES = (Path(bilan_pdf.__file__).resolve().parent,)


def test_a_document_is_laid_out_once_for_the_same_content_and_again_for_another() -> None:
    laid_out: list[str] = []

    def render(text: str) -> bytes:
        laid_out.append(text)
        return text.encode()

    first = remember_document("test", ("figures", 1), SOURCES, lambda: render("a"))
    again = remember_document("test", ("figures", 1), SOURCES, lambda: render("b"))
    other = remember_document("test", ("figures", 2), SOURCES, lambda: render("c"))
    elsewhere = remember_document("other", ("figures", 1), SOURCES, lambda: render("d"))

    assert (first, again, other, elsewhere) == (b"a", b"a", b"c", b"d")
    assert laid_out == ["a", "c", "d"]


def test_a_change_to_the_sources_lays_the_document_out_again(tmp_path: Path) -> None:
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("<p>{{ figure }}</p>")
    before = remember_document("test", 1, (template.parent,), lambda: b"before")
    template.write_text("<p><strong>{{ figure }}</strong></p>")
    sources_digest.cache_clear()  # a new release starts a new process

    after = remember_document("test", 1, (template.parent,), lambda: b"after")

    assert (before, after) == (b"before", b"after")


@pytest.mark.django_db
def test_the_bilan_pdf_is_laid_out_once_a_day_for_the_same_figures(
    client_as: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tremplin.reporting import formats

    laid_out: list[date] = []

    def counted(document: dict[str, Any], tables: Tables) -> bytes:
        laid_out.append(tables.generated_on)
        return b"%PDF " + str(tables.generated_on).encode()

    monkeypatch.setitem(formats.FORMATTERS, "pdf", counted)
    client = client_as(User.objects.get(username="coordination"))
    url = "/rapports/export/pdf/?year=2019-2020&disp=DISP+RENNES"

    first, second = client.get(url), client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(laid_out) == 1
    # The next day prints another date: another document.
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    third = client.get(url)
    assert laid_out == [tomorrow - timedelta(days=1), tomorrow]
    assert third.content == b"%PDF " + str(tomorrow).encode()


def rendered_templates(render: Callable[[], object]) -> list[Path]:
    """The files of the templates `render` renders (Django's test signal)."""
    from django.test.signals import template_rendered

    seen: list[Path] = []

    def heard(sender: Any, template: Any, **kwargs: Any) -> None:
        if template.origin and template.origin.name:
            seen.append(Path(template.origin.name).resolve())

    template_rendered.connect(heard)
    try:
        render()
    finally:
        template_rendered.disconnect(heard)
    return seen


def under(path: Path, sources: tuple[Path, ...]) -> bool:
    return any(path == source or source in path.parents for source in sources)


@pytest.mark.django_db
def test_every_template_a_document_renders_is_among_the_sources_it_is_stored_under() -> None:
    """A template left out of a document's sources would let a stored document outlive a change
    to its layout."""
    from tremplin.catalog import pdf as catalogue
    from tremplin.catalog.models import Edition
    from tremplin.catalog.services import copy_to_next_year
    from tremplin.orientation import report as statistics
    from tremplin.orientation.stats import referral_stats
    from tremplin.reporting import formats
    from tremplin.reporting.stored import stored_bilan

    bilan = stored_bilan("2019-2020", disp="DISP RENNES")
    draft = copy_to_next_year(Edition.objects.order_by("-year").first())
    report = statistics.StatsReport(referral_stats(year="2025-2026"), "toutes les orientations")
    documents = [
        (lambda: formats.render_bilan("pdf", bilan), formats.SOURCES),
        (lambda: statistics.pdf_format(report), statistics.SOURCES),
        (lambda: catalogue.catalogue_pdf(draft), catalogue._sources()),
    ]
    for render, sources in documents:
        templates = rendered_templates(render)
        assert templates, "no template rendered"
        assert [t for t in templates if not under(t, sources)] == []
