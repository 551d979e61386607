"""Publication mode across scopes: the masked cells of a year are decided once for every scope
a bilan can be restricted to (the whole programme, a DISP, an establishment, a sector, and a
DISP or an establishment within a sector), so that no masked cell can be recovered by
subtracting the figures of one scope from those of another.

Every count the bilan publishes is a cell of one cross-tabulation, named canonically:
``(measure, academic year, place, column)`` where the place is ``(DISP, establishment)``
(both None for the whole programme, the establishment None for a DISP) and the column a path
(``()``, ``(sector,)``, ``(sector, UE)``; ``(kind,)`` for the follow-up; ``(cohort year,)``
for Émergence; ``(sector, formation)`` for the graduates; ``(cause,)`` for abandonments). A
cell is the total of its children along the places (whole = DISPs, DISP = establishments) and
along the columns (all = sectors, sector = UEs): the relations of `suppression.suppress`,
applied to the whole cross-tabulation at once. The enrolment counts shown next to a count of
people are withheld with it. `tables.publish` then masks a bilan with the cells of its scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

from tremplin.emergence.models import Participant
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.followup.models import Interview
from tremplin.learners.models import Placement

from .bilan import AWARDED, CANCELLED, VALIDATED, Scope, emergence_years, year_bounds
from .suppression import primary, suppress

Place = tuple[str | None, str | None]
Key = tuple[str, str, Place, tuple[str, ...]]

#: Measures that count people (masked below the threshold); the others count enrolments.
PEOPLE = frozenset({"learners", "followed", "participants", "graduates", "abandoned"})
#: A count of enrolments withheld with the count of people of the same cell.
WITHHELD_WITH = {"enrolments": "learners", "validated": "learners", "abandon_enr": "abandoned"}
#: The people followed (interviews): a measure of its own in every relation, decided apart
#: (`published_cells`).
FOLLOWED = "followed"


def place_of(scope: Scope) -> Place:
    if scope.establishment is not None:
        return (scope.establishment.disp.code, scope.establishment.label)
    if scope.disp is not None:
        return (scope.disp.code, None)
    return (None, None)


def column_of(scope: Scope) -> tuple[str, ...]:
    return (scope.sector.code,) if scope.sector is not None else ()


#: A cell as rows add it, before any total: (measure, year, DISP, establishment, column).
Leaf = tuple[str, str, str | None, str | None, tuple[str, ...]]


@dataclass
class CrossTab:
    """The cells of one cross-tabulation. `add` is called once per enrolment, interview,
    participant or certification (about 600,000 times for a national year): it only gathers
    the row's own cell; the totals along the places and the columns, and their relations, are
    derived once per cell when first read (`people`, `counts`, `children`)."""

    leaf_people: dict[Leaf, set[int]] = field(default_factory=lambda: defaultdict(set))
    leaf_counts: dict[Leaf, int] = field(default_factory=lambda: defaultdict(int))
    _cells: tuple[dict[Key, set[int]], dict[Key, int], dict[tuple[Key, str], set[Key]]] | None = (
        field(default=None, repr=False)
    )

    def add(
        self,
        measure: str,
        year: str,
        person: int,
        disp: str | None,
        establishment: str | None,
        column: tuple[str, ...],
    ) -> None:
        leaf = (measure, year, disp, establishment if disp is not None else None, column)
        if measure in PEOPLE:
            self.leaf_people[leaf].add(person)
        else:
            self.leaf_counts[leaf] += 1
        self._cells = None

    @property
    def people(self) -> dict[Key, set[int]]:
        return self._derived()[0]

    @property
    def counts(self) -> dict[Key, int]:
        return self._derived()[1]

    @property
    def children(self) -> dict[tuple[Key, str], set[Key]]:
        """(parent, axis) -> children."""
        return self._derived()[2]

    def _derived(
        self,
    ) -> tuple[dict[Key, set[int]], dict[Key, int], dict[tuple[Key, str], set[Key]]]:
        """Every cell, each a total of the rows' cells it holds: the whole programme, the
        row's DISP and establishment, along the column's path (all, sector, UE)."""
        if self._cells is not None:
            return self._cells
        people: dict[Key, set[int]] = defaultdict(set)
        counts: dict[Key, int] = defaultdict(int)
        for (measure, year, disp, establishment, column), persons in self.leaf_people.items():
            for key in _cells_of(measure, year, disp, establishment, column):
                people[key].update(persons)
        for (measure, year, disp, establishment, column), n in self.leaf_counts.items():
            for key in _cells_of(measure, year, disp, establishment, column):
                counts[key] += n
        # Each cell is a part of the cell one place up, and of the one a column shorter.
        children: dict[tuple[Key, str], set[Key]] = defaultdict(set)
        for key in [*people, *counts]:
            measure, year, (disp, establishment), column = key
            if establishment is not None:
                children[((measure, year, (disp, None), column), "place")].add(key)
            elif disp is not None:
                children[((measure, year, (None, None), column), "place")].add(key)
            if column:
                children[((measure, year, (disp, establishment), column[:-1]), "column")].add(key)
        self._cells = (people, counts, children)
        return self._cells

    def values(self) -> dict[Key, int]:
        return {**self.counts, **{key: len(people) for key, people in self.people.items()}}

    def hidden(self, threshold: int) -> set[Key]:
        values = self.values()
        # In an order of their own, not the rows': the suppression is greedy, and the order it
        # reads the relations in decides which of two equal cells it masks. Identical figures
        # read in another order (an update moves a row on PostgreSQL) masked other cells, and
        # two such publications side by side could show a small count masked in the other.
        relations = sorted(
            ((parent, sorted(kids)) for (parent, _), kids in self.children.items()), key=repr
        )
        hidden = primary({k: v for k, v in values.items() if k[0] in PEOPLE}, threshold)
        # The validated enrolments of one UE are people too (a learner takes a UE once a year).
        hidden |= {
            k
            for k, v in values.items()
            if k[0] == "validated" and len(k[3]) == 2 and 0 < v < threshold
        }
        while True:
            hidden = suppress(values, relations, hidden)
            withheld = {
                key
                for key in values
                if key[0] in WITHHELD_WITH
                and (WITHHELD_WITH[key[0]], *key[1:]) in hidden
                and key not in hidden
            }
            if not withheld:
                return hidden
            hidden |= withheld


def _cells_of(
    measure: str,
    year: str,
    disp: str | None,
    establishment: str | None,
    column: tuple[str, ...],
) -> list[Key]:
    """The cells a row's cell is counted in: the whole programme, its DISP, its establishment,
    each along its column's path (all, sector, UE)."""
    places: list[Place] = [(None, None)]
    if disp is not None:
        places.append((disp, None))
        if establishment is not None:
            places.append((disp, establishment))
    return [
        (measure, year, place, column[:depth])
        for place in places
        for depth in range(len(column) + 1)
    ]


