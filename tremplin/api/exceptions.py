"""Errors as JSON, in one shape (the schema's `Error`): `{"detail": "…", "code": "…"}`, plus
`"errors": [{"field", "message"}]` naming each query parameter or body field in error (400);
French messages with French typography."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tremplin.core.typography import french_spacing


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = (
        "La ressource a changé depuis votre lecture (If-Match) : relisez-la avant de recommencer."
    )
    default_code = "precondition_failed"


class InvalidParameter(exceptions.APIException):
    """A query parameter unknown, repeated or invalid: 400, naming each parameter in error."""

    status_code = 400
    default_code = "invalid_parameter"

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = [{"field": name, "message": message} for name, message in errors.items()]
        super().__init__(
            " ".join(f"Paramètre « {name} » : {message}" for name, message in errors.items())
        )


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
    if isinstance(exc, exceptions.ValidationError):
        response.data = invalid_body(exc.detail)
    elif isinstance(response.data, dict):
        codes = exc.get_codes()
        response.data = {
            "detail": response.data.get("detail", str(exc.detail)),
            "code": codes if isinstance(codes, str) else exc.default_code,
        }
        if isinstance(exc, InvalidParameter):
            response.data["errors"] = exc.errors
    return french(response)


def french(response: Response) -> Response:
    """Every error's messages with French typography (non-breaking spaces)."""
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        data["detail"] = french_spacing(data["detail"])
        for error in data.get("errors") or []:
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                error["message"] = french_spacing(error["message"])
    return response


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def invalid_body(detail: Any) -> dict[str, Any]:
    """A request body's validation errors, in the shape of every error: each field in error
    with its messages (`non_field_errors`: the body as a whole, field "")."""
    fields = detail if isinstance(detail, dict) else {"": detail}
    errors = [
        {"field": "" if name == "non_field_errors" else name, "message": message}
        for name, value in fields.items()
        for message in _messages(value)
    ]
    return {
        "detail": " ".join(
            f"{e['field']} : {e['message']}" if e["field"] else e["message"] for e in errors
        ),
        "code": "invalid",
        "errors": errors,
    }
