"""Pages of a list: `?page=2&page_size=100`, checked (a bad value is a 400, not ignored)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from .exceptions import InvalidParameter


def positive_integer(request: Request, name: str, *, default: int, maximum: int | None) -> int:
    """The query parameter `name`, a whole number from 1 (to `maximum`), or `default`."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise InvalidParameter(
            {name: f"un nombre entier à partir de 1 est attendu, pas « {raw} »."}
        )
    value = int(raw)
    if maximum is not None and value > maximum:
        raise InvalidParameter({name: f"au plus {maximum} (ici {value})."})
    return value


class Pagination(PageNumberPagination):
    """`?page=2&page_size=100`: 50 per page by default, at most 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def get_page_size(self, request: Request) -> int:
        return positive_integer(
            request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size
        )

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.request = request
        number = positive_integer(request, self.page_query_param, default=1, maximum=None)
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise NotFound(
                f"La page {number} n'existe pas : cette liste compte "
                f"{paginator.num_pages} page{'s' if paginator.num_pages > 1 else ''}."
            ) from exc
        return list(self.page)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "default": 1},
            self.page_size_query_param: {
                "minimum": 1,
                "maximum": self.max_page_size,
                "default": self.page_size,
            },
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