def cross_tab(year: str) -> CrossTab:
    """Every count of the bilan of `year` in every scope (the years before, whose enrolled
    learners its trends show, are decided apart: `trend_cells`): five queries."""
    tab = CrossTab()
    _add_enrolments(tab, year)
    _add_followup(tab, year)
    _add_emergence_and_graduates(tab, year)
    return tab


def _add_enrolments(tab: CrossTab, year: str) -> None:
    for y, learner, disp, label, sector, unit, result, reason in _enrolments(
        {"academic_year": year}
    ):
        column = (sector, unit)
        tab.add("learners", y, learner, disp, label, column)
        tab.add("enrolments", y, learner, disp, label, column)
        if result == VALIDATED:
            tab.add("validated", y, learner, disp, label, column)
        if result == Result.ABANDONED:
            cause = reason if reason in ("transfer", "release") else "other"
            tab.add("abandoned", y, learner, disp, label, (cause,))
            tab.add("abandon_enr", y, learner, disp, label, (cause,))


def _add_followup(tab: CrossTab, year: str) -> None:
    """The people followed, each interview counted where its learner was placed on its day."""
    start, end = year_bounds(year)
    in_force = (
        Placement.objects.filter(learner=OuterRef("learner"), date__lte=OuterRef("date"))
        .order_by("-date", "-id")
        .values("establishment")[:1]
    )
    places = _places()
    interviews = (
        Interview.objects.filter(date__range=(start, end))
        .annotate(placed_at=Subquery(in_force))
        .values_list("learner_id", "placed_at", "kind")
        .order_by()
    )
    for learner, placed_at, kind in interviews.iterator():
        where = places.get(placed_at)
        if where is None:
            tab.add(FOLLOWED, year, learner, None, None, (kind,))
        else:
            tab.add(FOLLOWED, year, learner, *where, (kind,))


