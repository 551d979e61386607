"""Form bases rendered with the State design system (DSFR)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class ListedChoiceIterator(ModelChoiceIterator):  # type: ignore[type-arg]
    """A select's choices read by one ordinary query. Django reads them with
    `QuerySet.iterator()`, which on PostgreSQL declares a cursor held past the transaction
    (`DECLARE … WITH HOLD`, then `FETCH`es): about 1 ms more per select, for lists of a few
    hundred rows at most (the 186 establishments, the 451 missions locales)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def list_choices(form: forms.BaseForm) -> None:
    """Every model select of `form` reads its choices with ListedChoiceIterator (its widget's
    choices were made with the field, so they are made again)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = ListedChoiceIterator
            field.widget.choices = field.choices


class DsfrForm(DsfrBaseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        list_choices(self)


class DsfrModelForm(forms.ModelForm):  # type: ignore[type-arg]
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        list_choices(self)
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
