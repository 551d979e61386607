"""Who may call what. The scopes themselves are the models' (`Model.permissions`), applied in
the base viewset; here: signed in, a read-only token never writes, personal data only for the
roles that read it."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from tremplin.core.scope import scope_of

from .models import ApiToken


class ApiAccess(BasePermission):
    message = "Authentification requise : un jeton (Authorization: Bearer …) ou une session."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only and request.method not in SAFE_METHODS:
            self.message = "Ce jeton est en lecture seule : il ne peut pas modifier de données."
            self.code = "read_only_token"
            return False
        return True


class PersonalData(BasePermission):
    message = "Votre rôle ne donne pas accès aux données personnelles."
    code = "no_personal_data"

    def has_permission(self, request: Request, view: Any) -> bool:
        return scope_of(request.user).personal_data