def _add_emergence_and_graduates(tab: CrossTab, year: str) -> None:
    start, end = year_bounds(year)
    participants = (
        Participant.objects.filter(cohort__academic_year__in=emergence_years(year))
        .values_list(
            "learner_id",
            "cohort__establishment__disp__code",
            "cohort__establishment__label",
            "cohort__academic_year",
        )
        .order_by()
    )
    for learner, disp, label, cohort_year in participants.iterator():
        tab.add("participants", year, learner, disp, label, (cohort_year,))

    certifications = (
        Certification.objects.filter(status=AWARDED, awarded_on__range=(start, end))
        .values_list(
            "learner_id",
            "establishment__disp__code",
            "establishment__label",
            "formation__sector__code",
            "formation__code",
        )
        .order_by()
    )
    for learner, disp, label, sector, formation in certifications.iterator():
        tab.add("graduates", year, learner, disp, label, (sector or "", formation))


def _unit(pk: int) -> tuple[str | None, str | None]:
    from tremplin.catalog.models import TeachingUnit

    found = TeachingUnit.objects.filter(pk=pk).values_list("sector__code", "code").first()
    return found if found is not None else (None, None)


def _place(pk: int) -> tuple[str | None, str | None]:
    from tremplin.places.models import Establishment

    found = Establishment.objects.filter(pk=pk).values_list("disp__code", "label").first()
    return found if found is not None else (None, None)


def _places() -> dict[int, tuple[str | None, str | None]]:
    from tremplin.places.models import Establishment

    return {
        pk: (disp, label)
        for pk, disp, label in Establishment.objects.values_list("pk", "disp__code", "label")
    }


@dataclass(frozen=True)
class Published:
    """The cells of one year masked for publication, and their values."""

    year: str
    hidden: frozenset[Key]
    values: dict[Key, int]

    def key(self, measure: str, place: Place, column: Iterable[str], year: str = "") -> Key:
        return (measure, year or self.year, place, tuple(column))


def _enrolments(among: dict[str, str]) -> Iterator[tuple[Any, ...]]:
    """The counted enrolments of `among` (a year): (year, learner, DISP code, establishment label,
    sector code, UE code, result, abandon reason). Read from the year's covering index alone
    (`enrolment_year_cover`), the places' and UEs' names looked up in memory, the reasons of the
    few abandoned ones apart: joined in SQL, a national year's 180,000 rows took 0.42 s, against
    0.11 s."""
    from tremplin.catalog.models import TeachingUnit

    places = _places()
    units: dict[int, tuple[str | None, str | None]] = {
        pk: (sector, code)
        for pk, sector, code in TeachingUnit.objects.values_list("pk", "sector__code", "code")
    }
    counted = Enrolment.objects.exclude(result=CANCELLED).filter(**among).order_by()
    reasons = dict(
        ((learner, year, unit), reason)
        for learner, year, unit, reason in counted.filter(result=Result.ABANDONED).values_list(
            "learner_id", "academic_year", "unit_id", "abandon_reason"
        )
    )
    nowhere = (None, None)
    for year, learner, establishment, unit, result in counted.values_list(
        "academic_year", "learner_id", "establishment_id", "unit_id", "result"
    ).iterator():
        # A place or a UE created since the names were read (a concurrent write): looked up
        # once, then kept with the others (not once per row).
        if establishment and establishment not in places:
            places[establishment] = _place(establishment)
        if unit not in units:
            units[unit] = _unit(unit)
        disp, label = places[establishment] if establishment else nowhere
        sector, code = units[unit]
        reason = reasons.get((learner, year, unit), "") if result == Result.ABANDONED else ""
        yield year, learner, disp, label, sector, code, result, reason


