"""The error summary of every form page: what is wrong, where (a link to each field), and that
nothing was saved; it takes the focus when the page loads (core/tremplin.js), so a keyboard or
screen-reader user lands on it (WCAG 3.3.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@dataclass(frozen=True)
class FieldError:
    """One error of the summary: the field's label (empty for an error of the whole form), the
    message, and the anchor of the field to jump to."""

    label: str
    message: str
    anchor: str


def _form_errors(form: forms.BaseForm, row_label: str = "") -> list[FieldError]:
    errors = [FieldError(row_label, str(message), "") for message in form.non_field_errors()]
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        label = str(bound.label or name)
        if row_label:
            label = f"{label} ({row_label})"
        errors += [FieldError(label, str(m), f"#{bound.id_for_label}") for m in messages]
    return errors


def summary_errors(
    *forms_or_formsets: Any, row_labels: dict[str, str] | None = None
) -> list[FieldError]:
    """Every error of the forms and formsets given, in the page's order. A formset's row is named
    by `row_labels[prefix]` when given (the learner of a results grid's row)."""
    labels = row_labels or {}
    errors: list[FieldError] = []
    for item in forms_or_formsets:
        if item is None or not getattr(item, "is_bound", False):
            continue
        if isinstance(item, forms.BaseFormSet):
            errors += [FieldError("", str(m), "") for m in item.non_form_errors()]
            for form in item.forms:
                errors += _form_errors(form, labels.get(form.prefix, ""))
        elif isinstance(item, forms.BaseForm):
            errors += _form_errors(item)
    return errors


@register.inclusion_tag("includes/error_summary.html")
def error_summary(
    *forms_or_formsets: Any, nothing_saved: str = "Rien n’a été enregistré.", row_labels: Any = None
) -> dict[str, Any]:
    return {
        "errors": summary_errors(*forms_or_formsets, row_labels=row_labels),
        "nothing_saved": nothing_saved,
    }
