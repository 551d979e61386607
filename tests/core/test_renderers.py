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
from tremplin.core.renderers import SELECT, FormRenderer, KeptSelect, kept_options, select_html

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


# --- model selects written once per state of their tables (KeptSelect) ------------------------


def establishment_field(**kwargs: Any) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    from tremplin.places.models import Establishment

    return forms.ModelChoiceField(
        queryset=Establishment.objects.order_by("label").only("pk", "label"),
        required=False,
        empty_label="Tous",
        **kwargs,
    )


@pytest.mark.django_db
def test_a_kept_select_gives_the_html_of_djangos_select() -> None:
    kept = establishment_field(widget=KeptSelect)
    plain = establishment_field()
    pks = list(kept.queryset.values_list("pk", flat=True))
    assert len(pks) > 100
    attrs = {"id": "id_establishment", "class": "fr-select", "aria-describedby": "aide"}
    for value in (None, "", pks[7], str(pks[-1]), "inconnu"):
        html = kept.widget.render("establishment", value, attrs)
        assert html == plain.widget.render("establishment", value, attrs)
        assert html.count(" selected") == (0 if value == "inconnu" else 1)


@pytest.mark.django_db
def test_every_kept_select_of_the_package_gives_djangos_html() -> None:
    checked = 0
    for form_class in every_form_class():
        for name, field in form_class.base_fields.items():
            if not isinstance(field.widget, KeptSelect):
                continue
            reference = forms.Select()
            reference.choices = field.widget.choices
            choices = list(field.widget.choices)
            for value in [None, "", *(choices[-1:] and [str(choices[-1][0])])]:
                attrs = {"id": f"id_{name}", "class": "fr-select"}
                assert field.widget.render(name, value, attrs) == reference.render(
                    name, value, attrs
                )
                checked += 1
    assert checked >= 6


@pytest.mark.django_db
def test_the_options_are_read_once_per_state_of_their_table() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tremplin.places.models import Establishment

    field = establishment_field(widget=KeptSelect)
    field.widget.render("establishment", None)
    with CaptureQueriesContext(connection) as read:
        html = field.widget.render("establishment", None)
    # Only the table's stamp is read (the choices' query is not run again).
    assert len(read.captured_queries) == 1
    assert "core_tablestamp" in read.captured_queries[0]["sql"]
    first = Establishment.objects.order_by("label").first()
    assert first is not None and f">{first.label}</option>" in html
    Establishment.objects.filter(pk=first.pk).update(label="AAA ÉTABLISSEMENT RENOMMÉ")
    again = field.widget.render("establishment", None)
    assert ">AAA ÉTABLISSEMENT RENOMMÉ</option>" in again
    assert f">{first.label}</option>" not in again


@pytest.mark.django_db
def test_options_whose_labels_read_other_rows_or_are_written_by_the_field_are_not_kept() -> None:
    from tremplin.places.models import Establishment

    # The labels are deferred: reading each one is a query of its own.
    deferred = forms.ModelChoiceField(
        queryset=Establishment.objects.order_by("label").only("pk"), widget=KeptSelect
    )
    assert kept_options(deferred.widget) is None

    class Labelled(forms.ModelChoiceField):  # type: ignore[type-arg]
        def label_from_instance(self, obj: Any) -> str:
            return f"{obj.label} !"

    own = Labelled(queryset=Establishment.objects.order_by("label"), widget=KeptSelect)
    assert kept_options(own.widget) is None
    assert " !</option>" in own.widget.render("establishment", None)
    assert kept_options(forms.Select(choices=[("a", "A")])) is None


@pytest.mark.django_db
def test_two_selects_of_the_same_rows_keep_their_own_values() -> None:
    by_key = establishment_field(widget=KeptSelect)
    by_label = establishment_field(widget=KeptSelect, to_field_name="label")
    first = by_key.queryset.first()
    assert first is not None
    assert f'<option value="{first.pk}">' in by_key.widget.render("e", None)
    assert f'<option value="{first.label}">' in by_label.widget.render("e", None)
    assert by_label.widget.render("e", first.label).count(" selected") == 1
