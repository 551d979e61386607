"""Pages of long lists read from the nearer end: the same rows, in the same order, as a plain
paginator's, on every page."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tremplin.core.models import AuditEvent
from tremplin.core.paging import Counted, Pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(db: None) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(username=f"user-{i % 4}", action="view", model="learners.Learner")
        for i in range(23)
    )


@pytest.mark.parametrize(("per_page", "orphans"), [(5, 0), (5, 2), (4, 3), (23, 0), (50, 0)])
def test_every_page_read_from_the_nearer_end_holds_the_rows_a_plain_paginator_gives(
    events: None, per_page: int, orphans: int
) -> None:
    listed = AuditEvent.objects.order_by("username", "-id")  # down to a unique field
    plain = Paginator(listed, per_page, orphans=orphans)
    pages = Pages(listed, per_page, orphans=orphans)
    counted = Counted(listed, per_page, plain.count)
    counted.orphans = orphans
    assert pages.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [e.pk for e in plain.page(number)]
        assert [e.pk for e in pages.page(number)] == expected
        assert [e.pk for e in counted.page(number)] == expected
        assert pages.page(number).start_index() == plain.page(number).start_index()


def test_the_last_page_is_read_backwards_from_the_lists_end(events: None) -> None:
    pages = Pages(AuditEvent.objects.all(), 5)  # ordered by -at, -id (the model's order)
    with CaptureQueriesContext(connection) as queries:
        last = [e.pk for e in pages.page(pages.num_pages)]
    assert last == list(AuditEvent.objects.order_by("-at", "-id").values_list("pk", flat=True))[20:]
    [read] = [q["sql"] for q in queries if "LIMIT" in q["sql"]]
    assert "OFFSET" not in read  # from the end: the first rows of the reversed order


def test_a_list_not_ordered_down_to_a_unique_field_is_paged_as_usual(events: None) -> None:
    listed = AuditEvent.objects.order_by("username")  # ties: its reverse is not its backwards
    pages = Pages(listed, 5)
    with CaptureQueriesContext(connection) as queries:
        list(pages.page(pages.num_pages))
    [read] = [q["sql"] for q in queries if "LIMIT" in q["sql"]]
    assert "OFFSET 20" in read and "DESC" not in read
