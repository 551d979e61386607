"""Who calls the API, decided here and only here.

- `Authorization: Bearer trm_…`: a personal token acts as its owner. An unknown, expired or
  revoked token is refused with 401 and a JSON error saying which.
- An `Authorization` header that is present is always the credential: empty, malformed or with
  another keyword, it is a 401; the session is never used in its place.
- Without the header, the web session is accepted only when it passed the two-factor check
  (`must_verify`): a session signed in with the password alone is a 401.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from tremplin.accounts.twofactor import API_TWO_FACTOR_REQUIRED, must_verify

from .models import ApiToken
from .tokens import find_token, mark_used

KEYWORDS = ("bearer", "token")


class TokenInvalid(exceptions.AuthenticationFailed):
    default_code = "token_invalid"


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class TokenRevoked(exceptions.AuthenticationFailed):
    default_code = "token_revoked"


class TwoFactorRequired(exceptions.AuthenticationFailed):
    default_code = "two_factor_required"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        if "HTTP_AUTHORIZATION" not in request.META:
            return None
        header = request.META["HTTP_AUTHORIZATION"]
        if not header.strip():
            raise TokenInvalid(
                "En-tête Authorization vide : écrivez « Authorization: Bearer <jeton> », "
                "ou retirez l'en-tête pour utiliser votre session."
            )
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
            why = f" : {token.revoked_reason}" if token.revoked_reason else ""
            raise TokenRevoked(f"Ce jeton a été révoqué le {when:%d/%m/%Y à %H:%M}{why}.")
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
    checked on writes), once their session passed the second factor."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        if "HTTP_AUTHORIZATION" in request.META:
            return None  # the header is the credential (refused above when it is not a token)
        found = super().authenticate(request)
        if found is not None and must_verify(found[0]):
            raise TwoFactorRequired(API_TWO_FACTOR_REQUIRED)
        return found
