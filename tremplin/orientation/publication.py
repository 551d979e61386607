"""The orientation statistics in publication mode (the statistician's figures), masked like the
bilan (`tremplin.reporting.suppression`): counts of young people from 1 to threshold - 1 read
« < 5 », the secondary cells « n.c. », and the rates and the median delay of a row with a masked
count are withheld.

So that no page gives back what another masks, the masks are decided once over every cell a
published page can show, then each page reads its own. What may be published is bounded so that
this stays a few seconds at national scale (a million referrals, 436 missions locales, 500
centres), once per state of the year's data:

- one academic year at a time, the programme's reporting year (the bilan's): months belong to
  one academic year only, so each year's cells are decided apart. Calendar years and « all
  periods » overlap several academic years and would tie every year's cells together; they stay
  on the coordinators' (unmasked) pages;
- a mission locale is never crossed with a centre: nearly every such cell counts fewer than five
  young people at national scale (hundreds of thousands of cells, all « < 5 »), so a mission
  locale's page publishes its referrals by region of the centre and by month, a centre's page
  by month, and a page of both is refused.

The cells of a year: (count, who, where, when), who "*" or a mission locale's code, where "*",
"r:<region>" or "c:<centre code>" (a centre only with who "*"), when the year or a month
"YYYY-MM". The relations « total = sum of parts »: the missions locales of a place and time; the
regions of a mission locale or of all, the centres of a region and of all; the months of the
year. The masked cells are stored per state of the year's referrals (`ReferralStamp`,
reporting/stamps.py: an enrolment or an interview written in the year leaves them), one entry
per mission locale and one for the pages of all missions locales, each read by its pages only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.cache import caches
from django.db.models import Count, Q

from tremplin.catalog.academic import academic_year_bounds
from tremplin.core.collector import cycle_collection_paused
from tremplin.core.routers import reports
from tremplin.places.models import CnamCentre, MissionLocale
from tremplin.reporting.models import ReferralStamp
from tremplin.reporting.stamps import CACHE, TIMEOUT, key, tokens
from tremplin.reporting.suppression import SECONDARY, primary, suppress

from .models import Referral
from .stats import (
    COUNTS,
    REACHED_STATUSES,
    SMALL_OR_MEDIUM,
    Cell,
    Figures,
    ReferralStats,
    _period,
    raw_rows,
)

#: A cell: (count, who, where, when), see the module's docstring.
PublishedCell = tuple[str, str, str, str]
ALL = "*"

#: The tables a published page leaves out, and why (the page says it).
WITHHELD = {
    "mission_locale": "Les chiffres publiés ne croisent pas un centre Cnam et les missions "
    "locales : choisissez « Toutes » les missions locales pour ce tableau.",
    "centre": "Les chiffres publiés ne croisent pas une mission locale et les centres Cnam : "
    "ses orientations sont publiées par région du centre.",
}


class NotPublishable(ValueError):
    """A page the published figures do not offer (the form says it before)."""


def is_academic_year(period: str) -> bool:
    """Whether `period` names an academic year ("2025-2026"), as the statistics read it."""
    try:
        _label, start, _end = _period(period)
    except ValueError:
        return False
    return start is not None and start.month == 9


def _year_values(year: str) -> dict[PublishedCell, int]:
    """Every count a published page of `year` can show: one grouped query over the year's
    referrals (by mission locale, centre, month and delay, the statistics' covering index),
    then rolled up."""
    first, last = academic_year_bounds(year)
    ml_code = dict(MissionLocale.objects.values_list("pk", "code"))
    centres = {
        pk: (code, region)
        for pk, code, region in CnamCentre.objects.values_list("pk", "code", "region_id")
    }
    rows = _year_rows(first.replace(day=1), last)
    # (who, where, month) -> the four counts, at the finest published grain first.
    finest: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    month_keys: dict[Any, str] = {}
    regions = {centre: f"r:{region}" for centre, (_code, region) in centres.items()}
    codes = {centre: f"c:{code}" for centre, (code, _region) in centres.items()}
    for ml, centre, month, sent, contacted, enrolled, small_medium in rows:
        month_key = month_keys.get(month)
        if month_key is None:
            month_key = month_keys[month] = (
                month.strftime("%Y-%m") if isinstance(month, date) else str(month)[:7]
            )
        who = ml_code.get(ml, str(ml))
        for target in (
            (who, regions.get(centre, "r:"), month_key),
            (ALL, codes.get(centre, f"c:{centre}"), month_key),
        ):
            sums = finest[target]
            sums[0] += sent
            sums[1] += contacted
            sums[2] += enrolled
            sums[3] += small_medium
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (who, where, month), (sent, contacted, enrolled, small_medium) in finest.items():
        if who == ALL:  # a centre's: itself, its month and its year
            targets = [(ALL, where, month), (ALL, where, year)]
        else:  # a mission locale's in a region: it there and everywhere, all of them there
            targets = [
                (who, where, month),
                (who, where, year),
                (who, ALL, month),
                (who, ALL, year),
                (ALL, where, month),
                (ALL, where, year),
                (ALL, ALL, month),
                (ALL, ALL, year),
            ]
        for target in targets:
            sums = cells[target]
            sums[0] += sent
            sums[1] += contacted
            sums[2] += enrolled
            sums[3] += small_medium
    return {
        (name, who, where, when): counts[i]
        for (who, where, when), counts in cells.items()
        for i, name in enumerate(COUNTS)
    }


def _year_rows(first: date, last: date) -> list[tuple[Any, ...]]:
    """The year's referrals per mission locale, centre and month: sent, contacted (a first
    contact's delay known, or a status past it), enrolled, to a small or medium town. The
    statistics' own groups also split by delay, for their medians, which the masks need not
    (2025-2026: 237,720 groups to read)."""
    query = (
        Referral.objects.filter(sent_month__gte=first, sent_month__lte=last)
        .order_by()
        .values("mission_locale_id", "centre_id", "sent_month")
        .annotate(
            n_sent=Count("*"),
            n_contacted=Count(
                "pk", filter=Q(first_contact_days__isnull=False) | Q(status__in=REACHED_STATUSES)
            ),
            n_enrolled=Count("pk", filter=Q(status=Referral.Status.ENROLLED)),
            n_small_medium=Count("pk", filter=SMALL_OR_MEDIUM),
        )
        .values_list(
            "mission_locale_id",
            "centre_id",
            "sent_month",
            "n_sent",
            "n_contacted",
            "n_enrolled",
            "n_small_medium",
        )
    )
    return raw_rows(query)


def _relations(
    values: dict[PublishedCell, int], region_of: dict[str, str], year: str
) -> list[tuple[PublishedCell, list[PublishedCell]]]:
    """Every « total = sum of parts » a set of published pages shows: each total's parts of one
    kind (the missions locales, the regions, a region's or all centres, the months) as one
    relation, in the order of (total, smallest part), the order the suppression works in."""
    parts_of: dict[tuple[PublishedCell, str], list[PublishedCell]] = defaultdict(list)
    regions: dict[str, str] = {}
    for cell in values:
        name, who, where, when = cell
        if who != ALL:  # a mission locale among all of them, here and then
            parts_of[((name, ALL, where, when), "ml")].append(cell)
        if where.startswith("r:"):  # a region among the regions
            parts_of[((name, who, ALL, when), "r:")].append(cell)
        elif where.startswith("c:"):  # a centre among its region's and among all
            region = regions.get(where)
            if region is None:
                region = regions[where] = f"r:{region_of.get(where[2:], '')}"
            parts_of[((name, who, region, when), "c:")].append(cell)
            parts_of[((name, who, ALL, when), "c:")].append(cell)
        if when != year:  # a month of the year
            parts_of[((name, who, where, year), "month")].append(cell)
    # Two relations of one total have no part in common: their smallest parts order them as
    # their sorted lists would. The order of the parts within a relation changes nothing.
    ordered = sorted(((total, min(parts)), parts) for (total, _kind), parts in parts_of.items())
    return [(total, parts) for (total, _first), parts in ordered]


def decide(threshold: int, year: str) -> dict[str, frozenset[str]]:
    """The masked cells of every published page of `year`, per reader: ALL (the pages of every
    mission locale, which list each mission locale's figures of the year) and each mission
    locale's code (its own pages)."""
    with cycle_collection_paused():  # 255,000 cells at national scale: core/collector.py
        values = _year_values(year)
        region_of = dict(CnamCentre.objects.values_list("code", "region_id"))
        hidden = suppress(values, _relations(values, region_of, year), primary(values, threshold))
    readers: dict[str, set[str]] = defaultdict(set)
    for cell in hidden:
        _name, who, _where, when = cell
        text = "|".join(cell)
        readers[who].add(text)
        if who != ALL and when == year:
            readers[ALL].add(text)
    return {who: frozenset(cells) for who, cells in readers.items()}


def _entry(threshold: int, year: str, who: str, year_tokens: dict[str, int]) -> str:
    return key("orientation-masks", [threshold, year, who], year_tokens)


@reports
def masked_cells(threshold: int, year: str, who: str) -> frozenset[str]:
    """The masked cells the pages of `who` (ALL or a mission locale's code) show in `year`:
    decided for every reader at once, once per state of the year's referrals
    (`ReferralStamp`), one entry per reader."""
    found = tokens([year], ReferralStamp)
    if year not in found:  # outside the stamps' range: decided each time
        return decide(threshold, year).get(who, frozenset())
    cache = caches[CACHE]
    text = cache.get(_entry(threshold, year, who, found))
    if text is not None:
        return frozenset(text.split("\n")) if text else frozenset()
    decided = decide(threshold, year)
    readers = set(MissionLocale.objects.values_list("code", flat=True)) | set(decided) | {ALL}
    cache.set_many(
        {
            _entry(threshold, year, reader, found): "\n".join(sorted(decided.get(reader, ())))
            for reader in readers
        },
        TIMEOUT,
    )
    return decided.get(who, frozenset())


def publishable(period: str, mission_locale: bool, centre: bool) -> str | None:
    """Why a page cannot be published (in French), None when it can."""
    if not is_academic_year(period):
        return (
            "Les chiffres publiés des orientations sont établis par année universitaire : "
            "choisissez une année universitaire."
        )
    if mission_locale and centre:
        return (
            "Les chiffres publiés ne croisent pas une mission locale et un centre Cnam : "
            "choisissez « Tous » les centres ou « Toutes » les missions locales."
        )
    return None


def publish_stats(stats: ReferralStats, threshold: int = 5) -> ReferralStats:
    """The statistics of one page for publication: the year's masks (`masked_cells`), then this
    page's own relations; a table the published figures do not cross is left out
    (`ReferralStats.withheld`). Raises NotPublishable for a page they do not offer."""
    why = publishable(stats.period, bool(stats.mission_locale), bool(stats.centre))
    if why is not None:
        raise NotPublishable(why)
    withheld = ("mission_locale",) if stats.centre else ("centre",) if stats.mission_locale else ()
    groups = {
        "mission_locale": () if "mission_locale" in withheld else stats.by_mission_locale,
        "centre": () if "centre" in withheld else stats.by_centre,
        "region": stats.by_region,
        "month": stats.by_month,
    }
    values: dict[Any, int] = {}
    for group, rows in [("total", (stats.total,)), *groups.items()]:
        for row in rows:
            for name, value in row.counts().items():
                values[(group, row.key, name)] = int(value)
    relations = [
        (("total", stats.total.key, name), [(group, row.key, name) for row in rows])
        for group, rows in groups.items()
        for name in COUNTS
    ]
    forced: set[Any] = set()
    canonical = _canonical(stats)
    if canonical is not None and int(stats.total.sent):
        everywhere = masked_cells(threshold, stats.period, stats.mission_locale or ALL)
        forced = {k for k in values if canonical(k) in everywhere}
    hidden = suppress(values, relations, primary(values, threshold) | forced)

    def masked_row(group: str, row: Figures) -> Figures:
        keys = {name: (group, row.key, name) for name in COUNTS}
        if not any(k in hidden for k in keys.values()):
            return row
        cells: dict[str, Cell] = {
            name: (
                (f"< {threshold}" if 0 < values[k] < threshold else SECONDARY)
                if k in hidden
                else values[k]
            )
            for name, k in keys.items()
        }
        return replace(
            row,
            sent=cells["sent"],
            contacted=cells["contacted"],
            enrolled=cells["enrolled"],
            small_medium=cells["small_medium"],
            median_days_to_first_contact=None,
        )

    def masked_rows(group: str) -> tuple[Figures, ...]:
        return tuple(masked_row(group, row) for row in groups[group])

    return replace(
        stats,
        total=masked_row("total", stats.total),
        by_mission_locale=masked_rows("mission_locale"),
        by_centre=masked_rows("centre"),
        by_region=masked_rows("region"),
        by_month=masked_rows("month"),
        withheld=withheld,
    )


def _canonical(stats: ReferralStats) -> Callable[[tuple[str, str, str]], str] | None:
    """The cell of `decide` that a (group, row key, count) of this page shows, as stored; None
    for a page of several regions (a regional coordinator's, never published)."""
    if len(stats.regions) > 1:
        return None
    who = stats.mission_locale or ALL
    where = (
        f"c:{stats.centre}" if stats.centre else f"r:{stats.regions[0]}" if stats.regions else ALL
    )
    year = stats.period

    def canonical(cell: tuple[str, str, str]) -> str:
        group, row, name = cell
        if group == "total":
            return f"{name}|{who}|{where}|{year}"
        if group == "mission_locale":
            return f"{name}|{row}|{where}|{year}"
        if group == "centre":
            return f"{name}|{who}|c:{row}|{year}"
        if group == "region":  # within a centre's page, the centre's referrals
            return f"{name}|{who}|{where if stats.centre else f'r:{row}'}|{year}"
        return f"{name}|{who}|{where}|{row}"

    return canonical
