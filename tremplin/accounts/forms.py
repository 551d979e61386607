from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from tremplin.core.forms import DsfrForm


class DsfrFieldsMixin:
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def dsfr(self) -> None:
        for visible in self.visible_fields():  # type: ignore[attr-defined]
            dsfr_input_class_attr(visible)


class LoginForm(DsfrFieldsMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        self.dsfr()


class CodeForm(DsfrForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolForm(DsfrForm):
    code = forms.CharField(
        label="Code à 6 chiffres",
        max_length=10,
        help_text="Le code que votre application affiche maintenant.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class NewPasswordForm(DsfrFieldsMixin, SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dsfr()


class ChangePasswordForm(DsfrFieldsMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dsfr()
