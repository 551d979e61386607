from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from tremplin.core.forms import DsfrForm, DsfrModelForm
from tremplin.core.renderers import KeptSelect
from tremplin.places.communes import CommuneField
from tremplin.places.models import Disp, Establishment

from .models import Kind, Learner, Status


class LearnerFilterForm(DsfrForm):
    q = forms.CharField(label="Nom, prénom ou référence", required=False, max_length=80)
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Tous",
        widget=KeptSelect,
    )
    disp = forms.ModelChoiceField(
        label="Direction interrégionale",
        queryset=Disp.objects.order_by("code"),
        required=False,
        empty_label="Toutes",
    )
    status = forms.ChoiceField(
        label="Situation", choices=[("", "Toutes"), *Status.choices], required=False
    )

    def __init__(self, *args: Any, establishments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The list shows each establishment's label: only that column is read (186 options).
        self.fields["establishment"].queryset = (
            (establishments if establishments is not None else Establishment.objects.all())
            .select_related(None)
            .only("pk", "label")
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class LearnerForm(DsfrModelForm):
    """A learner's identity. On creation: the reference may be left empty (generated), the
    numéro d'écrou of the arrival when known, and, when a file of the same person may exist,
    the confirmation that this is another person (asked only then: `ask_other_person`)."""

    numero_ecrou = forms.CharField(
        label="Numéro d'écrou",
        required=False,
        max_length=20,
        help_text="Pour une personne détenue, s'il est connu : retrouver la personne dans les "
        "listes de l'établissement.",
    )
    other_person = forms.BooleanField(
        label="Il s'agit d'une autre personne : créer un nouveau dossier",
        required=False,
    )

    class Meta:
        model = Learner
        fields = [
            "reference",
            "last_name",
            "first_name",
            "birth_date",
            "kind",
            "education_level",
            "establishment",
            "mission_locale",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(
        self,
        *args: Any,
        establishments: Any = None,
        missions_locales: Any = None,
        ask_other_person: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        reference = self.fields["reference"]
        if not self.instance.pk:
            reference.required = False
            reference.help_text = (
                "Laissez vide pour qu'une référence soit attribuée (ex. D26-0142 : public, "
                "année, numéro)."
            )
            # The bound field (made by the base class) copied the model's help text.
            self._bound_fields_cache.pop("reference", None)  # type: ignore[attr-defined]
        if not (ask_other_person or self.data.get("other_person")):
            del self.fields["other_person"]
        if establishments is not None:
            self.fields["establishment"].queryset = establishments  # type: ignore[attr-defined]
        if missions_locales is not None:
            self.fields["mission_locale"].queryset = missions_locales  # type: ignore[attr-defined]
        if self.instance.pk:
            # The path is changed by a transfer or a release, never by editing the record.
            del self.fields["establishment"]
            del self.fields["kind"]
            del self.fields["numero_ecrou"]

    def clean_birth_date(self) -> date:
        born: date = self.cleaned_data["birth_date"]
        age = (date.today() - born).days // 365
        if not 14 <= age <= 100:
            raise forms.ValidationError("Vérifiez la date de naissance : âge improbable.")
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind", self.instance.kind if self.instance.pk else None)
        if not self.instance.pk:
            if kind == Kind.DETAINED and not data.get("establishment"):
                self.add_error("establishment", "Une personne détenue a un établissement.")
            if kind == Kind.YOUTH and not data.get("mission_locale"):
                self.add_error("mission_locale", "Un jeune est suivi par une mission locale.")
            if kind != Kind.DETAINED and data.get("numero_ecrou"):
                self.add_error("numero_ecrou", "Seule une personne détenue a un numéro d'écrou.")
        return data


class TransferForm(DsfrForm):
    establishment = forms.ModelChoiceField(
        label="Nouvel établissement",
        queryset=Establishment.objects.order_by("label"),
        widget=KeptSelect,
    )
    date = forms.DateField(label="Date du transfert", widget=DateInput())
    numero_ecrou = forms.CharField(
        label="Numéro d'écrou à l'arrivée",
        required=False,
        max_length=20,
        help_text="Attribué par l'établissement d'arrivée, s'il est connu.",
    )


class ReleaseForm(DsfrForm):
    date = forms.DateField(label="Date de libération", widget=DateInput())
    commune = CommuneField(
        label="Commune de sortie",
        required=False,
        help_text="Pour confier la suite de la formation au centre Cnam le plus proche : nom, "
        "code postal ou code INSEE, ex. Rennes, 35000 ou 35238.",
    )
