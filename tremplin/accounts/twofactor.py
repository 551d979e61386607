"""Two-factor authentication: who needs it, TOTP devices (RFC 6238) and recovery codes.

Built on django-otp: a confirmed `TOTPDevice` is the authenticator application, a `StaticDevice`
holds the one-time recovery codes. A session is verified once `django_otp.login` has stored the
device that checked a code in it (`request.user.is_verified()`).
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import segno
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.core.scope import scope_of

RECOVERY_CODES = 10
DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
TOTP_CODE = re.compile(r"^\d{6}$")
#: The API's answer to a session signed in with the password alone.
API_TWO_FACTOR_REQUIRED = (
    "Double authentification requise : votre session n'a pas validé son code. "
    "Saisissez-le sur la page de vérification, ou utilisez un jeton d'accès."
)


def required_for(user: Any) -> bool:
    """Two-factor authentication is mandatory for whoever can read a personal record: every role
    but the statistician, and every superuser."""
    return bool(user.is_authenticated and (user.is_superuser or scope_of(user).personal_data))


def totp_device(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()


def must_verify(user: Any) -> bool:
    """A user verifies their session when the role requires it, or when they enrolled anyway."""
    if not user.is_authenticated or user.is_verified():
        return False
    return required_for(user) or totp_device(user) is not None


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device of an enrolment under way (kept, so that a reload shows the same
    secret)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The secret as an authenticator application types it: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, made here (no external service)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=4,
            border=4,
            dark="#000",
            light="#fff",
            svgclass="tr-qr",
            omitsize=True,
        )
    )


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def check_totp(device: TOTPDevice, code: str) -> bool:
    return TOTP_CODE.match(code) is not None and bool(device.verify_token(code))


def throttled(device: Any) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes by ten new ones; the caller shows them once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def reset_devices(user: Any) -> None:
    """Forget every device of the user: they enrol again at their next login."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def current_code(hex_key: str, at: float | None = None, *, step_offset: int = 0) -> str:
    """The TOTP code of a key at a time (now by default)."""
    totp = TOTP(bytes.fromhex(hex_key), step=30, t0=0, digits=6)
    totp.time = (time.time() if at is None else at) + 30 * step_offset
    return f"{totp.token():06d}"
