"""Errors as JSON: `{"detail": "…", "code": "…"}`; validation errors keep their fields."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = (
        "La ressource a changé depuis votre lecture (If-Match) : relisez-la avant de recommencer."
    )
    default_code = "precondition_failed"


def handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(
            "Aucun enregistrement ne correspond (ou hors de votre périmètre)."
        )
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if not isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        codes = exc.get_codes()
        response.data = {
            "detail": response.data.get("detail", str(exc.detail)),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
    return response
