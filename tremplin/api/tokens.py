"""Personal API tokens: created by their owner, shown once, kept as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import MAX_TOKEN_LIFETIME, ApiToken

#: Every token starts with this, so that a leaked one is easy to spot (secret scanners).
TOKEN_PREFIX = "trm_"  # noqa: S105 - a marker, not a secret # nosec B105
#: Characters of the token shown in the lists to recognise it (the marker included).
VISIBLE = 12
#: `last_used_at` is written at most this often per token.
USE_RESOLUTION = timedelta(minutes=1)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    user: Any, *, name: str, expires_at: datetime, read_only: bool
) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its secret, which is never shown again."""
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": "La date d'expiration doit être dans le futur."})
    if expires_at > now + MAX_TOKEN_LIFETIME:
        raise ValidationError({"expires_at": "Un jeton expire au plus tard dans un an."})
    if not name.strip():
        raise ValidationError({"name": "Donnez un nom au jeton (à quoi il sert)."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:VISIBLE],
        digest=digest_of(secret),
        read_only=read_only,
        expires_at=expires_at,
    )
    return token, secret


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_tokens_of(user: Any, reason: str) -> int:
    """Revoke every live token of the user, with the reason shown to whoever presents one;
    return how many."""
    return ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:120]
    )


def find_token(secret: str) -> ApiToken | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first()


def mark_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
