from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models.functions import Length

from tremplin.catalog.academic import academic_year_bounds
from tremplin.catalog.models import validate_academic_year
from tremplin.core.forms import DsfrForm, required_when
from tremplin.places.models import Disp, Establishment, Region

from .indicators import indicator_choices
from .models import Convention, ConventionKind, Objective, ScopeKind
from .services import ConventionSpec, ObjectiveSpec

_YEARS = re.compile(r"^\s*(\d{4}-\d{4})\s*(?:(?:à|a|-|–)\s*(\d{4}-\d{4}))?\s*$")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConventionForm(DsfrForm):
    title = forms.CharField(label="Intitulé", max_length=200)
    kind = forms.ChoiceField(label="Nature", choices=ConventionKind.choices)
    parties = forms.CharField(
        label="Parties signataires",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Une partie par ligne. Exemple : Direction de l'administration pénitentiaire (DAP)",
    )
    signed_on = forms.DateField(label="Signée le", widget=_date_widget())
    ends_on = forms.DateField(
        label="Échéance", required=False, widget=_date_widget(), help_text="Si elle est connue."
    )
    scope = forms.ChoiceField(label="Périmètre", choices=ScopeKind.choices)
    disps = forms.ModelMultipleChoiceField(
        label="DISP (si « Certaines DISP »)",
        queryset=Disp.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    establishments = forms.CharField(
        label="Établissements (si « Établissements désignés »)",
        required=False,
        help_text="Libellés officiels séparés par des virgules. Exemple : CD MELUN, MC POISSY",
    )
    regions = forms.ModelMultipleChoiceField(
        label="Régions (si « Certaines régions »)",
        # The 18 regions (two-digit INSEE codes), not the overseas collectivities.
        queryset=Region.objects.alias(code_length=Length("code"))
        .filter(code_length=2)
        .order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label="Résumé", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_parties(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["parties"].splitlines() if line.strip()]

    def clean_establishments(self) -> list[Establishment]:
        labels = [
            label.strip().upper()
            for label in self.cleaned_data["establishments"].split(",")
            if label.strip()
        ]
        found = {e.label.upper(): e for e in Establishment.objects.filter(label__in=labels)}
        unknown = [label for label in labels if label not in found]
        if unknown:
            raise forms.ValidationError(f"Établissement inconnu : {', '.join(unknown)}.")
        return [found[label] for label in labels]

    def spec(self) -> ConventionSpec:
        data = self.cleaned_data
        return ConventionSpec(
            title=data["title"],
            kind=data["kind"],
            parties=data["parties"],
            signed_on=data["signed_on"],
            ends_on=data["ends_on"],
            scope=data["scope"],
            disps=list(data["disps"]),
            establishments=data["establishments"],
            regions=list(data["regions"]),
            summary=data["summary"],
        )

    @staticmethod
    def initial_for(convention: Convention) -> dict[str, Any]:
        return {
            "title": convention.title,
            "kind": convention.kind,
            "parties": "\n".join(convention.party_list),
            "signed_on": convention.signed_on,
            "ends_on": convention.ends_on,
            "scope": convention.scope,
            "disps": list(convention.disps.all()),
            "establishments": ", ".join(e.label for e in convention.establishments.all()),
            "regions": list(convention.regions.all()),
            "summary": convention.summary,
        }


class ObjectiveForm(DsfrForm):
    label = forms.CharField(
        label="Objectif",
        max_length=200,
        help_text="Exemple : Au moins 25 établissements partenaires en 2020-2021",
    )
    indicator = forms.ChoiceField(label="Indicateur", choices=indicator_choices)
    target = forms.DecimalField(
        label="Cible",
        max_digits=10,
        decimal_places=2,
        localize=True,
        help_text="Un nombre, ou un pourcentage pour un taux. Exemple : 25",
    )
    academic_years = required_when(
        forms.CharField(
            label="Année(s) universitaire(s)",
            required=False,
            help_text="Exemple : 2020-2021, ou 2018-2019 à 2020-2021. Sinon, les dates ci-dessous.",
        ),
        "sans les dates de la période",
    )
    period_start = forms.DateField(
        label="Début de la période", required=False, widget=_date_widget()
    )
    period_end = forms.DateField(label="Fin de la période", required=False, widget=_date_widget())
    position = forms.IntegerField(
        label="Ordre d'affichage", required=False, min_value=0, max_value=32767
    )

    def clean_academic_years(self) -> tuple[date, date] | None:
        text = self.cleaned_data["academic_years"].strip()
        if not text:
            return None
        match = _YEARS.match(text)
        if not match:
            raise forms.ValidationError(
                "Écrivez une année comme 2020-2021, ou 2018-2019 à 2020-2021."
            )
        first, last = match[1], match[2] or match[1]
        for year in (first, last):
            validate_academic_year(year)
        return academic_year_bounds(first)[0], academic_year_bounds(last)[1]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        years = data.get("academic_years")
        if years:
            data["period_start"], data["period_end"] = years
        elif "academic_years" in data and not (data.get("period_start") and data.get("period_end")):
            self.add_error(
                "academic_years",
                "Indiquez une année universitaire, ou les deux dates de la période.",
            )
        return data

    def spec(self) -> ObjectiveSpec:
        data = self.cleaned_data
        return ObjectiveSpec(
            label=data["label"],
            indicator=data["indicator"],
            target=data["target"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            position=data["position"],
        )

    @staticmethod
    def initial_for(objective: Objective) -> dict[str, Any]:
        target = objective.target
        period = objective.period_label
        return {
            "label": objective.label,
            "indicator": objective.indicator,
            "target": target.quantize(Decimal(1)) if target == target.to_integral() else target,
            "academic_years": "" if period.startswith("du ") else period,
            "period_start": objective.period_start,
            "period_end": objective.period_end,
            "position": objective.position,
        }
