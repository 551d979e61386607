from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.utils import timezone

from tremplin.catalog.models import TeachingUnit
from tremplin.core.forms import DsfrForm
from tremplin.enrolment.models import Enrolment
from tremplin.learners.forms import DateInput

from .filetypes import FORMATS
from .models import ExamRegistration, HandOver, MaterialPackage

#: The largest file a package may carry (20 Mo).
MAX_PACKAGE_BYTES = 20 * 1024 * 1024
#: The formats a package's file may have: documents, audio, video, archives, e-books, images
#: (their content is checked too: filetypes.py).
PACKAGE_EXTENSIONS = tuple(FORMATS)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _today() -> date:
    return timezone.localdate()


class SendForm(DsfrForm):
    """The packages to send, each named with its UE and listed UE by UE: there is no separate
    UE to choose, so a package can never belong to another UE than the one chosen."""

    packages = forms.ModelMultipleChoiceField(
        label="Supports envoyés",
        help_text="Chaque support est précédé du code de son UE ; vous pouvez en cocher de plusieurs UE.",
        queryset=MaterialPackage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un support à envoyer."},
    )
    date = forms.DateField(label="Envoyés le", initial=_today, widget=DateInput())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["packages"].queryset = (
            MaterialPackage.objects.filter(unit__in=units)
            .select_related("unit")
            .order_by("unit__code", "position", "pk")
            if units is not None
            else MaterialPackage.objects.none()
        )


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


class PackageForm(DsfrForm):
    """A package of a UE: its title, kind, place in the list and, optionally, its file."""

    title = forms.CharField(label="Intitulé", max_length=200)
    kind = forms.ChoiceField(label="Nature", choices=MaterialPackage.Kind.choices)
    position = forms.IntegerField(
        label="Ordre",
        min_value=0,
        max_value=999,
        initial=0,
        help_text="Les supports d’une UE sont listés et envoyés dans cet ordre.",
    )
    file = forms.FileField(
        label="Fichier",
        required=False,
        help_text="Taille maximale : 20 Mo. Formats acceptés : "
        + ", ".join(PACKAGE_EXTENSIONS)
        + ".",
        widget=forms.FileInput(attrs={"accept": ",".join(f".{e}" for e in PACKAGE_EXTENSIONS)}),
    )
    clear_file = forms.BooleanField(label="Retirer le fichier actuel", required=False)

    def __init__(self, *args: Any, current_file: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if current_file:
            self.fields["file"].help_text = (
                f"Fichier actuel : {PurePosixPath(current_file).name}. Un nouveau fichier le "
                f"remplace. {self.fields['file'].help_text}"
            )
        else:
            del self.fields["clear_file"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = upload.name or ""
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if extension not in PACKAGE_EXTENSIONS:
            raise forms.ValidationError(
                f"« {name} » n’est pas d’un format accepté"
                + (f" (.{extension})" if extension else " (le nom n’a pas d’extension)")
                + ". Formats acceptés : "
                + ", ".join(PACKAGE_EXTENSIONS)
                + "."
            )
        if upload.size is not None and upload.size > MAX_PACKAGE_BYTES:
            size = f"{upload.size / (1024 * 1024):.1f}".replace(".", ",")
            raise forms.ValidationError(
                f"« {name} » pèse {size} Mo : un support ne peut dépasser 20 Mo. Découpez-le en "
                "plusieurs supports ou réduisez sa taille."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("file") and cleaned.get("clear_file"):
            self.add_error(
                "clear_file",
                "Choisissez : retirer le fichier actuel ou le remplacer par un nouveau, pas les "
                "deux.",
            )
        return cleaned


class PackForm(DsfrForm):
    """What the establishment lets in: printed material always, digital media when allowed."""

    numerique = forms.BooleanField(
        label="Supports numériques autorisés par l’établissement",
        required=False,
        help_text="Cochez pour inclure les supports hors ligne (clé USB, audio, vidéo) ; sinon "
        "seuls les livrets imprimés, les devoirs et les corrigés sont inclus.",
    )


class EnrolmentChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Enrolment)
        learner = obj.learner
        return f"{learner.last_name.upper()} {learner.first_name} — {obj.unit.code}"


class AddCandidatesForm(DsfrForm):
    enrolments = EnrolmentChoice(
        label="Candidats à ajouter",
        queryset=Enrolment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un candidat à ajouter."},
    )

    def __init__(self, *args: Any, enrolments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enrolments is not None:
            self.fields["enrolments"].queryset = enrolments


PRESENCE_CHOICES = [("present", "Présent(e)"), ("absent", "Absent(e)"), ("", "Non renseigné")]


class PresenceForm(DsfrForm):
    """One choice per registration of the session: present, absent, or not known yet."""

    def __init__(self, *args: Any, registrations: list[ExamRegistration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            learner = registration.enrolment.learner
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                label=f"{learner.last_name.upper()} {learner.first_name} — "
                f"{registration.enrolment.unit.code}",
                choices=PRESENCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial={True: "present", False: "absent", None: ""}[registration.present],
            )

    def presence(self) -> dict[int, bool | None]:
        values = {"present": True, "absent": False, "": None}
        return {r.pk: values[self.cleaned_data.get(f"r{r.pk}") or ""] for r in self.registrations}


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
