"""The accounts of the people who work in an establishment, as they travel with its copy: the
copy's users log in there with their usual password and second factor (the centre's accounts
win: a copy never changes an account)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.core.roles import Role
from tremplin.enrolment.models import Enrolment
from tremplin.places.models import Establishment

from .records import plain, python

User = get_user_model()
ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "password",
    "is_active",
    "session_generation",
)
#: The many-to-many scope of an account, by natural key.
SCOPES = {
    "establishments": "label",
    "regions": "code",
    "disps": "code",
    "teaching_units": "code",
}
#: The roles that work inside an establishment (the coordinations work at the centre).
WORK_THERE = (Role.RLE, Role.TEACHER, Role.REFERENT)


def working_in(establishment: Establishment) -> Any:
    """The accounts of the establishment's copy: its RLE and referents, the teachers of the UEs
    its learners follow."""
    from .exchange import learners

    units = Enrolment.objects.filter(learner__in=learners(establishment).values("pk")).values(
        "unit_id"
    )
    return (
        User.objects.filter(is_active=True, role__in=WORK_THERE)
        .filter(
            Q(role__in=(Role.RLE, Role.REFERENT), establishments=establishment)
            | Q(role=Role.TEACHER, teaching_units__in=units)
        )
        .distinct()
        .order_by("username")
    )


def _device_fields(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "user"]


def dump(users: Iterable[Any]) -> list[dict[str, Any]]:
    documents = []
    for user in users:
        document: dict[str, Any] = {name: getattr(user, name) for name in ACCOUNT_FIELDS}
        for name, key in SCOPES.items():
            document[name] = sorted(getattr(user, name).values_list(key, flat=True))
        document["totp"] = [
            {f.name: plain(f, f.value_from_object(d)) for f in _device_fields(TOTPDevice)}
            for d in TOTPDevice.objects.filter(user=user)
        ]
        document["static"] = [
            {
                **{f.name: plain(f, f.value_from_object(d)) for f in _device_fields(StaticDevice)},
                "tokens": sorted(d.token_set.values_list("token", flat=True)),
            }
            for d in StaticDevice.objects.filter(user=user)
        ]
        documents.append(document)
    return documents


def named(usernames: Iterable[str], but: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The people that the records name (who recorded a step, a result) but who do not work in
    the establishment: their name only, for the copy's history (an account that cannot log in)."""
    wanted = set(usernames) - set(but)
    return [
        {"username": u, "first_name": f, "last_name": last, "role": role}
        for u, f, last, role in User.objects.filter(username__in=wanted)
        .order_by("username")
        .values_list("username", "first_name", "last_name", "role")
    ]


def load_named(documents: list[dict[str, Any]]) -> None:
    for document in documents:
        user, made = User.objects.get_or_create(
            username=document["username"],
            defaults={
                "first_name": document.get("first_name", ""),
                "last_name": document.get("last_name", ""),
                "role": document.get("role", Role.STATISTICIAN),
                "is_active": False,
            },
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])


def load(documents: list[dict[str, Any]]) -> int:
    """Create or update these accounts (the copy's) with their second factors; deactivate the
    copy's others. Their scopes follow the records (`load_scopes`). Returns how many."""
    for document in documents:
        values = {name: document[name] for name in ACCOUNT_FIELDS if name != "username"}
        user, _ = User.objects.update_or_create(username=document["username"], defaults=values)
        TOTPDevice.objects.filter(user=user).delete()
        for device in document.get("totp", []):
            fields = {f.name: python(f, device.get(f.name)) for f in _device_fields(TOTPDevice)}
            TOTPDevice.objects.create(user=user, **fields)
        StaticDevice.objects.filter(user=user).delete()
        for device in document.get("static", []):
            fields = {f.name: python(f, device.get(f.name)) for f in _device_fields(StaticDevice)}
            static = StaticDevice.objects.create(user=user, **fields)
            StaticToken.objects.bulk_create(
                StaticToken(device=static, token=token) for token in device.get("tokens", [])
            )
    names = [d["username"] for d in documents]
    User.objects.exclude(username__in=names).filter(is_superuser=False).update(is_active=False)
    return len(documents)


def load_scopes(documents: list[dict[str, Any]]) -> None:
    """The accounts' scopes (establishments, regions, UEs), once the records they name are here."""
    from tremplin.catalog.models import TeachingUnit
    from tremplin.places.models import Disp, Region

    targets: dict[str, Any] = {
        "establishments": Establishment,
        "regions": Region,
        "disps": Disp,
        "teaching_units": TeachingUnit,
    }
    for document in documents:
        user = User.objects.get(username=document["username"])
        for name, key in SCOPES.items():
            getattr(user, name).set(
                targets[name].objects.filter(**{f"{key}__in": document.get(name, [])})
            )
