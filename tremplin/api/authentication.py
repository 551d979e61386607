"""`Authorization: Bearer trm_…`: a personal token acts as its owner. An unknown, expired or
revoked token is refused with 401 and a JSON error saying which."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from .models import ApiToken
from .tokens import find_token, mark_used

KEYWORDS = ("bearer", "token")


class TokenInvalid(exceptions.AuthenticationFailed):
    default_code = "token_invalid"


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class TokenRevoked(exceptions.AuthenticationFailed):
    default_code = "token_revoked"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() not in KEYWORDS:
            raise TokenInvalid(
                "En-tête Authorization mal formé : écrivez « Authorization: Bearer <jeton> »."
            )
        token = find_token(parts[1])
        if token is None:
            raise TokenInvalid("Jeton inconnu.")
        if token.revoked_at is not None:
            when = timezone.localtime(token.revoked_at)
            raise TokenRevoked(f"Ce jeton a été révoqué le {when:%d/%m/%Y à %H:%M}.")
        if token.is_expired:
            when = timezone.localtime(token.expires_at)
            raise TokenExpired(
                f"Ce jeton a expiré le {when:%d/%m/%Y à %H:%M} : créez-en un nouveau "
                "sur la page « Jetons d'accès à l'API »."
            )
        if not token.user.is_active:
            raise TokenInvalid("Le compte propriétaire de ce jeton est désactivé.")
        mark_used(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="tremplin"'


class ApiSessionAuthentication(SessionAuthentication):
    """The signed-in user of the web interface, for the documentation page's trials (CSRF
    checked on writes)."""
