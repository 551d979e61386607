from __future__ import annotations

from typing import Any

from django import forms

from tremplin.core.forms import DsfrForm
from tremplin.core.renderers import KeptSelect
from tremplin.learners.forms import DateInput
from tremplin.learners.models import Learner
from tremplin.places.models import Establishment

from .models import Session


class CohortFilterForm(DsfrForm):
    academic_year = forms.ChoiceField(label="Année universitaire", required=False)
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Tous",
        widget=KeptSelect,
    )

    def __init__(self, *args: Any, years: list[str], establishments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [("", "Toutes"), *((y, y) for y in years)]
        self.fields["establishment"].queryset = establishments


class SessionForm(DsfrForm):
    date = forms.DateField(label="Date de la séance", widget=DateInput())
    modality = forms.ChoiceField(
        label="Modalité", choices=Session.Modality.choices, widget=forms.RadioSelect
    )
    topic = forms.CharField(label="Thème", max_length=200)
    facilitator = forms.CharField(
        label="Animation",
        max_length=150,
        required=False,
        help_text="La personne ou l'équipe qui anime la séance.",
    )


class AttendanceRowForm(forms.Form):
    """One line of the attendance sheet: rendered by the template, as a table row."""

    participant = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.BooleanField(label="Présent(e)", required=False)
    note = forms.CharField(label="Observation", max_length=255, required=False)


AttendanceFormSet = forms.formset_factory(AttendanceRowForm, extra=0)


class LearnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Learner)
        return f"{obj.last_name.upper()} {obj.first_name} ({obj.reference})"


class ParticipantForm(DsfrForm):
    learner = LearnerChoiceField(
        label="Apprenant ou apprenante",
        queryset=Learner.objects.none(),
        empty_label="Sélectionner une personne",
        help_text="Les personnes détenues dans l'établissement de la cohorte, dans votre périmètre.",
    )

    def __init__(self, *args: Any, learners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = learners


class OutcomesForm(DsfrForm):
    project_presented = forms.BooleanField(label="Projet présenté", required=False)
    business_plan_written = forms.BooleanField(label="Plan d'affaires rédigé", required=False)
    continued_after_release = forms.BooleanField(
        label="Projet poursuivi après la sortie",
        required=False,
        help_text="Seulement pour une personne libérée.",
    )
