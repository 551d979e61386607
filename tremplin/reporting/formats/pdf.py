"""The bilan as a printed report (A4, WeasyPrint): a title block with the year and the scope, the
headline figures in big numbers, bar charts drawn as inline SVG on the server, the detail tables,
the definitions, page numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from tremplin.core.pdf import render_pdf, text_width
from tremplin.core.typography import long_date

from ..bilan import year_bounds
from ..tables import Days, GraduateRow, Table, Tables, graduates_count
from .charts import Bar, PairedBar, hbar_chart, paired_hbar_chart, vbar_chart
from .common import (
    HOME_DISP,
    WITHHELD,
    disp_display,
    fr_decimal,
    fr_int,
    publication_note,
    sort_key,
)
from .text import summary_lines

__all__ = ["display_table", "long_date", "pdf_context", "pdf_format", "show"]


def show(value: Any) -> str:
    """A figure as printed: 1 234, 56,25 %, "< 5", or a dash when withheld."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Days):
        number = f"{value:.1f}".removesuffix(".0").replace(".", ",")
        return f"{number}\u00a0j"
    if isinstance(value, float):
        return f"{fr_decimal(value)}\u00a0%"
    if isinstance(value, int):
        return fr_int(value)
    return str(value)


def _is_number(value: Any) -> bool:
    """A figure: a number, a masked count ("< 5") or a withheld result (None)."""
    return value is None or isinstance(value, int | float) or str(value).startswith("< ")


#: A text cell wider than this (in em) wraps: it asks for no wider a column.
WRAPPED_TEXT = 17.0
#: A cell's horizontal padding (1.5 mm on each side), in em, with a margin.
CELL_PADDING = 1.3
#: The width of the bilan's tables in em of their text: 174 mm at 8.5 pt.
BILAN_TABLE_EM = 58.0


def column_widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    table_em: float,
) -> list[float]:
    """Each column's share of a printed table's width (`table_em`, in em of its text), in
    percent, from what it holds as set in Marianne (`text_width`). A figure never wraps; a text
    asks for its width up to `WRAPPED_TEXT`, then wraps; a bold header wraps between its words.
    When the columns ask for more than the page, the texts wrap first between their words (a
    code stays whole), then, if need be, inside them; the figures keep their width. The tables
    are laid out with these widths (`table-layout: fixed`): a wide table always fits the page,
    where the automatic layout let the orientation tables' nine columns run off it, and the
    national orientation statistics (about 9,400 cells) print in about half the pages and
    time."""
    needs, least = [], []
    for i, header in enumerate(headers):
        need = word = max((text_width(w, bold=True) for w in _words(header)), default=1.0)
        for row in rows:
            width = text_width(row[i])
            if numeric[i]:
                need = max(need, width)
                continue
            need = max(need, min(width, WRAPPED_TEXT))
            if width > word:  # its longest word, when it is wider than any so far
                longest = max((text_width(w) for w in _words(row[i])), default=0.0)
                word = max(word, min(longest, WRAPPED_TEXT))
        needs.append(need + CELL_PADDING)
        least.append(need + CELL_PADDING if numeric[i] else word + CELL_PADDING)
    excess = sum(needs) - table_em
    slack = sum(needs) - sum(least)
    if excess > 0 and slack > 0:  # the texts wrap between their words
        cut = min(1.0, excess / slack)
        needs = [need - (need - low) * cut for need, low in zip(needs, least, strict=True)]
        excess -= slack * cut
    figures = sum(need for need, number in zip(needs, numeric, strict=True) if number)
    texts = sum(needs) - figures
    if excess > 0 and texts and figures < table_em:  # and inside their words
        shrink = (table_em - figures) / texts
        needs = [need if num else need * shrink for need, num in zip(needs, numeric, strict=True)]
    total = sum(needs)
    shares = [round(100 * need / total, 1) for need in needs]
    shares[-1] = round(100 - sum(shares[:-1]), 1)  # the rounding's remainder: 100 % in all
    return shares


def _words(text: str) -> list[str]:
    """The words a line may break between: a no-break space (« 12 345 », « 7 j ») holds."""
    return re.split(r"[ \t\n]+", text.strip())


