from __future__ import annotations

from datetime import date

from django import forms

from tremplin.core.forms import DsfrForm
from tremplin.learners.forms import DateInput

from .models import Interview


class InterviewForm(DsfrForm):
    date = forms.DateField(label="Date de l'entretien", widget=DateInput(), initial=date.today)
    kind = forms.ChoiceField(label="Nature", choices=Interview.Kind.choices)
    duration_minutes = forms.IntegerField(
        label="Durée (minutes)", required=False, min_value=5, max_value=480
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Le parcours de formation seulement : jamais d'information sur l'infraction, la peine ou la santé.",
    )
    next_steps = forms.CharField(
        label="Suites à donner", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
