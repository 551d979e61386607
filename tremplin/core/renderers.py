"""The form renderer: Django's `TemplatesSetting` (the project's templates override Django's),
with the select list written in Python.

A filter form lists 186 establishments or 451 missions locales; through the template language
each option's value, attributes and label are looked up and escaped node by node: the learner
filter's list of establishments took 5.8 ms with its query, 3.8 ms written here (2.8 ms once the
form reads only their labels). Here the same HTML is written by string formatting, with the
template language's own conversions (the label localised then escaped, the value and
attributes as `stringformat:'s'` gives them, a safe string left as it is).
A filter's establishments are moreover written once per state of their table (`KeptSelect`,
below): 186 options, the learner filter's select 3.1 → 1.1 ms.
`templates/django/forms/widgets/select.html` stays the reference: any other select template or
option template goes through it, and tests/core/test_renderers.py checks that both give the
same HTML, byte for byte, for every select of every form of the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from .stamps import kept, tables_read

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _shown(value: Any) -> str:
    """`{{ value }}`: localised (dates, numbers), then escaped unless already safe."""
    value = localize(template_localtime(value))
    if not isinstance(value, str):
        value = str(value)
    return str(conditional_escape(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of the value, escaped unless it was safe."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 (the filter's own formatting)
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """`django/forms/widgets/attrs.html`: ` name="value"`, ` name` for True, nothing for False."""
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(optgroups: Iterable[tuple[Any, list[dict[str, Any]], int]]) -> str | None:
    parts: list[str] = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None  # a widget of its own: its templates decide
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return "".join(parts)


def select_html(widget: Mapping[str, Any]) -> str | None:
    """The HTML of `select.html` for this widget context, or None when an option has a template
    of its own."""
    options = _options(widget["optgroups"])
    if options is None:
        return None
    return f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


class FormRenderer(TemplatesSetting):
    """Django's TemplatesSetting, the select list excepted (see the module's docstring)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html is not None:
                return SafeString(html)
        return super().render(template_name, context, request)


# --- model selects written once per state of their tables -------------------------------------


class _NotKeepable(Exception):
    """The options' labels read more than the choices' own query."""


def kept_options(widget: forms.Select) -> list[tuple[str, str, str]] | None:
    """The options of a model select, each as (its value as compared with the chosen one, its
    value and its label as the select template writes them), read and written once per state of
    the tables the choices' query reads (`core.stamps.kept`); None when they cannot be kept:
    not a model select, a field that writes its labels itself, a query that reads a table
    without a stamp (then read afresh each time), labels that read other rows."""
    choices = widget.choices
    if not isinstance(choices, ModelChoiceIterator):
        return None
    field = choices.field
    if type(field) is not forms.ModelChoiceField or "label_from_instance" in vars(field):
        return None
    queryset = choices.queryset
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return None
    connection = connections[queryset.db]
    # What decides the options: the rows read, the empty choice, the column written as value.
    name = repr(("select options", sql, tuple(params), field.empty_label, field.to_field_name))

    def compute() -> list[tuple[str, str, str]]:
        queries = 0

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            options = [(str(value), _formatted(value), _shown(label)) for value, label in choices]
        if queries > 1:
            raise _NotKeepable
        return options

    try:
        return kept(name, tables_read(sql), compute, using=queryset.db)
    except _NotKeepable:
        return None


class KeptSelect(forms.Select):
    """A model select (a filter's 186 establishments) whose options are read and written once
    per state of the tables they come from (`kept_options`): the HTML of the select template,
    the chosen option marked at each rendering. Building each option through Django's widget
    took about 2.5 ms of a learner list's 24."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        options = kept_options(self)
        if options is None or self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        parts: list[str] = []
        marked = False
        for compared, written, label in options:
            selected = not marked and compared in chosen
            marked = marked or selected
            mark = " selected" if selected else ""
            parts.append(f'\n  <option value="{written}"{mark}>{label}</option>')
        html = (
            f'<select name="{_shown(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>'
            f"{''.join(parts)}\n</select>"
        )
        return SafeString(html)
