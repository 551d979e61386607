"""An account's security event (tremplin/accounts/services.py) revokes its API tokens: a token
never outlives the password, the sessions or the second factor it was created under."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tremplin.accounts.services import account_secured

from .tokens import revoke_tokens_of


@receiver(account_secured, dispatch_uid="tremplin-api-revoke-tokens")
def revoke_on_security_event(sender: Any, user: Any, reason: str, **kwargs: Any) -> None:
    revoke_tokens_of(user, reason)
