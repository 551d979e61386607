"""Partnership conventions (DAP / Cnam national conventions, regional tripartite conventions,
the State / UNML / Cnam convention) and their objectives.

An objective names an indicator of `indicators.py` and a target; its actual value is always
computed from the data over the convention's scope and the objective's period, never stored.
"""

from __future__ import annotations

from datetime import date

from django.db import models

from tremplin.catalog.academic import academic_year_bounds, academic_year_of
from tremplin.core.permissions import SharedReference
from tremplin.core.roles import Role
from tremplin.places.models import Disp, Establishment, Region

#: Everyone signed in reads the conventions; the national coordinator edits them.
CONVENTIONS = SharedReference(Role.NATIONAL_COORDINATOR)


class ConventionKind(models.TextChoices):
    NATIONAL_DAP_CNAM = "national_dap_cnam", "Convention nationale DAP / Cnam"
    REGIONAL_TRIPARTITE = (
        "regional_tripartite",
        "Convention régionale tripartite (Cnam, UPR, DISP)",
    )
    STATE_UNML_CNAM = "state_unml_cnam", "Convention État / UNML / Cnam"
    OTHER = "other", "Autre convention"


class ScopeKind(models.TextChoices):
    NATIONAL = "national", "Tout le territoire national"
    DISPS = "disps", "Certaines DISP"
    ESTABLISHMENTS = "establishments", "Établissements désignés"
    REGIONS = "regions", "Certaines régions"


class Convention(models.Model):
    permissions = CONVENTIONS

    title = models.CharField(
        "intitulé",
        max_length=200,
        unique=True,
        error_messages={"unique": "Une convention porte déjà cet intitulé."},
    )
    kind = models.CharField("nature", max_length=30, choices=ConventionKind.choices)
    parties = models.JSONField("parties signataires", default=list, blank=True)
    signed_on = models.DateField("signée le")
    ends_on = models.DateField("échéance", null=True, blank=True)
    scope = models.CharField(
        "périmètre", max_length=20, choices=ScopeKind.choices, default=ScopeKind.NATIONAL
    )
    disps = models.ManyToManyField(Disp, verbose_name="DISP", blank=True, related_name="+")
    establishments = models.ManyToManyField(
        Establishment, verbose_name="établissements", blank=True, related_name="+"
    )
    regions = models.ManyToManyField(Region, verbose_name="régions", blank=True, related_name="+")
    summary = models.TextField("résumé", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = "convention"

    def __str__(self) -> str:
        return self.title

    @property
    def party_list(self) -> list[str]:
        return [str(p) for p in self.parties] if isinstance(self.parties, list) else []

    def is_in_force(self, on: date) -> bool:
        return self.signed_on <= on and (self.ends_on is None or on <= self.ends_on)


class Objective(models.Model):
    permissions = CONVENTIONS

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="objectives"
    )
    label = models.CharField("objectif", max_length=200)
    indicator = models.CharField(
        "indicateur",
        max_length=40,
        help_text="Clé d'un indicateur de tremplin.conventions.indicators",
    )
    target = models.DecimalField("cible", max_digits=10, decimal_places=2)
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["convention_id", "position", "id"]
        verbose_name = "objectif"

    def __str__(self) -> str:
        return self.label

    @property
    def period_label(self) -> str:
        """`2020-2021`, `2018-2019 à 2020-2021`, or `du 01/01/2020 au 31/12/2022`."""
        first = academic_year_of(self.period_start)
        last = academic_year_of(self.period_end)
        if (
            academic_year_bounds(first)[0] == self.period_start
            and academic_year_bounds(last)[1] == self.period_end
        ):
            return first if first == last else f"{first} à {last}"
        return f"du {self.period_start:%d/%m/%Y} au {self.period_end:%d/%m/%Y}"
