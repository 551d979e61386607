"""`tremplin orientation stats 2025 [--academic] [--mission-locale CODE] [--centre CODE]
--format json|text|csv`: the figures of the statistics page (`stats.referral_stats`, the same
selector, and the same report as the page's exports), on the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from tremplin.places.models import CnamCentre, MissionLocale
from tremplin.reporting.formats.pdf import show

from .report import HEADERS, StatsReport, csv_format, headline, json_format, sheets
from .stats import referral_stats

STATS_FORMATS = ("text", "json", "csv")


def period_of(year: str | None, *, academic: bool) -> str | None:
    """The period of the selector: "2025" (calendar year), "2025-2026" with --academic (or given
    as such); None: every year."""
    if year is None:
        if academic:
            raise CommandError("--academic s'applique à une année : ex. `stats 2025 --academic`.")
        return None
    text = year.strip()
    if text.isdigit() and len(text) == 4:
        return f"{text}-{int(text) + 1}" if academic else text
    return text


def _find(model: type[MissionLocale] | type[CnamCentre], code: str | None, what: str) -> Any:
    if code is None:
        return None
    found = model._default_manager.filter(code__iexact=code.strip()).first()
    if found is None:
        raise CommandError(f"{what} : « {code} » (indiquez son code).")
    return found


def stats_report(
    year: str | None, *, academic: bool, mission_locale: str | None, centre: str | None
) -> StatsReport:
    ml = _find(MissionLocale, mission_locale, "Mission locale inconnue")
    cnam = _find(CnamCentre, centre, "Centre Cnam inconnu")
    try:
        stats = referral_stats(
            year=period_of(year, academic=academic), mission_locale=ml, centre=cnam
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    parts = []
    if ml is not None:
        parts.append(f"mission locale\u00a0: {ml.name}")
    if cnam is not None:
        parts.append(f"centre\u00a0: {cnam.name}")
    scope = " ; ".join(parts) if parts else "toutes les missions locales et tous les centres"
    return StatsReport(stats, scope)


def text_lines(report: StatsReport) -> list[str]:
    """The page's figures as French text: the headline, then each table."""
    lines = [f"{report.title} — {report.scope}, {report.period_text}", ""]
    for label, value in headline(report.stats):
        lines.append(f"{label.removesuffix(' (%)').removesuffix(' (jours)')}\u00a0: {show(value)}")
    for table in sheets(report.stats):
        lines += ["", f"{table.title}\u00a0:"]
        if not table.rows:
            lines.append("  aucune orientation")
            continue
        cells = [list(table.headers)] + [[show(v) for v in row] for row in table.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(table.headers))]
        for row in cells:
            lines.append(
                "  "
                + "  ".join(
                    cell.ljust(widths[i]) if i < len(row) - len(HEADERS) else cell.rjust(widths[i])
                    for i, cell in enumerate(row)
                ).rstrip()
            )
    return lines


def render(report: StatsReport, fmt: str) -> str:
    if fmt == "json":
        return json_format(report)
    if fmt == "csv":
        return csv_format(report).decode("utf-8")
    return "\n".join(text_lines(report))
