from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from tremplin.catalog.academic import academic_year_of
from tremplin.catalog.models import Sector
from tremplin.core.forms import DsfrForm
from tremplin.core.renderers import KeptSelect
from tremplin.enrolment.models import Enrolment
from tremplin.places.models import Disp, Establishment

FIRST_YEAR = 2015  # the programme's first convention (June 2015)


def report_years() -> list[str]:
    """Every academic year since the programme started, and any later one with data."""
    current = int(academic_year_of(date.today())[:4])
    years = {f"{y}-{y + 1}" for y in range(FIRST_YEAR, current + 1)}
    # Only the later years are looked for, on the index (a DISTINCT with the model's ordering
    # read every enrolment: 0.16 s twice per dashboard at national scale).
    last = f"{current}-{current + 1}"
    years |= set(
        Enrolment.objects.filter(academic_year__gt=last)
        .order_by()
        .values_list("academic_year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


def latest_year_with_data() -> str | None:
    return (
        Enrolment.objects.order_by("-academic_year").values_list("academic_year", flat=True).first()
    )


class ReportFilterForm(DsfrForm):
    year = forms.ChoiceField(label="Année universitaire")
    disp = forms.ModelChoiceField(
        label="Direction interrégionale",
        queryset=Disp.objects.order_by("code"),
        required=False,
        empty_label="Toutes",
        to_field_name="code",
    )
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=Establishment.objects.order_by("label"),
        required=False,
        empty_label="Tous",
        to_field_name="label",
        widget=KeptSelect,
    )
    sector = forms.ModelChoiceField(
        label="Secteur",
        queryset=Sector.objects.order_by("name"),
        required=False,
        empty_label="Tous",
        to_field_name="code",
    )
    publication = forms.BooleanField(
        label="Mode publication (effectifs inférieurs à 5 masqués)", required=False
    )

    def __init__(self, *args: Any, published_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in report_years()]
        if published_only:
            # Shown as it is, checked: the figures of this role are always the published ones.
            publication = self.fields["publication"]
            publication.disabled = True
            publication.initial = True
            publication.help_text = (
                "Toujours actif pour votre rôle : vous ne lisez que les chiffres publiés."
            )
            # Its bound field was made by the design system's form, with the former text.
            self["publication"].help_text = publication.help_text
        if not self.is_bound:
            self.initial.setdefault("year", latest_year_with_data() or report_years()[0])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        disp, establishment = data.get("disp"), data.get("establishment")
        if disp and establishment and establishment.disp_id != disp.pk:
            self.add_error("establishment", f"{establishment.label} n'est pas dans la {disp.code}.")
        return data

    def scope(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "disp": data["disp"].code if data.get("disp") else None,
            "establishment": data["establishment"].label if data.get("establishment") else None,
            "sector": data["sector"].code if data.get("sector") else None,
            "publication": bool(data.get("publication")),
        }
