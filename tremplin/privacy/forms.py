from __future__ import annotations

from django import forms


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Motif de l'effacement",
        help_text=(
            "Par exemple : demande de la personne reçue le 12/03/2026. N'y écrivez pas son nom : "
            "le motif est conservé dans le journal d'audit."
        ),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=(
            "Je confirme l'effacement : l'identité et les textes libres du dossier seront "
            "définitivement remplacés ; les inscriptions, résultats et autres données comptées "
            "dans les bilans sont conservées sans nom."
        ),
        error_messages={"required": "Cochez la case pour confirmer l'effacement."},
    )