def published_cells(year: str, threshold: int) -> Published:
    """The masked cells of `year` (and the graduates' values the pages list), stored per state
    of the years it reads (stamps.py). No relation joins two years' cells (a total and its parts
    are always of one year), so the decision is made a year at a time, with the same outcome as
    over the whole cross-tabulation: the year's own cells, then each year before's enrolled
    learners (the trends), each stored under its own year's token. A write to the current year
    decides the current year again, not the ten before (about twenty seconds at national scale,
    where they were read at every change).

    Nor does any relation join the people followed to another measure (their totals and parts
    are people followed, and no count is withheld with theirs): their masks are decided apart,
    per follow-up stamp, with the same outcome again (the suppression reads each group's
    relations in the same order either way, and a cell of one never changes a relation of the
    other). An interview, the referents' everyday write, leaves the rest decided, and an
    enrolment leaves the people followed decided (at national scale a year's decision read
    its 150,000 interviews again for any write)."""
    from .models import FollowupStamp
    from .stamps import remember, stamped_years_up_to

    rest = remember(
        "published-cells",
        [year, threshold],
        stamped_years_up_to(year),
        lambda: _decided(year, threshold),
    )
    followed = remember(
        "published-followup-cells",
        [year, threshold],
        [year],
        lambda: _followup_decided(year, threshold),
        FollowupStamp,
    )
    return Published(year, rest.hidden | followed, rest.values)


def _decided(year: str, threshold: int) -> Published:
    """What a page reads of the decision but the people followed: the masked cells of the
    year, and of the years before those its trends show; the values of the year's graduates."""
    tab = CrossTab()
    _add_enrolments(tab, year)
    _add_emergence_and_graduates(tab, year)
    hidden = set(tab.hidden(threshold))
    first = (
        Enrolment.objects.filter(academic_year__lt=year)
        .order_by("academic_year")
        .values_list("academic_year", flat=True)
        .first()
    )
    if first is not None:
        for start in range(int(first[:4]), int(year[:4])):
            hidden |= trend_cells(f"{start}-{start + 1}", threshold)
    return Published(
        year,
        frozenset(hidden),
        {
            key: value
            for key, value in tab.values().items()
            if key[0] == "graduates" and key[1] == year
        },
    )


def _followup_decided(year: str, threshold: int) -> frozenset[Key]:
    """The masked cells of the people followed in `year`."""
    tab = CrossTab()
    _add_followup(tab, year)
    return frozenset(tab.hidden(threshold))


def trend_cells(year: str, threshold: int) -> frozenset[Key]:
    """The masked cells of `year`'s enrolled learners that a later year's trends show (a
    scope's column is at most a sector: the units decide the masks but are never shown there),
    stored per state of that year's data."""
    from .stamps import remember

    def decide() -> frozenset[Key]:
        tab = CrossTab()
        for y, learner, disp, label, sector, unit, *_ in _enrolments({"academic_year": year}):
            tab.add("learners", y, learner, disp, label, (sector, unit))
        return frozenset(key for key in tab.hidden(threshold) if len(key[3]) <= 1)

    return remember("trend-cells", [year, threshold], [year], decide)


def scope_place(scope: Scope) -> tuple[Place, tuple[str, ...]]:
    return place_of(scope), column_of(scope)
