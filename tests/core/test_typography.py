"""Counts written the French way wherever a user reads them."""

from __future__ import annotations

from django.template import Context, Template

from tremplin.core.typography import thousands


def test_a_count_is_grouped_by_thousands_with_narrow_no_break_spaces() -> None:
    assert thousands(191_380) == "191\u202f380"
    assert thousands(999) == "999"
    assert thousands(1_234_567) == "1\u202f234\u202f567"


def test_the_pages_write_their_counts_the_same_way() -> None:
    page = Template("{% load tremplin_numbers %}{{ n|thousands }} orientation{{ n|pluralize }}")
    assert page.render(Context({"n": 191_380})) == "191\u202f380 orientations"
