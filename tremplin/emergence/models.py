"""Émergence ("Émergence du désir d'entreprendre"): the Cnam's business-creation programme for
detained learners, run in cohorts per establishment and academic year, on site and at distance."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from tremplin.catalog.academic import academic_year_bounds
from tremplin.catalog.models import validate_academic_year
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment

from .permissions import (
    AttendancePermissions,
    CohortPermissions,
    ParticipantPermissions,
    SessionPermissions,
)


class Cohort(models.Model):
    """A group of participants at one establishment for one academic year."""

    permissions = CohortPermissions()

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
        ordering = ["academic_year", "id"]
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
    permissions = ParticipantPermissions()

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
        ordering = ["cohort_id", "id"]
        verbose_name = "participant Émergence"
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner"], name="one_participation_per_cohort"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.cohort}"


def year_bounds_text(year: str) -> str:
    """« du 1er septembre 2019 au 31 août 2020 » for 2019-2020."""
    start, end = academic_year_bounds(year)
    return f"du 1er septembre {start.year} au 31 août {end.year}"


class Session(models.Model):
    """One meeting of a cohort: a workshop on site or a session at distance."""

    permissions = SessionPermissions()

    class Modality(models.TextChoices):
        ON_SITE = "on_site", "En présentiel"
        DISTANCE = "distance", "À distance"

    cohort = models.ForeignKey(
        Cohort, verbose_name="cohorte", on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField("date")
    modality = models.CharField(
        "modalité", max_length=10, choices=Modality.choices, default=Modality.ON_SITE
    )
    topic = models.CharField("thème", max_length=200)
    facilitator = models.CharField("animation", max_length=150, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "séance Émergence"
        verbose_name_plural = "séances Émergence"
        indexes = [models.Index(fields=["cohort", "date"])]

    def __str__(self) -> str:
        return f"Séance du {self.date:%d/%m/%Y} — {self.topic}"

    def clean(self) -> None:
        super().clean()
        if self.cohort_id is None or self.date is None:
            return
        year = self.cohort.academic_year
        start, end = academic_year_bounds(year)
        if not start <= self.date <= end:
            raise ValidationError(
                {
                    "date": (
                        f"La séance doit avoir lieu pendant l'année universitaire {year} de "
                        f"la cohorte, {year_bounds_text(year)}."
                    )
                }
            )


class Attendance(models.Model):
    """Whether a participant attended a session."""

    permissions = AttendancePermissions()

    session = models.ForeignKey(
        Session, verbose_name="séance", on_delete=models.CASCADE, related_name="attendances"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name="participant",
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    present = models.BooleanField("présent(e)", default=False)
    note = models.CharField("observation", max_length=255, blank=True)

    class Meta:
        ordering = ["session_id", "participant_id"]
        verbose_name = "présence Émergence"
        verbose_name_plural = "présences Émergence"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_attendance_per_session_and_participant"
            )
        ]

    def __str__(self) -> str:
        state = "présent(e)" if self.present else "absent(e)"
        return f"{self.participant.learner} — {self.session} : {state}"

    def clean(self) -> None:
        super().clean()
        if (
            self.session_id is not None
            and self.participant_id is not None
            and self.session.cohort_id != self.participant.cohort_id
        ):
            raise ValidationError(
                {"participant": "Cette personne ne fait pas partie de la cohorte de la séance."}
            )
