"""The account's security events, declared once: whatever changes an account's credentials
(password changed by its owner, by a reset link, by an administrator or a command; every session
closed; the second factor reset; the account deactivated) sends `account_secured` with a French
reason. The API revokes the user's tokens on it (tremplin/api/signals.py); other credentials
can listen the same way."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal, receiver

from . import twofactor
from .models import User

#: Sent with `user` and `reason` (French, shown to the owner of a revoked credential).
account_secured = Signal()

PASSWORD_CHANGED = "mot de passe changé"  # noqa: S105 - a reason, not a secret # nosec B105
ACCOUNT_DEACTIVATED = "compte désactivé"
LOGGED_OUT_EVERYWHERE = "déconnexion de tous les appareils"
TWO_FACTOR_RESET = "double authentification réinitialisée"

#: The session key holding when the user last typed their password again (Unix seconds).
REAUTHENTICATED_AT = "tremplin_reauthenticated_at"

#: The fields whose change is a security event.
WATCHED = ("password", "is_active")


def close_sessions(user: Any, reason: str) -> None:
    """End every session of the user (their session hash changes) and tell the listeners."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    account_secured.send(sender=User, user=user, reason=reason)


def logout_everywhere(user: Any) -> None:
    close_sessions(user, LOGGED_OUT_EVERYWHERE)


def reset_two_factor(user: Any) -> None:
    """Forget the user's authenticator and recovery codes: they enrol again at their next login,
    and nothing opened with the old factor stays open."""
    twofactor.reset_devices(user)
    close_sessions(user, TWO_FACTOR_RESET)


def recently_reauthenticated(request: Any) -> bool:
    """Whether the user typed their password again less than TREMPLIN_REAUTH_MINUTES ago in this
    session (the login itself does not count: a sensitive action asks for it again)."""
    at = request.session.get(REAUTHENTICATED_AT)
    return at is not None and time.time() - float(at) < settings.TREMPLIN_REAUTH_SECONDS


def reauthenticate(request: Any, password: str) -> bool:
    """Check the signed-in user's password again, through the authentication backends: a wrong
    one counts towards the lock-out like a failed login."""
    user = request.user
    checked = authenticate(request, username=user.get_username(), password=password)
    if checked is None or checked.pk != user.pk:
        return False
    request.session[REAUTHENTICATED_AT] = time.time()
    return True


@receiver(pre_save, sender=User, dispatch_uid="tremplin-credentials-before")
def _remember_credentials(
    sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(WATCHED)):
        instance._credentials_before = None  # type: ignore[attr-defined]
        return
    instance._credentials_before = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values(*WATCHED).first()
    )


@receiver(post_save, sender=User, dispatch_uid="tremplin-credentials-changed")
def _credentials_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_credentials_before", None)
    if before is None:
        return
    if before["is_active"] and not instance.is_active:
        account_secured.send(sender=User, user=instance, reason=ACCOUNT_DEACTIVATED)
    elif before["password"] != instance.password:
        account_secured.send(sender=User, user=instance, reason=PASSWORD_CHANGED)
