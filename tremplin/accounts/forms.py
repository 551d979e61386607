from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class LoginForm(AuthenticationForm):
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)
