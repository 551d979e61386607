from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from tremplin.accounts.services import reauthenticate, recently_reauthenticated
from tremplin.core.forms import DsfrForm

from .models import Event
from .webhooks import address_problem

LIFETIMES = [("30", "30 jours"), ("90", "90 jours"), ("182", "6 mois"), ("365", "1 an")]


class TokenForm(DsfrForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=80,
        help_text="À quoi il sert, par exemple « Logiciel de scolarité de l'UPR ».",
    )
    lifetime = forms.ChoiceField(
        label="Durée de validité", choices=LIFETIMES, initial="90", help_text="Un an au plus."
    )
    read_only = forms.BooleanField(
        label="Lecture seule (le jeton ne peut rien modifier)", required=False, initial=True
    )
    password = forms.CharField(
        label="Votre mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Un jeton agit en votre nom : confirmez que c’est bien vous.",
    )

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        if recently_reauthenticated(request):
            del self.fields["password"]  # typed less than a few minutes ago

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not reauthenticate(self.request, password):
            raise forms.ValidationError(
                "Mot de passe incorrect : le jeton n’est pas créé. Saisissez le mot de passe "
                "de votre compte (les échecs répétés bloquent le compte)."
            )
        return ""

    def expires_at(self) -> Any:
        return timezone.now() + timedelta(days=int(self.cleaned_data["lifetime"]))


class EndpointForm(DsfrForm):
    url = forms.CharField(
        label="Adresse (URL) du destinataire",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="https://… : Tremplin y envoie un POST JSON signé pour chaque événement.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Événements",
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label="Actif", required=False, initial=True)

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        problem = address_problem(url)
        if problem is not None:
            raise forms.ValidationError(f"Adresse refusée : {problem}.")
        return url
