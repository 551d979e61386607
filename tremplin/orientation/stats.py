"""The figures of the orientation: per mission locale, per centre, per region (the centre's Cnam
region) and per month of sending, how many referrals were sent, how many reached the centre's
first contact, how many ended enrolled, the conversion rates, the median delay to the first
contact and the share of referrals to small and medium towns.

Definitions:

- `sent`: referrals sent in the period (by `sent_at`, local time).
- `contacted`: those that reached at least "contacted": status contacted, information meeting or
  enrolled, or closed after a first contact (`first_contact_days` set).
- `enrolled`: status enrolled.
- `contact_rate` = contacted / sent, `enrolment_rate` = enrolled / sent: percentages, two
  decimals, rounded half up; 0.0 when nothing was sent.
- `median_days_to_first_contact`: median, over the referrals with a first contact recorded in
  Tremplin, of the whole days (24 h) elapsed from sending to that contact; the mean of the two
  middle values when their number is even; None when there is none.
- `small_medium_share`: percentage of the referrals whose centre is in a small (2,500 to 20,000
  inhabitants) or medium (20,000 to 100,000) town, from the size class stored when sent.

Everything is aggregated by the database in two passes, each in the order of a covering index so
that SQLite streams the groups instead of sorting the rows (a sort costs about a microsecond per
row there; PostgreSQL reads the same indexes):

1. grouped by (mission locale, centre, delay), on `referral_stats_by_place`: the counts and the
   delays' histogram of every mission locale and centre, hence of every region and of the whole.
   On SQLite the period's filter is written `+sent_at`, so that the planner scans this index
   rather than searching the `sent_at` one and sorting;
2. grouped by (month, delay), on `referral_stats_by_month`: the months.

Python then adds up the grouped rows (about a hundred thousand for a million referrals spread
over 436 missions locales and 500 centres; never one per referral). The delay and the month are
kept with each referral (`first_contact_days`, set with the first contact by
services.move_referral; `sent_month`, the local month of `sent_at`, set by Referral.save()).
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    Q,
    QuerySet,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from tremplin.catalog.academic import (
    academic_year_of,
    academic_years_overlapping,
    next_academic_year,
)
from tremplin.core.routers import reports
from tremplin.core.typography import MONTHS
from tremplin.places.models import CnamCentre, MissionLocale, Region, SizeClass

from .models import Referral

#: A count of young people: an int, or a masked count in publication mode.
Cell = int | str

Status = Referral.Status

MONTHS_FR = MONTHS

#: Statuses past "contacted": a referral in one of them, or closed after a first contact (its
#: `first_contact_days` set), reached at least "contacted".
REACHED_STATUSES = (Status.CONTACTED, Status.INFORMATION_MEETING, Status.ENROLLED)
SMALL_OR_MEDIUM = Q(size_class__in=[SizeClass.SMALL, SizeClass.MEDIUM])


class Unindexed(Func):
    """A column that SQLite's planner will not look up in an index (a unary plus, a no-op on
    its value): the filter is then applied while reading the covering index in GROUP BY order.
    Plain on other databases."""

    template = "%(expressions)s"

    def as_sqlite(
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def percentage(part: int, whole: int) -> float:
    """100 * part / whole, rounded half up to two decimals; 0.0 when whole is 0."""
    if not whole:
        return 0.0
    ratio = Decimal(100 * part) / Decimal(whole)
    return float(ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def median(histogram: Counter[int]) -> float | None:
    """Median of the values counted in a histogram {value: count}."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based ranks of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
        if not wanted:
            break
    return (found[0] + found[1]) / 2