def display_table(table: Table, table_em: float | None = None) -> dict[str, Any]:
    """A detail table as shown: every cell a string, numeric columns flagged (aligned right);
    printed (`table_em`, the table's width in em of its text), each column's width in percent
    of the table's (`column_widths`). The pages that show the same tables (the bilan
    dashboard, the orientation statistics) leave the widths to the browser."""
    numeric = [any(_is_number(row[i]) for row in table.rows) for i in range(len(table.headers))]
    texts = [[show(value) for value in row] for row in table.rows]
    headers: list[dict[str, Any]] = [
        {"text": header, "num": numeric[i]} for i, header in enumerate(table.headers)
    ]
    if table_em is not None:
        for header, width in zip(
            headers, column_widths(table.headers, texts, numeric, table_em), strict=True
        ):
            header["width"] = width
    return {
        "title": table.title,
        "headers": headers,
        "rows": [
            [{"text": text, "num": numeric[i]} for i, text in enumerate(row)] for row in texts
        ],
    }


def _figure(value: Any, label: str, detail: str = "") -> dict[str, str]:
    return {"value": show(value), "label": label, "detail": detail}


def _plural(value: Any, singular: str, plural: str) -> str:
    return singular if isinstance(value, int) and value < 2 else plural


def pdf_context(
    bilan: dict[str, Any], tables: Tables, *, table_em: float | None = None
) -> dict[str, Any]:
    start, end = year_bounds(bilan["academic_year"])
    followup, emergence = bilan["followup"], bilan["emergence"]
    enrolled, validated = bilan["ue_enrollments"], bilan["ue_validated"]
    disps = len(bilan["by_disp"])
    years = emergence["years"]
    figures = [
        _figure(
            bilan["enrolled_learners"],
            _plural(bilan["enrolled_learners"], "personne inscrite", "personnes inscrites"),
            "au moins une UE dans l'année",
        ),
        _figure(
            bilan["partner_establishments"],
            _plural(
                bilan["partner_establishments"],
                "établissement pénitentiaire partenaire",
                "établissements pénitentiaires partenaires",
            ),
            f"dans {disps} {_plural(disps, 'direction interrégionale', 'directions interrégionales')}",
        ),
        _figure(enrolled, _plural(enrolled, "inscription à une UE", "inscriptions aux UE")),
        _figure(
            bilan["learner_success_rate"],
            "d'élèves reçus",
            "au moins une UE validée",
        ),
        _figure(
            bilan["ue_validation_rate"],
            "d'UE validées",
            f"{show(validated)} sur {show(enrolled)}" if validated is not None else "",
        ),
        _figure(
            graduates_count(bilan),
            _plural(graduates_count(bilan), "diplômé", "diplômés"),
            "certifications délivrées dans l'année",
        ),
        _figure(
            followup["people_followed"],
            _plural(followup["people_followed"], "personne suivie", "personnes suivies"),
            "par un référent pédagogique pénitentiaire",
        ),
        _figure(
            followup["interviews"],
            _plural(followup["interviews"], "entretien mené", "entretiens menés"),
            f"{show(followup['by_kind'].get('information_orientation', 0))} d'information et "
            f"d'orientation, {show(followup['by_kind'].get('training_followup', 0))} de suivi",
        ),
        _figure(
            emergence["participants"],
            _plural(emergence["participants"], "participant Émergence", "participants Émergence"),
            f"de {years[0]} à {years[-1]}" if years else "",
        ),
    ]

    # Learners per directorate, the home directorate first.
    disp_rows = sorted(
        tables.disps,
        key=lambda r: (r.code != HOME_DISP, r.is_overseas, sort_key(r.code)),
    )
    disp_chart = hbar_chart(
        "disp",
        "Personnes inscrites par direction interrégionale",
        [
            Bar(
                disp_display(r),
                r.learners,
                f"({r.establishments} étab.)",
            )
            for r in disp_rows
        ],
        label_width=190,
    )
    sector_chart = paired_hbar_chart(
        "sector",
        "Inscriptions aux UE et UE validées par secteur",
        [
            PairedBar(
                r.name,
                r.enrolments if r.enrolments is not None else WITHHELD,
                r.validated,
                f"({show(r.rate)})" if r.rate is not None else "",
            )
            for r in tables.sectors
        ],
        total_label="Inscriptions aux UE",
        part_label="UE validées",
        label_width=215,
    )
    trend_learners = vbar_chart(
        "trend",
        "Personnes inscrites par année universitaire",
        [Bar(r.year, r.learners) for r in tables.trends],
        height=140,
        highlight=bilan["academic_year"],
    )
    trend_rates = hbar_chart(
        "rates",
        "Part des élèves reçus par année universitaire",
        [
            Bar(r.year, r.learner_success_rate if r.learner_success_rate is not None else "–")
            for r in tables.trends
        ],
        percent=True,
        maximum=100.0,
        label_width=80,
    )

    orientation_chart = (
        paired_hbar_chart(
            "orientation",
            "Orientations des missions locales par région du centre Cnam",
            [PairedBar(r.region, r.sent, r.enrolled) for r in tables.orientation[:-1]],
            total_label="Orientations envoyées",
            part_label="Entrées en formation",
            label_width=215,
        )
        if tables.orientation
        else ""
    )

    by_disp: dict[str, list[Any]] = {}
    for row in tables.establishments:
        by_disp.setdefault(row.disp, []).append(row)

    def total(rows: list[Any], name: str) -> int | None:
        values = [getattr(row, name) for row in rows]
        return sum(values) if all(isinstance(v, int) for v in values) else None

    establishment_groups = [
        {
            "name": disp_display(r),
            "code": r.code,
            "establishments": show(r.establishments),
            "learners": show(r.learners),
            "enrolments": show(total(by_disp.get(r.code, []), "enrolments")),
            "validated": show(total(by_disp.get(r.code, []), "validated")),
            "rows": [
                {
                    "short_name": e.short_name,
                    "label": e.label,
                    "learners": show(e.learners),
                    "enrolments": show(e.enrolments),
                    "validated": show(e.validated),
                }
                for e in sorted(by_disp.get(r.code, []), key=lambda e: sort_key(e.short_name))
            ],
        }
        for r in disp_rows
    ]
    # Many certifications are counted per formation; in publication mode the rows already are.
    per_formation = len(tables.graduates) > PRINTED_GRADUATES and tables.masked_below is None
    # Émergence: the short name of the establishment reads better than its official label (put
    # in before the columns are measured).
    shown = [
        replace(
            table,
            rows=[(r[0], tables.short_names.get(r[1], r[1]), *r[2:]) for r in table.rows],
        )
        if table.key == "emergence"
        else graduates_by_formation(tables)
        if table.key == "graduates" and per_formation
        else table
        for table in tables.sheets()
    ]
    sheets = {table.key: display_table(table, table_em) for table in shown}
    if per_formation:
        sheets["graduates"]["note"] = (
            f"{fr_int(len(tables.graduates))} certifications : le détail par établissement "
            "figure dans les exports CSV et XLSX du bilan."
        )

    summary = [line.strip() for line in summary_lines(bilan, tables)[1:] if line.strip()]
    summary = [line for line in summary if not line.startswith(("Périmètre", "Publication"))]

    def safe(svg: str) -> SafeString:
        return mark_safe(svg)  # noqa: S308 - built here, every text escaped # nosec B308 B703

    return {
        "bilan": bilan,
        "tables": tables,
        "year_slash": bilan["academic_year"].replace("-", "/"),
        "start": long_date(start),
        "end": long_date(end),
        "generated_on": long_date(tables.generated_on),
        "figures": figures,
        "summary": summary,
        "note": publication_note(tables),
        "disp_chart": safe(disp_chart),
        "sector_chart": safe(sector_chart),
        "trend_learners": safe(trend_learners),
        "trend_rates": safe(trend_rates),
        "orientation_chart": safe(orientation_chart),
        "establishment_groups": establishment_groups,
        "sheets": sheets,
        "emergence_years": f"{years[0]} à {years[-1]}" if years else "",
    }


