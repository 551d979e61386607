from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from tremplin.catalog.models import TeachingUnit
from tremplin.core.forms import DsfrForm
from tremplin.learners.forms import DateInput

from .models import HandOver, MaterialPackage


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _today() -> date:
    return timezone.localdate()


class SendForm(DsfrForm):
    unit = forms.ModelChoiceField(
        label="UE", queryset=TeachingUnit.objects.none(), empty_label="Sélectionner une UE"
    )
    packages = forms.ModelMultipleChoiceField(
        label="Supports envoyés",
        queryset=MaterialPackage.objects.select_related("unit"),
        widget=forms.CheckboxSelectMultiple,
    )
    date = forms.DateField(label="Envoyés le", initial=_today, widget=DateInput())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
            self.fields["packages"].queryset = MaterialPackage.objects.filter(
                unit__in=units
            ).select_related("unit")


class HandedForm(DsfrForm):
    date = forms.DateField(label="Remis le", initial=_today, widget=DateInput())


class ReturnForm(DsfrForm):
    date = forms.DateField(label="Rendu le", initial=_today, widget=DateInput())
    grade = forms.DecimalField(
        label="Note sur 20",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(20),
        decimal_places=2,
    )
    feedback = forms.CharField(
        label="Appréciation", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SessionForm(DsfrForm):
    starts_at = forms.DateTimeField(
        label="Date et heure", widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    duration_minutes = forms.IntegerField(
        label="Durée (minutes)", initial=180, min_value=30, max_value=480
    )
    room = forms.CharField(label="Salle", max_length=100)
    invigilator = forms.CharField(label="Surveillant ou surveillante", max_length=150)
    units = forms.ModelMultipleChoiceField(
        label="UE passées",
        queryset=TeachingUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["units"].queryset = units


class AccommodationForm(DsfrForm):
    accommodation = forms.CharField(
        label="Aménagements", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    extra_time_minutes = forms.IntegerField(
        label="Temps supplémentaire (minutes)", min_value=0, max_value=240, initial=0
    )


class OutcomeForm(DsfrForm):
    status = forms.ChoiceField(
        label="Suite donnée",
        choices=[
            (HandOver.Status.CONTINUED.value, HandOver.Status.CONTINUED.label),
            (HandOver.Status.NOT_CONTINUED.value, HandOver.Status.NOT_CONTINUED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
