"""The query parameters an API operation accepts, declared once: its filters (the view's
FilterSet), its pagination (lists), and the view's own `query_parameters` (per action). The
schema (`autoschema.ApiSchema`) documents them; `StrictQueryMixin` refuses, with a 400 naming it,
any parameter that is unknown, repeated or invalid, before the view does anything."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters as df
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .exceptions import InvalidParameter, french

#: No text parameter may hold it (PostgreSQL refuses it): the schema says so, with this pattern.
NUL = "\x00"
WITHOUT_NUL = r"^[^\x00]*$"
#: Format `academic-year` (AAAA-AAAA, two consecutive years): a pattern cannot say it.
ACADEMIC_YEAR_SCHEMA = {"type": "string", "format": "academic-year"}


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, whose errors name the parameter in French (`InvalidParameter`)."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        # An empty value filters nothing only for a plain text filter; for a date, a choice, a
        # number, it is invalid (as the schema says), not a silent "no filter".
        errors = {
            name: "valeur vide ; omettez le paramètre pour ne pas filtrer."
            for name, query_filter in filterset.filters.items()
            if request.query_params.get(name) == "" and type(query_filter) is not df.CharFilter
        }
        if not filterset.is_valid():
            errors |= {name: " ".join(messages) for name, messages in filterset.errors.items()}
        if errors:
            raise InvalidParameter(errors)
        return filterset.qs


def filter_names(view: APIView) -> list[str]:
    filterset_class = getattr(view, "filterset_class", None)
    return list(filterset_class.base_filters) if filterset_class is not None else []


class StrictQueryMixin:
    """For API views: only the parameters the schema documents, each at most once."""

    #: Per action (a viewset's action, or an APIView's method): its own query parameters.
    query_parameters: ClassVar[dict[str, list[OpenApiParameter]]] = {}

    def operation_name(self) -> str:
        action = getattr(self, "action", None)
        request: Request = getattr(self, "request")  # noqa: B009
        return str(action or (request.method or "get").lower())

    def accepted_parameters(self) -> list[str]:
        """The names of the query parameters of this request's operation."""
        name = self.operation_name()
        accepted = [parameter.name for parameter in self.query_parameters.get(name, [])]
        if name == "list":
            accepted += filter_names(self)  # type: ignore[arg-type]
            paginator = getattr(self, "paginator", None)
            if paginator is not None:
                accepted += [paginator.page_query_param, paginator.page_size_query_param]
        return accepted

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not hasattr(self, (request.method or "").lower()):
            return  # a method the operation does not have: 405 comes next
        accepted = self.accepted_parameters()
        errors: dict[str, str] = {}
        for name, values in request.query_params.lists():
            if name not in accepted:
                errors[name] = "paramètre inconnu. " + (
                    f"Paramètres acceptés ici : {', '.join(sorted(accepted))}."
                    if accepted
                    else "Cette opération n'en accepte aucun."
                )
            elif len(values) > 1:
                errors[name] = f"donné {len(values)} fois ; une seule valeur est attendue."
            elif NUL in values[0]:
                errors[name] = "le caractère nul (\\x00) n'est pas autorisé."
        if errors:
            raise InvalidParameter(errors)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        return french(response) if response.status_code >= 400 else response


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter: `true` or `false` (absent: false)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise InvalidParameter({name: f"true ou false est attendu, pas « {raw} »."})
