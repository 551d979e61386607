"""Pages of a list whose count the caller made the cheap way (a count the indexes answer alone
where the list's own query would read the table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class Counted(_Paginator):
    """A paginator told how many items its list holds."""

    def __init__(
        self, object_list: QuerySet[Any] | Sequence[Any], per_page: int, count: int
    ) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @cached_property
    def count(self) -> int:
        return self.known
