"""Demo accounts: one per role of DOMAIN.md, with fictitious names."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.accounts.models import User
from tremplin.accounts.twofactor import DEVICE_NAME, required_for
from tremplin.catalog.models import TeachingUnit
from tremplin.core.roles import Role
from tremplin.places.models import CnamCentre, Disp, Establishment, MissionLocale, Region

DEMO_PASSWORD = "Tremplin-demo-2026"  # noqa: S105 - printed on purpose for the demo # nosec B105
#: The TOTP secret of every demo account that needs two-factor authentication (base32, as an
#: authenticator application takes it). Public on purpose: a demo account protects nothing.
DEMO_TOTP_SECRET = "TREMPLINDEMOTREMPLINDEMOTREMPLIN"  # noqa: S105 - demo secret # nosec B105
DEMO_TOTP_KEY = base64.b32decode(DEMO_TOTP_SECRET).hex()

SEED_PARIS_ESTABLISHMENTS = (
    "CP FLEURY MEROGIS",
    "CP MEAUX CHAUCONIN NEUFMONTIERS",
    "CD MELUN",
    "MC POISSY",
    "CP FRESNES",
    "CP OSNY PONTOISE",
    "CP SUD FRANCILIEN",
    "CP SEINE SAINT DENIS",
    "CP NANTERRE",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: Role
    scope: str


ACCOUNTS = (
    DemoAccount("coordination", "Claire", "Moreau", Role.NATIONAL_COORDINATOR, "tout le programme"),
    DemoAccount(
        "coord-paris", "Julien", "Lefèvre", Role.REGIONAL_COORDINATOR, "DISP PARIS, Île-de-France"
    ),
    DemoAccount(
        "referent",
        "Nadia",
        "Benali",
        Role.REFERENT,
        "les 9 établissements partenaires de la DISP de Paris",
    ),
    DemoAccount("rle-melun", "Thomas", "Girard", Role.RLE, "CD MELUN"),
    DemoAccount(
        "conseil-ml",
        "Sophie",
        "Le Goff",
        Role.ML_COUNSELOR,
        "Mission locale du Pays de Saint-Malo (démo)",
    ),
    DemoAccount("centre-rennes", "Yann", "Kerbrat", Role.CENTRE_STAFF, "Cnam Bretagne (démo)"),
    DemoAccount("enseignant", "Hélène", "Dubois", Role.TEACHER, "UE de comptabilité du DGC"),
    DemoAccount("statistique", "Marc", "Fontaine", Role.STATISTICIAN, "chiffres agrégés"),
)


@transaction.atomic
def load_accounts() -> list[DemoAccount]:
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "role": account.role,
                "email": f"{account.username}@demo.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if account.role == Role.NATIONAL_COORDINATOR:
            user.is_staff = user.is_superuser = True
            user.save()
        elif account.role == Role.REGIONAL_COORDINATOR:
            user.disps.set(Disp.objects.filter(code="DISP PARIS"))
            user.regions.set(Region.objects.filter(code="11"))
        elif account.role == Role.REFERENT:
            user.establishments.set(
                Establishment.objects.filter(label__in=SEED_PARIS_ESTABLISHMENTS)
            )
        elif account.role == Role.RLE:
            user.establishments.set(Establishment.objects.filter(label="CD MELUN"))
        elif account.role == Role.ML_COUNSELOR:
            user.mission_locale = MissionLocale.objects.get(code="DEMO-ML-STMALO")
            user.save()
        elif account.role == Role.CENTRE_STAFF:
            user.centre = CnamCentre.objects.get(code="DEMO-BRE")
            user.save()
        elif account.role == Role.TEACHER:
            user.teaching_units.set(TeachingUnit.objects.filter(code__startswith="CCG"))
        if required_for(user):
            load_demo_device(user)
    return list(ACCOUNTS)


def is_demo_account(user: User) -> bool:
    return any(a.username == user.username for a in ACCOUNTS) and user.email.endswith(
        "@demo.invalid"
    )


def load_demo_device(user: User) -> TOTPDevice:
    """The demo account's authenticator, on the documented demo secret."""
    device = TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True
        )
    return device


def demo_code(username: str) -> str:
    """The current code of a demo account; refused for any other account."""
    from tremplin.accounts.twofactor import current_code

    user = User.objects.filter(username=username).first()
    if user is None or not is_demo_account(user):
        raise ValueError(f"{username} n'est pas un compte de démonstration.")
    if not TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY, confirmed=True).exists():
        raise ValueError(f"Le compte {username} n'a pas d'authentificateur de démonstration.")
    return current_code(DEMO_TOTP_KEY)
