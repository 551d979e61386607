from __future__ import annotations

from typing import Any

from django import forms

from tremplin.catalog.academic import academic_year_of
from tremplin.catalog.models import Formation, validate_academic_year
from tremplin.catalog.services import parse_codes
from tremplin.core.forms import DsfrForm, required_when

from .models import AbandonReason, Application, Funding, Result


class ApplicationForm(DsfrForm):
    academic_year = forms.CharField(
        label="Année universitaire", max_length=9, validators=[validate_academic_year]
    )
    formation = forms.ModelChoiceField(
        label="Formation visée",
        queryset=Formation.objects.order_by("title"),
        required=False,
        empty_label="Aucune : des UE seulement",
    )
    units = forms.CharField(
        label="UE demandées",
        required=False,
        help_text="Codes séparés par des virgules. Sans UE, l'inscription porte sur les UE obligatoires de la formation.",
    )
    funding = forms.ChoiceField(label="Financement", choices=Funding.choices)
    motivation = forms.CharField(
        label="Projet et motivation", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from datetime import date

        kwargs.setdefault("initial", {}).setdefault("academic_year", academic_year_of(date.today()))
        super().__init__(*args, **kwargs)

    def clean_units(self) -> list[str]:
        return parse_codes(self.cleaned_data["units"])


class MoveForm(DsfrForm):
    opinion = required_when(
        forms.ChoiceField(
            label="Avis", choices=[("", "—"), *Application.Opinion.choices], required=False
        ),
        "pour l'avis du RLE",
    )
    reason = required_when(
        forms.CharField(
            label="Motif ou commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
        ),
        "pour un refus ou un retrait",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ResultRowForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label="Résultat", choices=Result.choices)
    grade = forms.DecimalField(
        label="Note /20", required=False, min_value=0, max_value=20, decimal_places=2, localize=True
    )
    abandon_reason = forms.ChoiceField(
        label="Motif d'abandon", choices=[("", "—"), *AbandonReason.choices], required=False
    )


class RevokeForm(DsfrForm):
    reason = forms.CharField(label="Motif du retrait", widget=forms.Textarea(attrs={"rows": 2}))
