"""Helpers of the account tests: users of any role, a login through the real pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.accounts.models import User
from tremplin.accounts.twofactor import current_code, new_recovery_codes
from tremplin.core.roles import Role

PASSWORD = "Une-phrase-de-passe-2026"
VERIFY = "/compte/double-authentification/verification/"
ENROL = "/compte/double-authentification/activation/"
RECOVERY = "/compte/double-authentification/codes-de-secours/"


def make_user(username: str, role: Role = Role.REFERENT, **extra: Any) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, **extra)


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return device, new_recovery_codes(user)


def password_login(
    client: Client, username: str, password: str = PASSWORD, ip: str = "127.0.0.1"
) -> Any:
    return client.post("/connexion/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def code_of(device: TOTPDevice) -> str:
    return current_code(device.key)
