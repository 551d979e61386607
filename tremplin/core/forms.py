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
