"""The issuer's Ed25519 keys: the private halves in files under TREMPLIN_HOME/credentials/ (mode
0600, in no database dump), the public halves in the database and published (JWKS)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from joserfc.jwk import KeySet, OKPKey

from .models import IssuerKey


def _directory() -> Path:
    path = Path(settings.TREMPLIN_HOME) / "credentials"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _private_path(kid: str) -> Path:
    return _directory() / f"{kid}.jwk.json"


@transaction.atomic
def rotate() -> IssuerKey:
    """A new signing key; the former ones are retired from signing, never from verifying."""
    kid = f"cnam-{timezone.now():%Y%m%d%H%M%S%f}"
    key = OKPKey.generate_key("Ed25519", parameters={"kid": kid}, private=True)
    path = _private_path(kid)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(key.as_dict(private=True), out)
    IssuerKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    return IssuerKey.objects.create(kid=kid, public_jwk=key.as_dict(private=False))


def signing_key() -> tuple[IssuerKey, OKPKey]:
    """The active key and its private half (a first key is made when there is none)."""
    active = IssuerKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
    if active is None or not _private_path(active.kid).exists():
        active = rotate()
    data = json.loads(_private_path(active.kid).read_text())
    return active, OKPKey.import_key(data)


def public_keys() -> KeySet:
    return KeySet([OKPKey.import_key(k.public_jwk) for k in IssuerKey.objects.order_by("pk")])


def jwks() -> dict[str, object]:
    """The published public keys (every key ever used: old credentials stay verifiable)."""
    return {"keys": [k.public_jwk for k in IssuerKey.objects.order_by("pk")]}
