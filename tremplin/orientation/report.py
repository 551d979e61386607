"""The orientation statistics as a report: the same conventions as the bilan (headline figures,
detail tables with French headers, charts drawn on the server, one formatter per format)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tremplin.core.digests import remember_document
from tremplin.core.pdf import render_pdf
from tremplin.reporting.formats.charts import Bar, PairedBar, paired_hbar_chart, vbar_chart
from tremplin.reporting.formats.common import Report
from tremplin.reporting.formats.csvfile import report_csv
from tremplin.reporting.formats.pdf import display_table, long_date, show
from tremplin.reporting.formats.xlsx import report_xlsx
from tremplin.reporting.tables import Table, days

from .publication import WITHHELD
from .stats import Figures, ReferralStats

#: The width of the printed tables in em of their text: 178 mm at 7.5 pt (pdf/statistics.html).
TABLE_EM = 67.0

HEADERS = (
    "Envoyées",
    "Premier contact",
    "Entrées en formation",
    "Taux de contact (%)",
    "Taux d'entrée (%)",
    "Délai médian du 1er contact (jours)",
    "Petites et moyennes villes (%)",
)


@dataclass(frozen=True)
class StatsReport:
    """The statistics of one period and scope, and the words that describe them."""

    stats: ReferralStats
    #: The scope in French: "toutes les orientations", "Mission locale de Saint-Malo"…
    scope: str

    @property
    def title(self) -> str:
        period = self.stats.period
        return f"Orientations des missions locales {period}".strip()

    @property
    def period_text(self) -> str:
        if self.stats.start and self.stats.end:
            return f"du {long_date(self.stats.start)} au {long_date(self.stats.end)}"
        return "toutes périodes"


def _values(f: Figures) -> tuple[Any, ...]:
    return (
        f.sent,
        f.contacted,
        f.enrolled,
        f.contact_rate,
        f.enrolment_rate,
        days(f.median_days_to_first_contact),
        f.small_medium_share,
    )


def headline(stats: ReferralStats) -> list[tuple[str, Any]]:
    total = stats.total
    return [
        ("Orientations envoyées", total.sent),
        ("Premier contact par le centre", total.contacted),
        ("Entrées en formation", total.enrolled),
        ("Taux de contact (%)", total.contact_rate),
        ("Taux d'entrée en formation (%)", total.enrolment_rate),
        ("Délai médian du premier contact (jours)", days(total.median_days_to_first_contact)),
        ("Vers une petite ou moyenne ville (%)", total.small_medium_share),
    ]


#: The group of figures each table shows (a published page may withhold one, `withheld`).
GROUP_OF = {"missions_locales": "mission_locale", "centres": "centre"}


def withheld(stats: ReferralStats) -> dict[str, str]:
    """The tables left out of a published page, with the sentence that says why."""
    return {group: WITHHELD[group] for group in stats.withheld}


def sheets(stats: ReferralStats) -> list[Table]:
    tables = [
        Table(
            "regions",
            "Par région",
            "Par région du centre Cnam",
            ("Région", *HEADERS),
            [(f.label, *_values(f)) for f in stats.by_region],
        ),
        Table(
            "months",
            "Par mois",
            "Par mois d'envoi",
            ("Mois", *HEADERS),
            [(f.label, *_values(f)) for f in stats.by_month],
        ),
        Table(
            "missions_locales",
            "Par mission locale",
            "Par mission locale",
            ("Code", "Mission locale", *HEADERS),
            [(f.key, f.label, *_values(f)) for f in stats.by_mission_locale],
        ),
        Table(
            "centres",
            "Par centre",
            "Par centre Cnam",
            ("Code", "Centre", *HEADERS),
            [(f.key, f.label, *_values(f)) for f in stats.by_centre],
        ),
    ]
    return [table for table in tables if GROUP_OF.get(table.key) not in stats.withheld]


def as_report(report: StatsReport) -> Report:
    return Report(
        title=report.title,
        scope=f"{report.scope}, {report.period_text}",
        note=" ".join(withheld(report.stats).values()) or None,
        headline=headline(report.stats),
        sheets=sheets(report.stats),
    )


def _safe(svg: str) -> SafeString:
    return mark_safe(svg)  # noqa: S308 - charts.py escapes every text # nosec B308 B703


def charts(stats: ReferralStats) -> dict[str, SafeString]:
    """The month chart (sent, the enrolled inside) and the region chart."""
    months: Sequence[Figures] = stats.by_month[-24:]
    return {
        "month_chart": _safe(
            vbar_chart(
                "months",
                "Orientations envoyées par mois",
                [Bar(_short_month(f.key), f.sent) for f in months],
                width=max(480, 34 * len(months)),
            )
        ),
        "region_chart": _safe(
            paired_hbar_chart(
                "regions",
                "Orientations envoyées et entrées en formation par région du centre Cnam",
                [PairedBar(f.label, f.sent, f.enrolled) for f in stats.by_region],
                total_label="Orientations envoyées",
                part_label="Entrées en formation",
                label_width=215,
            )
        ),
    }


def _short_month(key: str) -> str:
    """ "2026-03" -> "03/26"."""
    return f"{key[5:7]}/{key[2:4]}"


def page_context(report: StatsReport, *, table_em: float | None = None) -> dict[str, Any]:
    stats = report.stats
    return {
        "report": report,
        "stats": stats,
        # The values carry their unit ("73,28 %", "7 j"): the labels drop theirs.
        "figures": [
            (label.removesuffix(" (%)").removesuffix(" (jours)"), show(value))
            for label, value in headline(stats)
        ],
        "sheets": {table.key: display_table(table, table_em) for table in sheets(stats)},
        "withheld": withheld(stats),
        "generated_on": long_date(timezone.localdate()),
        **charts(stats),
    }


def json_format(report: StatsReport) -> str:
    return json.dumps(
        {"scope": report.scope, **report.stats.as_dict()}, ensure_ascii=False, indent=2
    )


def csv_format(report: StatsReport) -> bytes:
    return report_csv(as_report(report))


#: What lays the statistics out: this app, the bilan's formats, templates, template tags and
#: tables it borrows (the whole reporting app), and `core`.
SOURCES = (
    Path(__file__).resolve().parent,
    Path(__file__).resolve().parents[1] / "reporting",
    Path(__file__).resolve().parents[1] / "core",
)


def xlsx_format(report: StatsReport) -> bytes:
    return remember_document(
        "orientation-stats-xlsx",
        (report, timezone.localdate()),
        SOURCES,
        lambda: report_xlsx(as_report(report)),
        dated=True,
    )


def pdf_format(report: StatsReport) -> bytes:
    """The statistics printed (the whole country's: about 1,000 table rows, 15 s to lay out),
    stored once laid out for the same figures on the same day."""
    return remember_document(
        "orientation-stats-pdf",
        (report, timezone.localdate()),
        SOURCES,
        lambda: render_pdf(
            "orientation/pdf/statistics.html", page_context(report, table_em=TABLE_EM)
        ),
        dated=True,
    )


FORMATTERS: dict[str, Callable[[StatsReport], bytes | str]] = {
    "json": json_format,
    "csv": csv_format,
    "xlsx": xlsx_format,
    "pdf": pdf_format,
}
