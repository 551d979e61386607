from __future__ import annotations

from typing import Any

from django import forms

from tremplin.catalog.models import Sector
from tremplin.core.forms import DsfrForm
from tremplin.learners.forms import DateInput
from tremplin.places.models import Commune

from .models import CloseReason, Qualification, Rhythm


def resolve_commune(text: str) -> Commune:
    """A commune from its INSEE code (35238) or its name ("Rennes", "Saint-Malo (35)")."""
    text = text.strip()
    if not text:
        raise forms.ValidationError("Indiquez la commune de résidence.")
    code = text.zfill(5) if text.isdigit() else text.upper()
    found = Commune.objects.filter(code=code, kind="commune").first()
    if found:
        return found
    name, _, department = text.partition("(")
    matches = Commune.objects.filter(name__iexact=name.strip(), kind="commune")
    if department.strip(" )"):
        matches = matches.filter(department_id=department.strip(" )").upper())
    candidates = list(matches.select_related("department")[:6])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise forms.ValidationError(
            f"Aucune commune « {text} » : indiquez son nom exact ou son code INSEE."
        )
    listed = ", ".join(f"{c.name} ({c.department_id})" for c in candidates)
    raise forms.ValidationError(
        f"Plusieurs communes portent ce nom : {listed}. Précisez le département, ex. « {candidates[0].name} ({candidates[0].department_id}) »."
    )


class YoungPersonForm(DsfrForm):
    reference = forms.CharField(
        label="Référence",
        max_length=40,
        help_text="Identifiant du jeune dans votre mission locale (ex. numéro i-milo)",
    )
    last_name = forms.CharField(label="Nom", max_length=100)
    first_name = forms.CharField(label="Prénom", max_length=100)
    birth_date = forms.DateField(label="Date de naissance", widget=DateInput())
    commune = forms.CharField(
        label="Commune de résidence", help_text="Nom ou code INSEE, ex. Saint-Malo ou 35288"
    )
    qualification = forms.ChoiceField(label="Plus haut diplôme", choices=Qualification.choices)
    sectors = forms.ModelMultipleChoiceField(
        label="Secteurs d'intérêt",
        queryset=Sector.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucun : tous les secteurs sont proposés.",
    )
    can_travel = forms.BooleanField(
        label="Peut se déplacer pour suivre une formation", required=False, initial=True
    )
    max_distance_km = forms.IntegerField(
        label="Distance maximale (km)", required=False, min_value=1, max_value=500
    )
    available_from = forms.DateField(
        label="Disponible à partir du", required=False, widget=DateInput()
    )
    rhythm = forms.ChoiceField(label="Rythme souhaité", choices=Rhythm.choices)

    def clean_commune(self) -> Commune:
        return resolve_commune(self.cleaned_data["commune"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("can_travel") and not data.get("max_distance_km"):
            self.add_error(
                "max_distance_km", "Indiquez jusqu'à quelle distance le jeune peut se déplacer."
            )
        return data


class ReferralForm(DsfrForm):
    offer = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(
        label="Message au centre",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Projet du jeune, contraintes, meilleur moment pour le joindre.",
    )


class MoveReferralForm(DsfrForm):
    reason = forms.ChoiceField(
        label="Motif de clôture", choices=[("", "—"), *CloseReason.choices], required=False
    )
    note = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferralFilterForm(DsfrForm):
    status = forms.ChoiceField(label="Statut", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import Referral

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "Tous"),
            ("reminder", "À relancer (sans contact après 15 jours)"),
            *Referral.Status.choices,
        ]
