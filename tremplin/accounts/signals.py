"""Account events written to the audit log: a login's start time, lock-outs."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from tremplin.core.audit import Action, record

from .middleware import LOGIN_AT
from .models import User


@receiver(user_logged_in, dispatch_uid="tremplin-login-at")
def remember_login_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = int(time.time())


@receiver(user_locked_out, dispatch_uid="tremplin-locked-out")
def audit_lock_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    target = User.objects.filter(username=username).first() if username else None
    record(
        request,
        Action.SECURITY,
        target if target is not None else User,
        f"connexion bloquée après des échecs répétés : {username or '?'} depuis {ip_address or '?'}",
    )
