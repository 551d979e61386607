from __future__ import annotations

from typing import Any

from django import forms

from tremplin.catalog.models import Sector
from tremplin.core.forms import DsfrForm, required_when
from tremplin.core.roles import Role
from tremplin.core.scope import Scope
from tremplin.learners.forms import DateInput
from tremplin.places import communes
from tremplin.places.communes import CommuneField
from tremplin.places.models import CnamCentre, Commune, MissionLocale, Region

from .models import CloseReason, Qualification, Rhythm
from .publication import is_academic_year, publishable


def resolve_commune(text: str) -> Commune:
    """A commune as people write it (name in any usual spelling, postal or INSEE code)."""
    return communes.resolve_commune(text)


class ContactFields(DsfrForm):
    """The young person's contact details and their consent to pass them to the centre."""

    phone = forms.CharField(
        label="Téléphone", required=False, max_length=20, help_text="Ex. 06 12 34 56 78"
    )
    email = forms.EmailField(label="Courriel", required=False, max_length=254)
    contact_consent = forms.BooleanField(
        label="Le jeune accepte que ces coordonnées soient transmises au centre Cnam",
        required=False,
        help_text="L'accord est daté du jour où il est coché ; sans lui, le centre ne voit que "
        "les coordonnées du conseiller.",
    )


