"""Émergence ("Émergence du désir d'entreprendre"): the Cnam's business-creation programme for
detained learners, run in cohorts per establishment and academic year, on site and at distance."""

from __future__ import annotations

from django.db import models

from tremplin.catalog.models import validate_academic_year
from tremplin.learners.models import Learner
from tremplin.learners.permissions import LearnerRecordPermissions
from tremplin.places.models import Establishment


class Cohort(models.Model):
    """A group of participants at one establishment for one academic year."""

    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="emergence_cohorts",
    )
    academic_year = models.CharField(
        "année universitaire", max_length=9, validators=[validate_academic_year], db_index=True
    )
    start_date = models.DateField("début")
    facilitator = models.CharField("animation", max_length=150, blank=True)

    class Meta:
        ordering = ["academic_year", "establishment__label"]
        verbose_name = "cohorte Émergence"
        verbose_name_plural = "cohortes Émergence"
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "academic_year"],
                name="one_cohort_per_establishment_and_year",
            )
        ]

    def __str__(self) -> str:
        return f"Émergence {self.academic_year} — {self.establishment.label}"


class Participant(models.Model):
    permissions = LearnerRecordPermissions()

    cohort = models.ForeignKey(
        Cohort, verbose_name="cohorte", on_delete=models.CASCADE, related_name="participants"
    )
    learner = models.ForeignKey(
        Learner,
        verbose_name="apprenant",
        on_delete=models.PROTECT,
        related_name="emergence_participations",
    )
    project_presented = models.BooleanField("projet présenté", default=False)
    business_plan_written = models.BooleanField("plan d'affaires rédigé", default=False)
    continued_after_release = models.BooleanField("projet poursuivi après la sortie", default=False)

    class Meta:
        ordering = ["cohort", "learner__last_name"]
        verbose_name = "participant Émergence"
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner"], name="one_participation_per_cohort"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.cohort}"
