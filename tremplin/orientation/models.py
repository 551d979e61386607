"""Orientation of young people from the missions locales towards Cnam training in small and
medium towns (convention State / UNML / Cnam of 9 June 2021)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from tremplin.catalog.models import Formation, Modality, Sector
from tremplin.core.permissions import SharedReference
from tremplin.core.roles import Role
from tremplin.learners.models import Learner
from tremplin.learners.permissions import LearnerRecordPermissions
from tremplin.places.models import CnamCentre, Commune, MissionLocale, SizeClass

from .permissions import ReferralPermissions

MIN_AGE = 16
MAX_AGE = 25
#: The most places an offer may announce for one start (a typing error beyond).
MAX_PLACES = 5_000
#: A referral with no first contact after this many days shows a reminder.
REMINDER_DAYS = 15


def month_of(moment: datetime) -> date:
    """The first day of the local month of an instant."""
    return timezone.localtime(moment).date().replace(day=1)


class Qualification(models.TextChoices):
    BELOW_BAC = "below_bac", "Sans le baccalauréat"
    BAC = "bac", "Baccalauréat"
    POST_BAC = "post_bac", "Diplôme de l'enseignement supérieur (bac+)"


class Rhythm(models.TextChoices):
    FULL_TIME = "full_time", "À temps plein"
    PART_TIME = "part_time", "À temps partiel"


class YouthProfile(models.Model):
    """What a mission-locale counselor knows of a young person, for the orientation."""

    permissions = LearnerRecordPermissions()

    learner = models.OneToOneField(
        Learner, verbose_name="jeune", on_delete=models.CASCADE, related_name="youth_profile"
    )
    commune = models.ForeignKey(
        Commune, verbose_name="commune de résidence", on_delete=models.PROTECT, related_name="+"
    )
    qualification = models.CharField(
        "plus haut diplôme", max_length=10, choices=Qualification.choices
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name="secteurs d'intérêt", blank=True, related_name="+"
    )
    can_travel = models.BooleanField("peut se déplacer", default=True)
    max_distance_km = models.PositiveSmallIntegerField(
        "distance maximale (km)", null=True, blank=True
    )
    available_from = models.DateField("disponible à partir du", null=True, blank=True)
    rhythm = models.CharField(
        "rythme", max_length=10, choices=Rhythm.choices, default=Rhythm.FULL_TIME
    )
    phone = models.CharField("téléphone", max_length=20, blank=True, db_default="")
    email = models.EmailField("courriel", blank=True, db_default="")
    contact_consent_on = models.DateField(
        "consentement à la transmission des coordonnées le",
        null=True,
        blank=True,
        help_text="Date à laquelle le jeune a accepté que ses coordonnées soient transmises au centre.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "profil d'orientation"
        verbose_name_plural = "profils d'orientation"

    def __str__(self) -> str:
        return f"Profil d'orientation de {self.learner}"


class CentreOffer(models.Model):
    """A formation that a Cnam centre offers, with its modality and next session."""

    permissions = SharedReference(Role.NATIONAL_COORDINATOR)

    centre = models.ForeignKey(
        CnamCentre, verbose_name="centre", on_delete=models.CASCADE, related_name="offers"
    )
    formation = models.ForeignKey(
        Formation, verbose_name="formation", on_delete=models.CASCADE, related_name="centre_offers"
    )
    modality = models.CharField("modalité", max_length=10, choices=Modality.choices)
    next_start = models.DateField("prochaine rentrée", null=True, blank=True)
    places = models.PositiveSmallIntegerField(
        "places", null=True, blank=True, help_text="Places ouvertes à la prochaine rentrée."
    )

    class Meta:
        ordering = ["centre_id", "formation_id"]
        verbose_name = "offre d'un centre"
        verbose_name_plural = "offres des centres"
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "formation"], name="one_offer_per_centre_formation"
            ),
            models.CheckConstraint(
                condition=models.Q(places__isnull=True) | models.Q(places__lte=MAX_PLACES),
                name="centre_offer_places_at_most_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.formation.code} à {self.centre}"


class CloseReason(models.TextChoices):
    NO_ANSWER = "no_answer", "Pas de réponse du jeune"
    NOT_ELIGIBLE = "not_eligible", "Ne remplit pas les conditions"
    OTHER_PATH = "other_path", "A choisi un autre parcours"
    CENTRE_FULL = "centre_full", "Centre complet"


class Referral(models.Model):
    """A young person referred by a mission locale to one Cnam centre for one offer."""

    permissions = ReferralPermissions()

    class Status(models.TextChoices):
        SENT = "sent", "Envoyée"
        CONTACTED = "contacted", "Jeune contacté par le centre"
        INFORMATION_MEETING = "information_meeting", "Réunion d'information"
        ENROLLED = "enrolled", "Inscrit"
        CLOSED = "closed", "Close"

    learner = models.ForeignKey(
        Learner, verbose_name="jeune", on_delete=models.PROTECT, related_name="referrals"
    )
    mission_locale = models.ForeignKey(
        MissionLocale,
        verbose_name="mission locale",
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    centre = models.ForeignKey(
        CnamCentre, verbose_name="centre", on_delete=models.PROTECT, related_name="referrals"
    )
    formation = models.ForeignKey(
        Formation, verbose_name="formation", on_delete=models.PROTECT, related_name="referrals"
    )
    modality = models.CharField("modalité", max_length=10, choices=Modality.choices)
    distance_km = models.DecimalField(
        "distance (km)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    size_class = models.CharField(
        "taille de la ville du centre", max_length=10, choices=SizeClass.choices, blank=True
    )
    message = models.TextField("message", blank=True)
    status = FSMField("statut", default=Status.SENT, choices=Status.choices, protected=True)
    close_reason = models.CharField(
        "motif de clôture", max_length=15, choices=CloseReason.choices, blank=True
    )
    sent_at = models.DateTimeField("envoyée le")
    #: The local month of `sent_at` (its first day), kept with it for the monthly figures
    #: (stats.py); set by save() and by the bulk writes.
    sent_month = models.DateField("mois d'envoi", blank=True, editable=False)
    first_contact_at = models.DateTimeField("premier contact le", null=True, blank=True)
    #: Whole days (24 h) from sending to the first contact, kept with it for the figures: the
    #: stats group by it in the order of an index (tremplin/orientation/stats.py).
    first_contact_days = models.PositiveSmallIntegerField(
        "jours jusqu'au premier contact", null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField("modifiée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "orientation vers un centre"
        verbose_name_plural = "orientations vers les centres"
        indexes = [
            # By centre or mission locale and status, then date: the referrals waiting for a
            # reminder of a region are counted inside these indexes.
            models.Index(fields=["centre", "status", "sent_at"], name="referral_centre_status"),
            models.Index(fields=["mission_locale", "status", "sent_at"], name="referral_ml_status"),
            models.Index(fields=["status", "sent_at"]),
            # The list's order with what a region's list filters on: a page deep in the list
            # reads its keys inside this index alone (core/paging.py; a region's page 1,900:
            # 918 ms on SQLite, 468 ms on PostgreSQL when each referral's row was read).
            models.Index(
                fields=["sent_at", "id", "centre", "mission_locale"], name="referral_list_order"
            ),
            # The lists of a mission locale and of a centre, newest first, in index order.
            models.Index(fields=["mission_locale", "sent_at"], name="referral_ml_sent"),
            models.Index(fields=["centre", "sent_at"], name="referral_centre_sent"),
            # Covering indexes of the figures (stats.py): read in GROUP BY order, no sort.
            models.Index(
                fields=[
                    "mission_locale",
                    "centre",
                    "first_contact_days",
                    "sent_at",
                    "status",
                    "size_class",
                ],
                name="referral_stats_by_place",
            ),
            models.Index(
                fields=[
                    "sent_month",
                    "first_contact_days",
                    "status",
                    "size_class",
                    "mission_locale",
                    "centre",
                ],
                name="referral_stats_by_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} → {self.centre} ({self.formation.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.sent_at is not None:
            self.sent_month = month_of(self.sent_at)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "sent_at" in update_fields:
                kwargs["update_fields"] = [*update_fields, "sent_month"]
        super().save(*args, **kwargs)

    @transition(field=status, source=Status.SENT, target=Status.CONTACTED)
    def contact(self) -> None:
        """The centre reached the young person."""

    @transition(field=status, source=Status.CONTACTED, target=Status.INFORMATION_MEETING)
    def meet(self) -> None:
        """The young person came to an information meeting."""

    @transition(
        field=status,
        source=[Status.CONTACTED, Status.INFORMATION_MEETING],
        target=Status.ENROLLED,
    )
    def enrol(self) -> None:
        """The young person enrolled at the centre."""

    @transition(
        field=status,
        source=[Status.SENT, Status.CONTACTED, Status.INFORMATION_MEETING],
        target=Status.CLOSED,
    )
    def close(self) -> None:
        """Closed with a reason."""


class ReferralEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Referral.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["referral_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_to_status_display()} le {self.at:%d/%m/%Y}"
