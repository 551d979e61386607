"""Pages of long lists: read from the nearer end, counted the cheap way (a count the indexes
answer alone where the list's own query would read the table), and how a search's page is read
(`frequent`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class Pages(_Paginator):
    """A paginator that reads a page of the list's second half from the list's end, in the
    reversed order, then puts its rows back in order: the database skips the rows before a
    page one by one (OFFSET), and « Dernière page » of the national coordinator's million
    referrals took 2.2-3.6 s, as long as the first page now. Only for a list ordered down to a
    unique field (the reversed order is then exactly the list's backwards)."""

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        count = self.count
        top = min(bottom + self.per_page, count)
        if top + self.orphans >= count:
            top = count
        rows = self.object_list
        if bottom > count // 2 and isinstance(rows, QuerySet) and _ends_unique(rows):
            # A whole page's worth read even for a short last page: SQLite's planner sorts the
            # whole table for a LIMIT under about 40 (the young people's last 10: 200 ms).
            start = count - top
            page = list(rows.reverse()[start : start + max(top - bottom, self.per_page)])
            page = page[: top - bottom]
            page.reverse()
            return Page(page, number, self)
        return super().page(number)


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
