"""The select lists written in Python give the HTML of the select template, byte for byte: for
every select of every form of the package and for the cases a template handles on its own
(groups, several values chosen, boolean and empty attributes, characters to escape, safe and
lazy labels, numbers and dates)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from tests.core.test_required_fields import every_form_class
from tremplin.core.renderers import SELECT, FormRenderer, select_html

FAST = FormRenderer()
REFERENCE = TemplatesSetting()


def both(widget: forms.Select, name: str, value: Any, attrs: dict[str, Any] | None = None) -> None:
    context = widget.get_context(name, value, attrs)
    fast = FAST.render(SELECT, context)
    assert select_html(context["widget"]) is not None  # the Python path, not the fallback
    assert fast == REFERENCE.render(SELECT, context)


def test_the_project_renders_its_forms_with_the_python_select() -> None:
    assert settings.FORM_RENDERER == "tremplin.core.renderers.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.django_db
def test_every_select_of_every_form_gives_the_templates_html() -> None:
    checked = 0
    for form_class in every_form_class():
        for name, field in form_class.base_fields.items():
            if not isinstance(field.widget, forms.Select):
                continue
            choices = list(field.widget.choices)
            values: list[Any] = [None, ""]
            if choices:
                values.append(choices[-1][0])
            for value in values:
                if isinstance(field.widget, forms.SelectMultiple):
                    value = [] if value is None else [value]
                both(field.widget, name, value, {"id": f"id_{name}", "class": "fr-select"})
                checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("choices", "value"),
    [
        ([("", "Tous"), ("1", "Un"), ("2", "Deux")], "2"),
        ([("a&b", 'Guillemets " et <balises> & esperluette'), ("c", "Ç'est l'été")], "a&b"),
        ([("x", mark_safe("<em>sûr</em>")), ("y", gettext_lazy("Yes"))], None),
        ([(1, 1234567), (2, 2.5), (3, date(2026, 1, 1))], 3),
        (
            [
                ("Île-de-France", [("75", "Paris"), ("93", "Seine-Saint-Denis")]),
                ("Bretagne", [("29", "Finistère")]),
                ("", "Hors région"),
            ],
            "29",
        ),
        ([("t", "Tuple"), ((1, 2), "valeur en tuple")], (1, 2)),
    ],
)
def test_the_cases_the_template_handles_give_the_same_html(choices: Any, value: Any) -> None:
    both(forms.Select(choices=choices), "champ", value, {"id": "id_champ", "required": True})


def test_boolean_empty_and_escaped_attributes_and_several_values() -> None:
    widget = forms.SelectMultiple(
        choices=[("a", "A"), ("b", "B"), ("c", "C")],
        attrs={"disabled": False, "data-x": 'a"b', "aria-describedby": "", "data-n": 0},
    )
    both(widget, "plusieurs", ["a", "c"], {"id": "id_plusieurs", "autofocus": True})


def test_a_select_with_an_option_template_of_its_own_goes_through_the_templates() -> None:
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/attrs.html"

    context = Own(choices=[("a", "A")]).get_context("own", "a", None)
    assert select_html(context["widget"]) is None
    assert FAST.render(SELECT, context) == REFERENCE.render(SELECT, context)
