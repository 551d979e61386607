"""Distance learning without internet: the course material carried into the establishments
(packages per UE, deliveries per enrolment), the exam sessions held inside them, and the
hand-over of a released learner to the nearest Cnam centre."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F

from tremplin.catalog.models import TeachingUnit
from tremplin.core.constraints import grade_out_of_20
from tremplin.core.permissions import SharedReference
from tremplin.core.roles import Role
from tremplin.enrolment.models import Enrolment
from tremplin.learners.models import Learner, Placement
from tremplin.places.models import CnamCentre, Establishment

from .permissions import (
    DeliveryPermissions,
    HandOverPermissions,
    RegistrationPermissions,
    SessionPermissions,
)

#: A learner's transfer that a delivery follows: the flag shown beside it.
FOLLOWS_TRANSFER = "suit un transfert"


class MaterialPackage(models.Model):
    """One package of the printed or offline material of a UE taught at distance."""

    permissions = SharedReference(Role.NATIONAL_COORDINATOR)

    class Kind(models.TextChoices):
        BOOKLET = "booklet", "Livret imprimé"
        MEDIA = "media", "Support hors ligne"
        ASSIGNMENT = "assignment", "Devoir"
        CORRECTION = "correction", "Corrigé"

    unit = models.ForeignKey(
        TeachingUnit, verbose_name="UE", on_delete=models.CASCADE, related_name="packages"
    )
    title = models.CharField("intitulé", max_length=200)
    kind = models.CharField("nature", max_length=12, choices=Kind.choices)
    file = models.FileField("fichier", upload_to="delivery/packages/", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["unit_id", "position", "id"]
        verbose_name = "support de cours"
        verbose_name_plural = "supports de cours"
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="one_package_title_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} — {self.title}"

    @property
    def is_assignment(self) -> bool:
        return self.kind == self.Kind.ASSIGNMENT


class Delivery(models.Model):
    """One package for one enrolment: sent to the establishment, handed to the learner and, for
    an assignment, returned with its grade and feedback."""

    permissions = DeliveryPermissions()

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.CASCADE, related_name="deliveries"
    )
    package = models.ForeignKey(
        MaterialPackage, verbose_name="support", on_delete=models.PROTECT, related_name="deliveries"
    )
    sent_to = models.ForeignKey(
        Establishment,
        verbose_name="envoyé à",
        on_delete=models.PROTECT,
        related_name="material_deliveries",
    )
    sent_on = models.DateField("envoyé le")
    handed_on = models.DateField("remis le", null=True, blank=True)
    returned_on = models.DateField("devoir rendu le", null=True, blank=True)
    grade = models.DecimalField(
        "note sur 20",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )
    feedback = models.TextField("appréciation", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sent_on", "id"]
        verbose_name = "remise de support"
        verbose_name_plural = "remises de supports"
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "package"], name="one_delivery_per_enrolment_and_package"
            ),
            grade_out_of_20("delivery_grade_out_of_20"),
            models.CheckConstraint(
                condition=(models.Q(handed_on__isnull=True) | models.Q(handed_on__gte=F("sent_on")))
                & (
                    models.Q(returned_on__isnull=True)
                    | models.Q(handed_on__isnull=False, returned_on__gte=F("handed_on"))
                ),
                name="delivery_dates_in_order",
                violation_error_message="Les dates se suivent : envoi, remise, retour du devoir.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package} pour l'inscription {self.enrolment_id}"

    @property
    def follows_transfer(self) -> bool:
        """The material was sent to an establishment the learner has left since."""
        return self.enrolment.learner.establishment_id != self.sent_to_id

    @property
    def awaits_return(self) -> bool:
        return (
            self.package.kind == MaterialPackage.Kind.ASSIGNMENT
            and self.handed_on is not None
            and self.returned_on is None
        )


class ExamSession(models.Model):
    """Exams sat inside an establishment: a date and time, a room, an invigilator, the UEs."""

    permissions = SessionPermissions()

    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="exam_sessions",
    )
    starts_at = models.DateTimeField("début")
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=180)
    room = models.CharField("salle", max_length=100)
    invigilator = models.CharField("surveillant ou surveillante", max_length=150)
    units = models.ManyToManyField(TeachingUnit, verbose_name="UE", related_name="exam_sessions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "session d'examens"
        verbose_name_plural = "sessions d'examens"

    def __str__(self) -> str:
        return f"Session du {self.starts_at:%d/%m/%Y} — {self.establishment.label}"


class ExamRegistration(models.Model):
    """One enrolment sat in one session, with the candidate's accommodations."""

    permissions = RegistrationPermissions()

    session = models.ForeignKey(
        ExamSession, verbose_name="session", on_delete=models.CASCADE, related_name="registrations"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="inscription",
        on_delete=models.CASCADE,
        related_name="exam_registrations",
    )
    accommodation = models.TextField("aménagements", blank=True)
    extra_time_minutes = models.PositiveSmallIntegerField(
        "temps supplémentaire (minutes)", default=0
    )
    flag = models.TextField("signalement", blank=True)
    present = models.BooleanField("présent(e) à l'épreuve", null=True, blank=True)

    class Meta:
        ordering = ["session_id", "id"]
        verbose_name = "inscription à une session d'examens"
        verbose_name_plural = "inscriptions aux sessions d'examens"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="one_registration_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} — {self.session}"


class HandOver(models.Model):
    """A released learner with training in progress, handed over to the nearest Cnam centre."""

    permissions = HandOverPermissions()

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        CONTINUED = "continued", "Formation poursuivie"
        NOT_CONTINUED = "not_continued", "Formation non poursuivie"

    learner = models.ForeignKey(
        Learner, verbose_name="apprenant", on_delete=models.CASCADE, related_name="hand_overs"
    )
    placement = models.OneToOneField(
        Placement, verbose_name="libération", on_delete=models.CASCADE, related_name="hand_over"
    )
    centre = models.ForeignKey(
        CnamCentre, verbose_name="centre Cnam", on_delete=models.PROTECT, related_name="hand_overs"
    )
    distance_km = models.DecimalField("distance (km)", max_digits=7, decimal_places=1)
    status = models.CharField(
        "suite donnée", max_length=15, choices=Status.choices, default=Status.PENDING
    )
    note = models.TextField("observations", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("suite enregistrée le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "reprise de formation"
        verbose_name_plural = "reprises de formation"

    def __str__(self) -> str:
        return f"Reprise de {self.learner} par {self.centre}"
