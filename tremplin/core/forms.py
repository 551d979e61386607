"""Form bases rendered with the State design system (DSFR)."""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class DsfrForm(DsfrBaseForm):
    pass


class DsfrModelForm(forms.ModelForm):  # type: ignore[type-arg]
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
                field.empty_label = "Sélectionner une option"
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


def required_when(field: forms.Field, condition: str) -> forms.Field:
    """Declare a field required in some cases only (checked by the form's or the service's
    rules): its label says « (obligatoire si …) » instead of « (Optionnel) », so that a field
    that can answer « Indiquez … » is never presented as optional (the form field snippets in
    templates/dsfr/ read `required_when`; tests/core/test_required_fields.py walks every form)."""
    field.required_when = condition  # type: ignore[attr-defined]
    return field
