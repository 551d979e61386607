"""Read side of the conventions: the progress of each objective, computed from the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tremplin.reporting.bilan import year_bounds
from tremplin.reporting.stamps import remember

from .indicators import (
    INDICATORS,
    ConventionScope,
    Indicator,
    Value,
    academic_years_overlapping,
)
from .models import Convention, Objective, ScopeKind

#: The progress bar is drawn in steps of this many percent (`.tr-progress-0` to
#: `.tr-progress-100` in conventions.css).
BAR_STEP = 5


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    label: str
    indicator_key: str
    indicator_label: str
    #: The unit after the actual value and after the target, agreed in number.
    actual_unit: str
    target_unit: str
    is_rate: bool
    period: str
    #: The period is over (its last day is before today).
    finished: bool
    target: Decimal
    #: The computed value; None when the indicator cannot give one (see `unavailable`).
    actual: Value
    unavailable: str
    #: actual / target, in percent, one decimal, not capped (None without a value).
    percent: Decimal | None
    #: The percent for the bar: capped to 0..100, rounded down to a step of 5, and 100 only
    #: when the target is reached.
    bar: int
    reached: bool

    @property
    def available(self) -> bool:
        return self.actual is not None

    @property
    def css_class(self) -> str:
        return f"tr-progress-{self.bar}"


def scope_of_convention(convention: Convention) -> ConventionScope:
    """The indicators' scope of a convention (reads the prefetched relations when there are)."""
    if convention.scope == ScopeKind.NATIONAL:
        return ConventionScope(national=True)
    if convention.scope == ScopeKind.DISPS:
        return ConventionScope(disp_ids=frozenset(d.pk for d in convention.disps.all()))
    if convention.scope == ScopeKind.ESTABLISHMENTS:
        return ConventionScope(
            establishment_ids=frozenset(e.pk for e in convention.establishments.all())
        )
    if convention.scope == ScopeKind.REGIONS:
        return ConventionScope(region_codes=frozenset(r.pk for r in convention.regions.all()))
    return ConventionScope()


def percent_of_target(actual: Value, target: Decimal) -> Decimal | None:
    if actual is None or target <= 0:
        return None
    return (Decimal(actual) * 100 / target).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def bar_width(percent: Decimal | None, reached: bool) -> int:
    if reached:
        return 100
    if percent is None or percent <= 0:
        return 0
    return min(100 - BAR_STEP, int(percent // BAR_STEP) * BAR_STEP)


_Memo = dict[tuple[str, ConventionScope, date, date], Value]


def stored_value(indicator: Indicator, scope: ConventionScope, start: date, end: date) -> Value:
    """The indicator over the period, computed once per state of the years it reads
    (tremplin/reporting/stamps.py)."""
    return remember(
        "indicator",
        [indicator.key, scope.as_key(), start.isoformat(), end.isoformat()],
        academic_years_overlapping(start, end),
        lambda: indicator(scope, start, end),
        indicator.stamps,
    )


def objective_progress(
    objective: Objective,
    scope: ConventionScope,
    memo: _Memo | None = None,
    today: date | None = None,
) -> ObjectiveProgress:
    indicator = INDICATORS.get(objective.indicator)
    actual: Value = None
    if indicator is not None:
        key = (indicator.key, scope, objective.period_start, objective.period_end)
        if memo is not None and key in memo:
            actual = memo[key]
        else:
            actual = stored_value(indicator, scope, objective.period_start, objective.period_end)
            if memo is not None:
                memo[key] = actual
    target = objective.target
    reached = actual is not None and Decimal(actual) >= target
    percent = percent_of_target(actual, target)
    return ObjectiveProgress(
        objective=objective,
        label=objective.label,
        indicator_key=objective.indicator,
        indicator_label=indicator.label if indicator else objective.indicator,
        actual_unit=indicator.unit_for(actual) if indicator and actual is not None else "",
        target_unit=indicator.unit_for(target) if indicator else "",
        is_rate=indicator.is_rate if indicator else False,
        period=objective.period_label,
        finished=objective.period_end < (today or timezone.localdate()),
        target=target,
        actual=actual,
        unavailable=indicator.unavailable if indicator else "indicateur inconnu",
        percent=percent,
        bar=bar_width(percent, reached),
        reached=reached,
    )


def convention_progress(
    convention: Convention, memo: _Memo | None = None
) -> list[ObjectiveProgress]:
    """The progress of each objective of the convention, in their order."""
    scope = scope_of_convention(convention)
    memo = {} if memo is None else memo
    return [objective_progress(o, scope, memo) for o in convention.objectives.all()]


def conventions_for_display() -> QuerySet[Convention]:
    return Convention.objects.prefetch_related(
        "disps",
        "establishments",
        "regions",
        Prefetch("objectives", queryset=Objective.objects.order_by("position", "id")),
    )


@dataclass(frozen=True)
class ConventionOverview:
    convention: Convention
    scope_text: str
    progress: list[ObjectiveProgress]


def conventions_overview() -> list[ConventionOverview]:
    """Every convention with the progress of its objectives (one memo for the whole page)."""
    memo: _Memo = {}
    return [
        ConventionOverview(c, scope_description(c), convention_progress(c, memo))
        for c in conventions_for_display()
    ]


def scope_description(convention: Convention) -> str:
    """The scope in words: "Tout le territoire national", "DISP PARIS, DISP RENNES"..."""
    if convention.scope == ScopeKind.DISPS:
        names = [d.code for d in convention.disps.all()]
    elif convention.scope == ScopeKind.ESTABLISHMENTS:
        names = [e.label for e in convention.establishments.all()]
    elif convention.scope == ScopeKind.REGIONS:
        names = [r.name for r in convention.regions.all()]
    else:
        return ScopeKind.NATIONAL.label
    return ", ".join(sorted(names)) or "aucun lieu désigné"


def conventions_of_year(year: str) -> list[tuple[ConventionOverview, list[ObjectiveProgress]]]:
    """The conventions with an objective whose period overlaps the year, with that progress
    (the bilan's dashboard shows them)."""
    start, end = year_bounds(year)
    shown = []
    for overview in conventions_overview():
        progress = [
            p
            for p in overview.progress
            if p.objective.period_start <= end and p.objective.period_end >= start
        ]
        if progress:
            shown.append((overview, progress))
    return shown