#: Above this many certifications, the printed bilan counts them per formation (one row per
#: certification would take a page per 20 rows: 150 pages for a national year).
PRINTED_GRADUATES = 60


def graduates_by_formation(tables: Tables) -> Table:
    """The certifications of the year per formation, with how many establishments delivered
    them: what the printed bilan shows when one row per certification would fill pages (the
    exports keep one row per certification). Not for publication mode, whose rows are already
    one per formation, their counts masked."""
    formations: dict[str, tuple[GraduateRow, set[str], int]] = {}
    for row in tables.graduates:
        first, places, count = formations.get(row.formation, (row, set(), 0))
        if row.establishment:
            places.add(row.establishment)
        formations[row.formation] = (first, places, count + int(row.count))
    rows = [
        (first.formation, first.title, first.kind_label, len(places), count)
        for first, places, count in sorted(
            formations.values(), key=lambda f: (-f[2], f[0].formation)
        )
    ]
    return Table(
        "graduates",
        "Diplômés",
        "Certifications délivrées, par formation",
        ("Formation", "Intitulé", "Nature", "Établissements", "Diplômés"),
        rows,
    )


def pdf_format(bilan: dict[str, Any], tables: Tables) -> bytes:
    return render_pdf(
        "reporting/pdf/bilan.html", pdf_context(bilan, tables, table_em=BILAN_TABLE_EM)
    )
