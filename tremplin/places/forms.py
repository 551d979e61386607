from __future__ import annotations

from django import forms

from tremplin.core.forms import DsfrForm

from .models import Disp, EstablishmentType
from .selectors import EstablishmentFilters


class EstablishmentFilterForm(DsfrForm):
    q = forms.CharField(
        label="Rechercher", required=False, max_length=80, help_text="Libellé, nom ou commune"
    )
    disp = forms.ModelChoiceField(
        label="Direction interrégionale",
        queryset=Disp.objects.order_by("code"),
        required=False,
        empty_label="Toutes",
    )
    type = forms.ChoiceField(
        label="Type", choices=[("", "Tous"), *EstablishmentType.choices], required=False
    )

    has_learners = forms.ChoiceField(
        label="Apprenants",
        choices=[("", "Tous"), ("oui", "Avec des apprenants"), ("non", "Sans apprenant")],
        required=False,
    )

    def filters(self) -> EstablishmentFilters:
        data = self.cleaned_data
        return EstablishmentFilters(
            disp=data["disp"].pk if data.get("disp") else None,
            type=data.get("type") or "",
            q=(data.get("q") or "").strip(),
            has_learners={"oui": True, "non": False}.get(data.get("has_learners") or ""),
        )
