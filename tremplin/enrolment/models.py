"""Applications (candidatures), enrolments with their results, and certifications."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import FSMField, transition

from tremplin.catalog.models import Formation, TeachingUnit, validate_academic_year
from tremplin.core.constraints import grade_out_of_20
from tremplin.learners.models import Learner
from tremplin.learners.permissions import LearnerRecordPermissions
from tremplin.places.models import Establishment

from .permissions import EnrolmentPermissions

PASS_MARK = Decimal(10)


class Funding(models.TextChoices):
    DAP = "dap", "Administration pénitentiaire (DAP)"
    REGION = "region", "Région"
    CNAM = "cnam", "Cnam"
    OTHER = "other", "Autre"


class Application(models.Model):
    """A candidature for a formation or for UEs. Its status moves only along the transitions
    declared below (django-fsm); each move is recorded as an ApplicationStep."""

    permissions = LearnerRecordPermissions(tested=True)

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Déposée"
        REVIEWED = "reviewed", "Avis du RLE donné"
        VALIDATED = "validated", "Validée par le Cnam"
        ENROLLED = "enrolled", "Inscription faite"
        REFUSED = "refused", "Refusée"
        WITHDRAWN = "withdrawn", "Retirée"

    class Opinion(models.TextChoices):
        FAVOURABLE = "favourable", "Favorable"
        RESERVED = "reserved", "Favorable avec réserves"
        UNFAVOURABLE = "unfavourable", "Défavorable"

    learner = models.ForeignKey(
        Learner, verbose_name="apprenant", on_delete=models.PROTECT, related_name="applications"
    )
    academic_year = models.CharField(
        "année universitaire", max_length=9, validators=[validate_academic_year]
    )
    formation = models.ForeignKey(
        Formation,
        verbose_name="formation visée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    units = models.ManyToManyField(TeachingUnit, verbose_name="UE demandées", related_name="+")
    funding = models.CharField("financement", max_length=10, choices=Funding.choices)
    motivation = models.TextField("projet et motivation", blank=True)
    status = FSMField("statut", default=Status.SUBMITTED, choices=Status.choices, protected=True)
    rle_opinion = models.CharField(
        "avis du RLE", max_length=15, choices=Opinion.choices, blank=True
    )
    rle_comment = models.TextField("commentaire du RLE", blank=True)
    reason = models.TextField("motif du refus ou du retrait", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("déposée le", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "candidature"

    def __str__(self) -> str:
        what = self.formation.code if self.formation_id and self.formation else "UE"
        return f"Candidature {what} {self.academic_year} de {self.learner}"

    @transition(field=status, source=Status.SUBMITTED, target=Status.REVIEWED)
    def review(self) -> None:
        """The RLE gives an opinion."""

    @transition(field=status, source=[Status.SUBMITTED, Status.REVIEWED], target=Status.VALIDATED)
    def validate(self) -> None:
        """The Cnam validates the pedagogical path."""

    @transition(field=status, source=Status.VALIDATED, target=Status.ENROLLED)
    def enrol(self) -> None:
        """The learner is enrolled in the UEs."""

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.REVIEWED, Status.VALIDATED],
        target=Status.REFUSED,
    )
    def refuse(self) -> None:
        """The Cnam refuses the application (with a reason)."""

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.REVIEWED, Status.VALIDATED],
        target=Status.WITHDRAWN,
    )
    def withdraw(self) -> None:
        """The learner withdraws (with a reason)."""


class ApplicationStep(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=15, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=Application.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["application_id", "at", "id"]
        verbose_name = "étape de candidature"

    def __str__(self) -> str:
        return f"{self.get_to_status_display()} le {self.at:%d/%m/%Y}"


class Result(models.TextChoices):
    PENDING = "pending", "En cours"
    VALIDATED = "validated", "Validée"
    FAILED = "failed", "Non validée"
    ABSENT = "absent", "Absent(e)"
    ABANDONED = "abandoned", "Abandon"
    CANCELLED = "cancelled", "Annulée"


class AbandonReason(models.TextChoices):
    TRANSFER = "transfer", "Transfert"
    RELEASE = "release", "Libération"
    OTHER = "other", "Autre"


class Enrolment(models.Model):
    """One learner in one UE for one academic year, at the establishment of placement."""

    permissions = EnrolmentPermissions()

    # No index of their own: a learner's enrolments are read on the unique constraint's
    # (learner, academic_year, unit), a year's on (academic_year, result) and the covering
    # index; two more indexes cost every insert (an import: 18 % of its rows' writes).
    learner = models.ForeignKey(
        Learner,
        verbose_name="apprenant",
        on_delete=models.PROTECT,
        related_name="enrolments",
        db_index=False,
    )
    academic_year = models.CharField(
        "année universitaire", max_length=9, validators=[validate_academic_year]
    )
    unit = models.ForeignKey(
        TeachingUnit, verbose_name="UE", on_delete=models.PROTECT, related_name="enrolments"
    )
    # Indexed by `enrolment_by_establishment`, which starts with it.
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
        db_index=False,
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    funding = models.CharField("financement", max_length=10, choices=Funding.choices, blank=True)
    result = models.CharField(
        "résultat", max_length=10, choices=Result.choices, default=Result.PENDING
    )
    grade = models.DecimalField(
        "note sur 20",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )
    abandon_reason = models.CharField(
        "motif d'abandon", max_length=10, choices=AbandonReason.choices, blank=True
    )
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["academic_year", "unit_id"]
        verbose_name = "inscription à une UE"
        verbose_name_plural = "inscriptions aux UE"
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "academic_year", "unit"], name="one_enrolment_per_unit_and_year"
            ),
            # Rules that no path may bypass, the bulk ones (COPY) included.
            grade_out_of_20("enrolment_grade_out_of_20"),
            models.CheckConstraint(
                condition=~models.Q(result=Result.VALIDATED)
                | models.Q(grade__isnull=True)
                | models.Q(grade__gte=Decimal(10)),
                name="enrolment_validated_grade_at_least_10",
                violation_error_message="Une UE validée a une note d'au moins 10/20.",
            ),
        ]
        indexes = [
            models.Index(fields=["academic_year", "result"]),
            # Covering index of the bilan's yearly aggregates (by UE, sector, DISP, trends): a
            # year's enrolments read from the index alone, in UE order (benchmarks/README.md).
            models.Index(
                fields=["academic_year", "unit", "result", "learner", "establishment"],
                name="enrolment_year_cover",
            ),
            # An establishment's enrolments of a year, read from the index alone: SQLite's
            # planner joins the bilan's DISPs and establishments to the enrolments through the
            # establishment, and with the foreign key's own index read every year's enrolments
            # of each establishment (a million rows) to count one year's (migration 0008).
            models.Index(
                fields=["establishment", "academic_year", "result", "learner"],
                name="enrolment_by_establishment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.academic_year}"


class Certification(models.Model):
    """A certification proposed by Tremplin when a learner meets a formation's requirements,
    awarded by a coordinator (with a number), possibly revoked (never deleted)."""

    permissions = LearnerRecordPermissions(tested=True)

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposée"
        AWARDED = "awarded", "Délivrée"
        REVOKED = "revoked", "Retirée"

    learner = models.ForeignKey(
        Learner, verbose_name="apprenant", on_delete=models.PROTECT, related_name="certifications"
    )
    formation = models.ForeignKey(
        Formation, verbose_name="formation", on_delete=models.PROTECT, related_name="certifications"
    )
    status = FSMField("statut", default=Status.PROPOSED, choices=Status.choices, protected=True)
    number = models.CharField("numéro", max_length=30, unique=True, null=True, blank=True)
    awarded_on = models.DateField("date de délivrance", null=True, blank=True)
    academic_year = models.CharField("année universitaire", max_length=9, blank=True)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    credits = models.DecimalField("crédits validés", max_digits=6, decimal_places=1, default=0)
    revoke_reason = models.TextField("motif du retrait", blank=True)
    proposed_at = models.DateTimeField("proposée le", auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "-proposed_at"]
        verbose_name = "certification"
        # The lists of proposed and awarded certifications, in their order (a sort of 20,000
        # rows at national scale otherwise).
        indexes = [
            models.Index(
                fields=["status", "-awarded_on", "-proposed_at"], name="certification_status_order"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "formation"],
                condition=~models.Q(status="revoked"),
                name="one_live_certification_per_formation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.formation.code} — {self.learner}"

    @transition(field=status, source=Status.PROPOSED, target=Status.AWARDED)
    def award(self) -> None:
        """A coordinator confirms the award."""

    @transition(field=status, source=[Status.PROPOSED, Status.AWARDED], target=Status.REVOKED)
    def revoke(self) -> None:
        """Withdrawn, with a reason; the record stays."""


class CertificationEvent(models.Model):
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(max_length=10, choices=Certification.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["certification_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} le {self.at:%d/%m/%Y}"
