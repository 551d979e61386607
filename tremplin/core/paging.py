"""Pages of long lists: read from the nearer end, a deep page's keys before its rows, counted
the cheap way (a count the indexes answer alone where the list's own query would read the
table), and how a search's page is read (`frequent`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


# From this many rows skipped, a page's keys are read before its rows (`_rows`).
KEYS_FIRST_FROM = 500


class Pages(_Paginator):
    """A paginator that reads a page of the list's second half from the list's end, in the
    reversed order, then puts its rows back in order: the database skips the rows before a
    page one by one (OFFSET), and « Dernière page » of the national coordinator's million
    referrals took 2.2-3.6 s, as long as the first page now. Only for a list ordered down to a
    unique field (the reversed order is then exactly the list's backwards). A page deep in
    the list reads its keys first, then its rows (`_rows`)."""

    def bounds(self, number: Any) -> tuple[int, int]:
        """The rows of page `number` (already validated): from `bottom` up to `top`."""
        bottom = (number - 1) * self.per_page
        count = self.count
        top = min(bottom + self.per_page, count)
        if top + self.orphans >= count:
            top = count
        return bottom, top

    def skipped(self, number: Any) -> int:
        """How many rows the reading of page `number` (as the query string gives it, checked
        as `get_page` checks it) skips: counted from the list's nearer end."""
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        bottom, top = self.bounds(number)
        return max(self.count - top if self._backwards(bottom) else bottom, 0)

    def _backwards(self, bottom: int) -> bool:
        """Whether a page from `bottom` is read from the list's end."""
        rows = self.object_list
        return bottom > self.count // 2 and isinstance(rows, QuerySet) and _ends_unique(rows)

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom, top = self.bounds(number)
        count = self.count
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return Page(rows[bottom:top], number, self)
        if self._backwards(bottom):
            # A whole page's worth read even for a short last page: SQLite's planner sorts the
            # whole table for a LIMIT under about 40 (the young people's last 10: 200 ms).
            start = count - top
            page = _rows(rows.reverse(), start, start + max(top - bottom, self.per_page))
            page = page[: top - bottom]
            page.reverse()
            return Page(page, number, self)
        return Page(_rows(rows, bottom, top), number, self)


def _rows(rows: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """The rows from `start` to `stop` of a list. Deep in the list, their primary keys are read
    first, then the rows by their keys: a database skips the rows before the page in full when
    it sorts them (a regional coordinator's learners, page 500: 278 ms of SQLite for the rows
    with their establishment, 70 ms for their keys alone); and the rows are read without the
    list's conditions again (the region's reach: 31 ms per reading)."""
    if start < KEYS_FIRST_FROM or not _plain(rows):
        return list(rows[start:stop])
    keys = list(rows.values_list("pk", flat=True)[start:stop])
    found = _same_reading(rows).in_bulk(keys)
    # A row deleted between the two readings (a merge, a deletion) is left out of the page.
    return [found[key] for key in keys if key in found]


def _plain(rows: QuerySet[Any]) -> bool:
    """Whether a list reads whole model rows, without annotations, filtered relations, DISTINCT,
    a union, row locks or a related manager's back-reference, so that its rows can be read
    again by their keys alone."""
    query = rows.query
    return (
        rows._iterable_class is ModelIterable
        and not query.annotations
        and not getattr(query, "_filtered_relations", None)
        and not query.distinct
        and not query.combinator
        and not query.extra
        and not query.select_for_update
        and not getattr(rows, "_known_related_objects", None)
    )


def _same_reading(rows: QuerySet[Any]) -> QuerySet[Any]:
    """The list's model read as the list reads it (its related rows joined or prefetched, its
    deferred fields), without its conditions."""
    again = rows.model._base_manager.using(rows.db).all()
    related = rows.query.select_related
    if related is True:
        again = again.select_related()
    elif related:
        again = again.select_related(*_paths(related))
    prefetched: tuple[Any, ...] = getattr(rows, "_prefetch_related_lookups", ())
    if prefetched:
        again = again.prefetch_related(*prefetched)
    names, defer = rows.query.deferred_loading
    if names:
        again = again.defer(*names) if defer else again.only(*names)
    return again


def _paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """The lookups of a select_related tree ({"establishment": {"disp": {}}}: establishment__disp)."""
    paths = []
    for name, below in tree.items():
        path = f"{prefix}{name}"
        paths.extend(_paths(below, f"{path}__") if below else [path])
    return paths


def _ends_unique(qs: QuerySet[Any]) -> bool:
    """Whether the queryset's order ends with its primary key or another unique field."""
    ordering = qs.query.order_by or (qs.query.default_ordering and qs.model._meta.ordering)
    if not ordering or not isinstance(ordering[-1], str):
        return False
    name = ordering[-1].lstrip("-")
    if name == "pk":
        return True
    try:
        field = qs.model._meta.get_field(name)
    except FieldDoesNotExist:  # a relation's field or an annotation: not known unique
        return False
    return bool(getattr(field, "unique", False))


class Counted(Pages):
    """A paginator told how many items its list holds."""

    def __init__(
        self, object_list: QuerySet[Any] | Sequence[Any], per_page: int, count: int
    ) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known


def frequent(model: type[Model], matches: int | None, *, one_in: int) -> bool:
    """Whether a search's `matches` (its count, None when unknown) are more than one row in
    `one_in` of the model's: its page is then soon found walking the list's order, testing each
    row, where fewer matches are read through their index and sorted (neither SQLite's nor
    PostgreSQL's planner can count the matches of typed words). The latest id stands for the
    number of rows: one step in the primary key's index."""
    if matches is None:
        return False
    latest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return matches * one_in > (latest or 0)
