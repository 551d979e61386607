from __future__ import annotations

from typing import Any

from django import forms

from tremplin.core.forms import DsfrForm, DsfrModelForm, required_when
from tremplin.places.models import Disp, Establishment

from .models import Edition, Formation, Modality, OfferScope, Sector, TeachingUnit
from .services import GroupSpec, parse_codes


class CodeField(forms.CharField):
    """A code, typed in any case, stored in capitals."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


class SectorForm(DsfrModelForm):
    class Meta:
        model = Sector
        fields = ["name"]


class TeachingUnitForm(DsfrModelForm):
    class Meta:
        model = TeachingUnit
        fields = ["code", "title", "ects", "modality", "sector", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"code": CodeField}
        localized_fields = ["ects"]


class FormationForm(DsfrModelForm):
    class Meta:
        model = Formation
        fields = [
            "code",
            "title",
            "kind",
            "sector",
            "rncp_code",
            "level",
            "min_credits",
            "description",
            "formacode",
            "nsf_code",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"code": CodeField, "rncp_code": CodeField}


class RequirementsForm(DsfrForm):
    """Requirements as text: the UE codes, separated by commas or spaces."""

    mandatory = forms.CharField(
        label="UE obligatoires",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Codes des UE, séparés par des virgules. Exemple : CFA109, CFA110",
    )
    groups = forms.CharField(
        label="Groupes d'UE au choix",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Un groupe par ligne : intitulé | nombre à choisir | codes des UE. "
            "Exemple : Option informatique | 2 | NFA031, NFA032, NFA035"
        ),
    )

    def clean_mandatory(self) -> list[str]:
        return parse_codes(self.cleaned_data["mandatory"])

    def clean_groups(self) -> list[GroupSpec]:
        specs = []
        for number, line in enumerate(self.cleaned_data["groups"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not parts[1].isdigit():
                raise forms.ValidationError(
                    f"Ligne {number} : écrivez « intitulé | nombre | codes », par exemple "
                    "« Option | 2 | NFA031, NFA032, NFA035 »."
                )
            specs.append(GroupSpec(parts[0], int(parts[1]), parse_codes(parts[2])))
        return specs

    @staticmethod
    def initial_for(formation: Formation) -> dict[str, Any]:
        return {
            "mandatory": ", ".join(u.code for u in formation.mandatory_units.order_by("code")),
            "groups": "\n".join(
                f"{g.label} | {g.choose} | {', '.join(u.code for u in g.units.order_by('code'))}"
                for g in formation.choice_groups.all()
            ),
        }


class EditionForm(DsfrModelForm):
    class Meta:
        model = Edition
        fields = ["year", "title", "introduction", "how_to_apply"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "how_to_apply": forms.Textarea(attrs={"rows": 4}),
        }


class OfferForm(DsfrForm):
    """Add formations or UEs to a draft edition, by code."""

    codes = forms.CharField(
        label="Codes des formations ou des UE à proposer",
        help_text="Séparés par des virgules. Exemple : DIE3100, CFA120",
    )
    modality = forms.ChoiceField(
        label="Modalité",
        choices=[("", "Celle de l'UE ou de la formation"), *Modality.choices],
        required=False,
    )
    scope = forms.ChoiceField(label="Où", choices=OfferScope.choices, initial=OfferScope.EVERYWHERE)
    disps = required_when(
        forms.ModelMultipleChoiceField(
            label="DISP concernées",
            queryset=Disp.objects.order_by("code"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
        "si « Certaines DISP »",
    )
    establishments = required_when(
        forms.CharField(
            label="Établissements désignés",
            required=False,
            help_text="Libellés officiels séparés par des virgules. Exemple : CD MELUN, MC POISSY",
        ),
        "si « Établissements désignés »",
    )

    def clean_codes(self) -> list[str]:
        return parse_codes(self.cleaned_data["codes"])

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope == OfferScope.DISPS and not data.get("disps"):
            self.add_error("disps", "Cochez au moins une DISP.")
        if scope == OfferScope.ESTABLISHMENTS and not data.get("establishments"):
            self.add_error("establishments", "Indiquez au moins un établissement.")
        return data
