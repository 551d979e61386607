"""A record's address by its integer key is Django's own, written from its route reversed once
(tremplin/core/links.py), and the `url` tag of every template uses it (its other uses are
Django's tag unchanged)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import Context, Template, engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.base import set_script_prefix
from django.urls.converters import IntConverter

from tremplin.core.links import keyed_address


def routes_with_one_integer(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[str]:
    """The names of the routes whose only parameter is an integer."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes_with_one_integer(entry.url_patterns, inner)
        elif entry.name and _one_integer(getattr(entry.pattern, "converters", {})):
            yield f"{namespace}{entry.name}"


def _one_integer(converters: dict[str, object]) -> bool:
    return len(converters) == 1 and all(isinstance(c, IntConverter) for c in converters.values())


def test_every_route_with_an_integer_key_gives_djangos_own_address() -> None:
    names = sorted(set(routes_with_one_integer()))
    assert len(names) > 40
    for name in names:
        for key in (0, 7, 377, 1_000_000):
            assert keyed_address(name, key) == reverse(name, args=[key]), name


def test_a_key_that_is_not_a_plain_integer_is_left_to_django() -> None:
    assert keyed_address("learners:detail", "12") is None
    assert keyed_address("learners:detail", -1) is None
    assert keyed_address("learners:detail", True) is None


def test_a_route_that_refuses_some_integers_is_left_to_django() -> None:
    # The catalogue's editions are named by their academic year (« 2020-2021 »).
    assert keyed_address("catalog:edition", 2020) is None
    assert keyed_address("no:such-route", 1) is None


def test_the_address_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/tremplin/")
        assert keyed_address("learners:detail", 5) == "/tremplin/apprenants/5/"
        assert keyed_address("learners:detail", 5) == reverse("learners:detail", args=[5])
    finally:
        set_script_prefix("/")
    assert keyed_address("learners:detail", 5) == "/apprenants/5/"


def render(source: str, **context: object) -> str:
    template = engines["django"].from_string(source)
    return template.render(context)


def test_the_url_tag_of_the_templates_writes_the_same_addresses() -> None:
    assert render("{% url 'learners:detail' pk %}", pk=42) == reverse("learners:detail", args=[42])
    assert (
        render("{% url 'learners:detail' pk as link %}[{{ link }}]", pk=42) == "[/apprenants/42/]"
    )
    assert render("{% url 'learners:detail' pk=42 %}") == "/apprenants/42/"
    assert render("{% url 'site:home' %}") == reverse("site:home")
    # A route that is not reversed with an integer: Django's tag, its error included.
    with pytest.raises(NoReverseMatch):
        render("{% url 'no:such-route' 1 %}")
    assert render("{% url 'no:such-route' 1 as link %}[{{ link }}]") == "[]"


def test_the_url_tag_is_the_projects_in_a_plain_template_too() -> None:
    # Template() uses the project's engine and its builtins.
    assert Template("{% url 'learners:detail' 3 %}").render(Context()) == "/apprenants/3/"