@dataclass(frozen=True)
class Figures:
    """The figures of one group (a mission locale, a centre, a region, a month, or all)."""

    key: str
    label: str
    #: Counts of young people: ints, or in publication mode « < 5 » / « n.c. » (`publish_stats`).
    sent: Cell
    contacted: Cell
    enrolled: Cell
    small_medium: Cell
    median_days_to_first_contact: float | None

    @property
    def contact_rate(self) -> float | None:
        return _rate(self.contacted, self.sent)

    @property
    def enrolment_rate(self) -> float | None:
        return _rate(self.enrolled, self.sent)

    @property
    def small_medium_share(self) -> float | None:
        return _rate(self.small_medium, self.sent)

    @property
    def masked(self) -> bool:
        return any(isinstance(v, str) for v in self.counts().values())

    def counts(self) -> dict[str, Cell]:
        return {name: getattr(self, name) for name in COUNTS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "sent": self.sent,
            "contacted": self.contacted,
            "enrolled": self.enrolled,
            "contact_rate": self.contact_rate,
            "enrolment_rate": self.enrolment_rate,
            "median_days_to_first_contact": self.median_days_to_first_contact,
            "small_medium": self.small_medium,
            "small_medium_share": self.small_medium_share,
        }


#: The counts of a row of figures (counts of young people).
COUNTS = ("sent", "contacted", "enrolled", "small_medium")


def _rate(part: Cell, whole: Cell) -> float | None:
    """A percentage, withheld (None) when one of its counts is masked."""
    if isinstance(part, str) or isinstance(whole, str):
        return None
    return percentage(part, whole)


@dataclass(frozen=True)
class ReferralStats:
    #: The period: "2026" (calendar year), "2025-2026" (academic year), or "" for all time.
    period: str
    start: date | None
    end: date | None
    regions: tuple[str, ...]
    mission_locale: str
    centre: str
    total: Figures
    by_mission_locale: tuple[Figures, ...]
    by_centre: tuple[Figures, ...]
    by_region: tuple[Figures, ...]
    by_month: tuple[Figures, ...]
    #: The tables left out of a published page (publication.WITHHELD says why).
    withheld: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "filters": {
                "regions": list(self.regions),
                "mission_locale": self.mission_locale,
                "centre": self.centre,
            },
            "total": self.total.as_dict(),
            "by_mission_locale": [f.as_dict() for f in self.by_mission_locale],
            "by_centre": [f.as_dict() for f in self.by_centre],
            "by_region": [f.as_dict() for f in self.by_region],
            "by_month": [f.as_dict() for f in self.by_month],
            "withheld": list(self.withheld),
        }


