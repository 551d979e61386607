"""Shared fixtures. The real reference data and the demo catalogue and accounts are loaded once
per test database; every test then runs in a transaction that is rolled back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tremplin.accounts.models import User
from tremplin.demo.accounts import load_accounts
from tremplin.demo.catalog import load_catalogue
from tremplin.demo.places import load_partners
from tremplin.places.refdata import load_reference_data

from .installations import Installation, demo_installation


@pytest.fixture(autouse=True, scope="session")
def _plain_static_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests run before any `collectstatic`: serve static names unhashed. Passwords are hashed
    with a fast hasher: the production one costs about half a second by design (the browser
    tests' server keeps it). Stored files go to a scratch folder, never to `var/`."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": plain},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        CACHES={
            **settings.CACHES,
            "reports": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        },
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_reference_data()
        load_partners()
        load_catalogue()
        load_accounts()
    yield


@pytest.fixture(scope="session")
def empty_copy_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty establishment copy's installation: migrated, with the reference data (always
    the embedded database), made once per session (12 s) and copied where needed."""
    home = tmp_path_factory.mktemp("copy-template")
    for args in (["migrate", "-v0"], ["refdata", "load"]):
        subprocess.run(
            [str(Path(sys.executable).with_name("tremplin")), *args],
            env={
                **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                "TREMPLIN_HOME": str(home),
            },
            check=True,
            capture_output=True,
        )
    return home


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    """An installation migrated with the demo loaded, on the run's database, made once per
    session (about 23 s): `demo_home.copy(home, name)` gives a test its own (tests/installations.py)."""
    with demo_installation(tmp_path_factory.mktemp("demo-template") / "home") as made:
        yield made


@pytest.fixture
def coordinator(db: None) -> User:
    return User.objects.get(username="coordination")


@pytest.fixture
def referent(db: None) -> User:
    return User.objects.get(username="referent")


@pytest.fixture
def statistician(db: None) -> User:
    return User.objects.get(username="statistique")


@pytest.fixture
def every_user(db: None) -> list[User]:
    return list(User.objects.order_by("username"))


def login_verified(client: Client, user: User) -> Client:
    """Log the user in with a session whose second factor is verified (django-otp's login with
    the user's authenticator, created when they have none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Tests", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_as(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        return login_verified(client, user)

    return login
