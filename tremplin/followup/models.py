"""Follow-up interviews by the Cnam's referents."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tremplin.learners.models import Learner
from tremplin.learners.permissions import LearnerRecordPermissions

#: An enrolled learner with no interview for this many days raises an alert.
INTERVIEW_ALERT_DAYS = 60


class Interview(models.Model):
    permissions = LearnerRecordPermissions()

    class Kind(models.TextChoices):
        INFORMATION_ORIENTATION = (
            "information_orientation",
            "Entretien d'information et d'orientation",
        )
        TRAINING_FOLLOWUP = "training_followup", "Entretien de suivi de formation"

    learner = models.ForeignKey(
        Learner, verbose_name="apprenant", on_delete=models.PROTECT, related_name="interviews"
    )
    date = models.DateField("date")
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    kind = models.CharField("nature", max_length=30, choices=Kind.choices)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent",
        null=True,
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    notes = models.TextField("notes", blank=True)
    next_steps = models.TextField("suites à donner", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "entretien"
        indexes = [
            models.Index(fields=["learner", "date"]),
            # Covering index of the bilan's follow-up figures: a year's interviews by date range.
            models.Index(fields=["date", "kind", "learner"], name="interview_date_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.date:%d/%m/%Y}"
