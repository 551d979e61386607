"""The OpenAPI description of every operation, completed once for all: the query parameters
each view declares (`StrictQueryMixin.query_parameters`) and the error answers every operation
may give (400, 401, 403, and 404, 415 where they apply), in the shape of `ErrorSerializer`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .parameters import WITHOUT_NUL
from .serializers import ErrorSerializer

ERRORS = {
    "400": (
        "Requête refusée, rien n'est modifié : paramètre inconnu, répété ou invalide, ou contenu "
        "invalide (`detail` dit pourquoi, `errors` quel champ)."
    ),
    "401": "Non authentifié : jeton absent, invalide, expiré ou révoqué.",
    "403": "Refusé à votre rôle ou à ce jeton (lecture seule, pas de données personnelles…).",
    "404": "Aucun enregistrement (ou hors de votre périmètre), ou page inexistante.",
    "415": "Le corps de la requête doit être du JSON (Content-Type: application/json).",
}


class ApiSchema(AutoSchema):
    def get_override_parameters(self) -> list[OpenApiParameter | Any]:
        declared = getattr(self.view, "query_parameters", {})
        name = getattr(self.view, "action", None) or self.method.lower()
        return [*super().get_override_parameters(), *declared.get(name, [])]

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and not {"format", "enum", "pattern"} & set(schema):
                schema["pattern"] = WITHOUT_NUL
        return parameters

    def error_statuses(self) -> list[str]:
        statuses = ["400", "401", "403"]
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            statuses.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.append("415")
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            if status not in responses:
                error = OpenApiResponse(ErrorSerializer, description=ERRORS[status])
                responses[status] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    error, status, direction=direction
                )
        return dict(sorted(responses.items()))