def _period(year: int | str | None) -> tuple[str, date | None, date | None]:
    """(label, first day, day after the last) of a calendar year (2026 or "2026") or an academic
    year ("2025-2026", 1 September to 31 August)."""
    if year is None or year == "":
        return "", None, None
    text = str(year).strip()
    if text.isdigit() and len(text) == 4:
        return text, date(int(text), 1, 1), date(int(text) + 1, 1, 1)
    parts = text.split("-")
    if (
        len(parts) == 2
        and all(p.isdigit() and len(p) == 4 for p in parts)
        and int(parts[1]) == int(parts[0]) + 1
    ):
        return text, date(int(parts[0]), 9, 1), date(int(parts[1]), 9, 1)
    raise ValueError(f"Période inconnue : {year} (une année, ex. 2026, ou 2025-2026).")


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _months(first: date, after: date) -> list[date]:
    """First days of the months from `first`'s month up to (excluding) `after`."""
    months = []
    current = first.replace(day=1)
    while current < after:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _month_label(month: date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def _pk(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def _selection(regions: tuple[str, ...], mission_locale: Any, centre: Any) -> QuerySet[Referral]:
    qs = Referral.objects.order_by()
    if regions:
        qs = qs.filter(centre_id__in=CnamCentre.objects.filter(region_id__in=regions).values("pk"))
    if mission_locale is not None:
        qs = qs.filter(mission_locale_id=_pk(mission_locale))
    if centre is not None:
        qs = qs.filter(centre_id=_pk(centre))
    return qs


def _grouped(qs: QuerySet[Referral], *fields: str) -> list[tuple[Any, ...]]:
    """Rows of `fields` (the last one being `first_contact_days`) followed by four counts: sent,
    contacted, enrolled, to a small or medium town. A group with a delay was contacted as a
    whole; in the group without one, the status says (counts with simple filters: the cheapest
    form for SQLite). The SQL is Django's; the rows are read straight from the cursor, without
    the per-row converters of a queryset (integers need none)."""
    query = (
        qs.values(*fields)
        .annotate(
            n_sent=Count("*"),
            n_reached=Count("status", filter=Q(status__in=REACHED_STATUSES)),
            n_enrolled=Count("status", filter=Q(status=Status.ENROLLED)),
            n_small_medium=Count("size_class", filter=SMALL_OR_MEDIUM),
        )
        .values_list(*fields, "n_sent", "n_reached", "n_enrolled", "n_small_medium")
    )
    return [
        (*row[:-4], row[-4], row[-4] if row[-5] is not None else row[-3], row[-2], row[-1])
        for row in raw_rows(query)
    ]


def raw_rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` query straight from the cursor, without the per-row
    converters of a queryset (counts and ids need none), on the query's database (the
    replica inside the reports); none for a query that cannot match."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class _Group:
    sent: int = 0
    contacted: int = 0
    enrolled: int = 0
    small_medium: int = 0

    def __post_init__(self) -> None:
        self.delays: Counter[int] = Counter()

    def add(self, sent: int, contacted: int, enrolled: int, small_medium: int) -> None:
        self.sent += sent
        self.contacted += contacted
        self.enrolled += enrolled
        self.small_medium += small_medium

    def figures(self, key: str, label: str) -> Figures:
        return Figures(
            key=key,
            label=label,
            sent=self.sent,
            contacted=self.contacted,
            enrolled=self.enrolled,
            small_medium=self.small_medium,
            median_days_to_first_contact=median(self.delays),
        )


@reports  # read-only: on the replica when there is one (docs/scaling.md)
def referral_stats(
    *,
    year: int | str | None = None,
    region: str | Iterable[str] | None = None,
    mission_locale: MissionLocale | int | None = None,
    centre: CnamCentre | int | None = None,
) -> ReferralStats:
    """The figures of the referrals sent in `year` (calendar year, or academic year
    "2025-2026"; every year when None), optionally limited to the centres of one or more Cnam
    regions (INSEE codes), one mission locale, one centre. Aggregated figures only: the page
    decides who may see them and passes the scope's mission locale or centre.

    Computed once per state of the referrals of the academic years the period overlaps
    (`ReferralStamp`, tremplin/reporting/stamps.py), and per month (the months listed stop at
    this one)."""
    from tremplin.reporting.models import ReferralStamp
    from tremplin.reporting.stamps import remember, stamped_years_up_to

    period, start, end = _period(year)
    regions = (
        ()
        if region is None
        else (region,)
        if isinstance(region, str)
        else tuple(sorted(set(region)))
    )
    today = timezone.localdate()
    if start is not None and end is not None:
        years = academic_years_overlapping(start, end - timedelta(days=1))
    else:  # every year: those with a stamp, up to the next one
        years = stamped_years_up_to(academic_year_of(today))
        years.append(next_academic_year(years[-1]))
    parts = [period, list(regions), _pk(mission_locale), _pk(centre), f"{today:%Y-%m}"]
    return remember(
        "referral_stats",
        parts,
        years,
        lambda: _referral_stats(period, start, end, regions, mission_locale, centre),
        ReferralStamp,
    )


def _referral_stats(
    period: str,
    start: date | None,
    end: date | None,
    regions: tuple[str, ...],
    mission_locale: MissionLocale | int | None,
    centre: CnamCentre | int | None,
) -> ReferralStats:
    qs = _selection(regions, mission_locale, centre)
    if start is not None and end is not None:
        months = _months(start, end)
    else:
        # Two single steps in the index `referral_stats_by_month`.
        first = qs.order_by("sent_month").values_list("sent_month", flat=True).first()
        last = qs.order_by("-sent_month").values_list("sent_month", flat=True).first()
        months = _months(first, _next_month(last)) if first and last else []

    # 1. Per (mission locale, centre, delay), in the order of `referral_stats_by_place`.
    by_place = qs
    if start is not None and end is not None:
        by_place = qs.alias(sent=Unindexed(F("sent_at"), output_field=DateTimeField())).filter(
            sent__gte=_aware(start), sent__lt=_aware(end)
        )
    by_ml: dict[int, _Group] = defaultdict(_Group)
    by_centre: dict[int, _Group] = defaultdict(_Group)
    for ml_id, centre_id, days, sent, contacted, enrolled, small_medium in _grouped(
        by_place, "mission_locale_id", "centre_id", "first_contact_days"
    ):
        for group in (by_ml[ml_id], by_centre[centre_id]):
            group.sent += sent
            group.contacted += contacted
            group.enrolled += enrolled
            group.small_medium += small_medium
            if days is not None:
                group.delays[days] += sent

    # 2. Per (month, delay), in the order of `referral_stats_by_month`.
    in_period = qs
    if start is not None and end is not None:
        in_period = qs.filter(sent_month__gte=start, sent_month__lt=end)
    by_month: dict[str, _Group] = defaultdict(_Group)
    for month, days, sent, contacted, enrolled, small_medium in _grouped(
        in_period, "sent_month", "first_contact_days"
    ):
        group = by_month[str(month)[:7]]  # a date, or its ISO text from SQLite's cursor
        group.add(sent, contacted, enrolled, small_medium)
        if days is not None:
            group.delays[days] += sent

    centre_rows = {
        pk: (code, name, region_id)
        for pk, code, name, region_id in CnamCentre.objects.filter(
            pk__in=list(by_centre)
        ).values_list("pk", "code", "name", "region_id")
    }
    ml_rows = {
        pk: (code, name)
        for pk, code, name in MissionLocale.objects.filter(pk__in=list(by_ml)).values_list(
            "pk", "code", "name"
        )
    }
    region_names = dict(
        Region.objects.filter(code__in={r[2] for r in centre_rows.values()}).values_list(
            "code", "name"
        )
    )

    total = _Group()
    by_region: dict[str, _Group] = defaultdict(_Group)
    for centre_id, group in by_centre.items():
        for target in (total, by_region[centre_rows[centre_id][2]]):
            target.add(group.sent, group.contacted, group.enrolled, group.small_medium)
            target.delays.update(group.delays)

    def ordered(figures: Iterator[Figures]) -> tuple[Figures, ...]:
        return tuple(sorted(figures, key=lambda f: (-int(f.sent), f.label)))

    # The months of the period up to this one (a month still to come has nothing to show).
    this_month = timezone.localdate().replace(day=1)
    month_figures = tuple(
        by_month.get(f"{m:%Y-%m}", _Group()).figures(f"{m:%Y-%m}", _month_label(m))
        for m in months
        if m <= this_month or f"{m:%Y-%m}" in by_month
    )
    return ReferralStats(
        period=period,
        start=start,
        end=None if end is None else end - timedelta(days=1),
        regions=regions,
        mission_locale=_code_of(mission_locale, MissionLocale),
        centre=_code_of(centre, CnamCentre),
        total=total.figures("total", "Ensemble"),
        by_mission_locale=ordered(
            g.figures(*ml_rows[pk]) if pk in ml_rows else g.figures(str(pk), str(pk))
            for pk, g in by_ml.items()
        ),
        by_centre=ordered(
            g.figures(centre_rows[pk][0], centre_rows[pk][1]) for pk, g in by_centre.items()
        ),
        by_region=ordered(
            g.figures(code, region_names.get(code, code)) for code, g in by_region.items()
        ),
        by_month=month_figures,
    )


def _next_month(month: date) -> date:
    days = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1) + timedelta(days=days)


def _code_of(value: Any, model: type[MissionLocale] | type[CnamCentre]) -> str:
    if value is None:
        return ""
    if isinstance(value, model):
        return value.code
    found = model.objects.filter(pk=value).values_list("code", flat=True).first()
    return found or str(value)
