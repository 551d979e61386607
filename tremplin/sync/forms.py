from __future__ import annotations

from typing import Any

from django import forms

from tremplin.core.forms import DsfrForm
from tremplin.core.scope import scope_of
from tremplin.places.models import Establishment

from .bundle import MAX_BYTES
from .models import Peer


class CreateSiteForm(DsfrForm):
    establishment = forms.ModelChoiceField(
        label="Établissement",
        queryset=Establishment.objects.none(),
        empty_label="Choisir l'établissement",
        help_text="Les établissements de votre périmètre qui n'ont pas de copie en service.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        live = Peer.objects.filter(revoked_at__isnull=True).values("establishment_id")
        choices = Establishment.objects.exclude(pk__in=live).order_by("label")
        if not scope.everything:
            choices = choices.filter(disp_id__in=scope.disp_ids)
        self.fields["establishment"].queryset = choices


class BundleForm(DsfrForm):
    bundle = forms.FileField(
        label="Fichier de synchronisation",
        help_text="Le fichier apporté de l'autre côté (clé USB ou support autorisé).",
    )

    def clean_bundle(self) -> Any:
        upload = self.cleaned_data["bundle"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse 512 Mo.")
        return upload