class YoungPersonForm(ContactFields):
    reference = forms.CharField(
        label="Référence",
        max_length=40,
        required=False,
        help_text="Identifiant du jeune dans votre mission locale (ex. numéro i-milo) ; laissez "
        "vide pour qu'une référence soit attribuée (ex. J26-0142).",
    )
    other_person = forms.BooleanField(
        label="Il s'agit d'une autre personne : créer un nouveau dossier", required=False
    )
    last_name = forms.CharField(label="Nom", max_length=100)
    first_name = forms.CharField(label="Prénom", max_length=100)
    birth_date = forms.DateField(label="Date de naissance", widget=DateInput())
    commune = CommuneField(
        label="Commune de résidence",
        help_text="Nom, code postal ou code INSEE, ex. Saint-Malo, St-Malo, 35400 ou 35288",
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
    max_distance_km = required_when(
        forms.IntegerField(
            label="Distance maximale (km)", required=False, min_value=1, max_value=500
        ),
        "si le jeune peut se déplacer",
    )
    available_from = forms.DateField(
        label="Disponible à partir du", required=False, widget=DateInput()
    )
    rhythm = forms.ChoiceField(label="Rythme souhaité", choices=Rhythm.choices)
    field_order = [
        "reference",
        "last_name",
        "first_name",
        "birth_date",
        "phone",
        "email",
        "contact_consent",
        "commune",
    ]

    def __init__(self, *args: Any, ask_other_person: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not (ask_other_person or self.data.get("other_person")):
            del self.fields["other_person"]

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
    reason = required_when(
        forms.ChoiceField(
            label="Motif de clôture", choices=[("", "—"), *CloseReason.choices], required=False
        ),
        "pour clore l'orientation",
    )
    on = forms.DateField(
        label="Date",
        widget=DateInput(),
        help_text="Le jour où c'est arrivé : ni dans le futur, ni avant l'envoi de l'orientation.",
    )
    note = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferralFilterForm(DsfrForm):
    q = forms.CharField(
        label="Nom, prénom ou référence du jeune",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label="Statut", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import Referral

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "Tous"),
            ("reminder", "À relancer (sans contact après 15 jours)"),
            *Referral.Status.choices,
        ]


class StatisticsFilterForm(DsfrForm):
    """The period and the scope of the orientation statistics, limited to the user's scope: a
    counselor sees their mission locale only, centre staff their centre, a regional coordinator
    the centres of their regions."""

    period = forms.ChoiceField(label="Période", required=False)
    region = forms.ModelChoiceField(
        label="Région du centre",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="Toutes",
        to_field_name="code",
    )
    mission_locale = forms.ModelChoiceField(
        label="Mission locale",
        queryset=MissionLocale.objects.order_by("name"),
        required=False,
        empty_label="Toutes",
        to_field_name="code",
    )
    centre = forms.ModelChoiceField(
        label="Centre Cnam",
        queryset=CnamCentre.objects.order_by("name"),
        required=False,
        empty_label="Tous",
        to_field_name="code",
    )

    def __init__(self, *args: Any, scope: Scope, published: bool = False, **kwargs: Any) -> None:
        """`published`: the figures are the published ones (the statistician's), which are
        offered by academic year and never cross a mission locale with a centre
        (publication.py)."""
        from .selectors import referral_periods

        super().__init__(*args, **kwargs)
        self.user_scope = scope
        self.published = published
        periods, default = referral_periods()
        if published:
            periods = [(value, label) for value, label in periods if "-" in value]
            default = periods[0][0]  # the latest academic year that holds referrals
            period = self.fields["period"]
            period.choices = periods
            period.required = True
            period.help_text = "Les chiffres publiés sont établis par année universitaire."
        else:
            self.fields["period"].choices = [*periods, ("", "Toutes les périodes")]
        self.default_period = default
        if scope.everything:
            return
        if scope.mission_locale_id is not None:
            del self.fields["mission_locale"]
        if scope.centre_id is not None:
            del self.fields["centre"]
            del self.fields["region"]
        elif scope.role == Role.REGIONAL_COORDINATOR:
            regions = Region.objects.filter(code__in=scope.region_codes).order_by("name")
            region_field = self.fields["region"]
            assert isinstance(region_field, forms.ModelChoiceField)
            region_field.queryset = regions
            centre_field = self.fields["centre"]
            assert isinstance(centre_field, forms.ModelChoiceField)
            centre_field.queryset = CnamCentre.objects.filter(
                region__in=scope.region_codes
            ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region, centre = data.get("region"), data.get("centre")
        if region and centre and centre.region_id != region.code:
            self.add_error("centre", f"{centre.name} n'est pas dans la région {region.name}.")
        if self.published:
            period = str(data.get("period") or "")
            why = publishable(period, bool(data.get("mission_locale")), bool(centre))
            if why is not None:
                self.add_error("centre" if is_academic_year(period) else "period", why)
        return data

    def filters(self) -> dict[str, Any]:
        """The arguments of `stats.referral_stats` for this choice and the user's scope."""
        data, scope = self.cleaned_data, self.user_scope
        region = data.get("region")
        regions: list[str] | None = [region.code] if region else None
        if regions is None and not scope.everything and scope.role == Role.REGIONAL_COORDINATOR:
            regions = sorted(scope.region_codes)
        mission_locale = data.get("mission_locale")
        centre = data.get("centre")
        if not scope.everything and scope.mission_locale_id is not None:
            mission_locale = MissionLocale.objects.get(pk=scope.mission_locale_id)
        if not scope.everything and scope.centre_id is not None:
            centre = CnamCentre.objects.get(pk=scope.centre_id)
        return {
            "year": data.get("period") or None,
            "region": regions,
            "mission_locale": mission_locale,
            "centre": centre,
        }

    def scope_label(self) -> str:
        """The scope in French, for the titles and the exports."""
        filters = self.filters()
        parts = []
        if filters["mission_locale"] is not None:
            parts.append(f"mission locale : {filters['mission_locale'].name}")
        if filters["centre"] is not None:
            parts.append(f"centre : {filters['centre'].name}")
        elif filters["region"]:
            names = Region.objects.filter(code__in=filters["region"]).order_by("name")
            label = "région" if len(filters["region"]) == 1 else "régions"
            parts.append(f"{label} : {', '.join(r.name for r in names)}")
        return "; ".join(parts) if parts else "toutes les missions locales et tous les centres"
