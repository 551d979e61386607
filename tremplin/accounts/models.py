"""Users, their role and their scope (DOMAIN.md, "Who uses it")."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from tremplin.catalog.models import TeachingUnit
from tremplin.core.permissions import Actor
from tremplin.core.roles import Role
from tremplin.places.models import CnamCentre, Disp, Establishment, MissionLocale, Region


class User(AbstractUser):
    role = models.CharField("rôle", max_length=30, choices=Role.choices, default=Role.STATISTICIAN)
    disps = models.ManyToManyField(Disp, verbose_name="DISP", blank=True, related_name="users")
    regions = models.ManyToManyField(
        Region, verbose_name="régions Cnam", blank=True, related_name="users"
    )
    establishments = models.ManyToManyField(
        Establishment, verbose_name="établissements", blank=True, related_name="users"
    )
    mission_locale = models.ForeignKey(
        MissionLocale,
        verbose_name="mission locale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    centre = models.ForeignKey(
        CnamCentre,
        verbose_name="centre Cnam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    teaching_units = models.ManyToManyField(
        TeachingUnit, verbose_name="UE enseignées", blank=True, related_name="teachers"
    )

    session_generation = models.PositiveIntegerField(
        "génération des sessions",
        default=0,
        editable=False,
        help_text="Augmentée par « Se déconnecter de tous les appareils » : "
        "toutes les sessions ouvertes deviennent invalides.",
    )

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["username"]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash, with the session generation mixed in: bumping it (or changing
        the password) invalidates every session of the user."""
        return salted_hmac(
            "tremplin.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def can_edit_catalogue(self) -> bool:
        from tremplin.catalog.models import Edition
        from tremplin.core.permissions import permissions_of

        return permissions_of(Edition).can_change(self)


def acting_user(by: Actor) -> User | None:
    """The user recorded as the author of a change: the one signed in, or nobody (the command
    line, the system, a consequence)."""
    return by if isinstance(by, User) and by.is_authenticated else None
