"""Pages of long lists read from the nearer end: the same rows, in the same order, as a plain
paginator's, on every page."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tremplin.core import paging
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


@pytest.fixture
def deep_from_five(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read their keys first from the sixth row skipped (500 in the application)."""
    monkeypatch.setattr(paging, "KEYS_FIRST_FROM", 5)


def test_a_deep_page_reads_its_keys_then_its_rows_by_key_and_holds_a_plain_pages_rows(
    deep_from_five: None,
) -> None:
    from tremplin.accounts.models import User

    author = User.objects.create(username="auteur")
    AuditEvent.objects.bulk_create(
        AuditEvent(username=f"user-{i % 4}", user=author, action="view", model="learners.Learner")
        for i in range(23)
    )
    listed = AuditEvent.objects.filter(action="view").select_related("user")
    listed = listed.order_by("username", "-id")
    plain, pages = Paginator(listed, 4), Pages(listed, 4)
    for number in plain.page_range:
        assert [e.pk for e in pages.page(number)] == [e.pk for e in plain.page(number)]
    with CaptureQueriesContext(connection) as queries:
        rows = list(pages.page(3))  # rows 8 to 11: 8 skipped
        assert {row.user.username for row in rows} == {"auteur"}  # joined, not one query each
    keys, by_key = (q["sql"] for q in queries.captured_queries)
    assert "OFFSET 8" in keys and '"user_id"' not in keys.split("FROM")[0]
    # The rows by their keys alone: the list's conditions are not tested again.
    assert "OFFSET" not in by_key and "'view'" not in by_key and "accounts_user" in by_key


def test_a_shallow_page_or_an_annotated_list_is_read_in_one_query(
    events: None, deep_from_five: None
) -> None:
    from django.db.models import Count, FilteredRelation, Q

    listed = AuditEvent.objects.order_by("username", "-id")
    annotated = listed.annotate(n=Count("records"))
    authored = listed.annotate(
        author=FilteredRelation("user", condition=Q(user__is_active=True))
    ).select_related("author")
    for rows, number in ((listed, 1), (listed, 2), (annotated, 3), (authored, 3)):
        with CaptureQueriesContext(connection) as queries:
            page = list(Counted(rows, 4, 23).page(number))
        assert len(queries.captured_queries) == 1
        assert [e.pk for e in page] == [e.pk for e in Paginator(listed, 4).page(number)]


@pytest.mark.parametrize(
    ("asked", "skipped"),
    [("1", 0), ("2", 5), ("3", 10), ("4", 3), ("5", 0), ("", 0), ("x", 0), ("99", 0)],
)
def test_a_page_skips_the_rows_between_it_and_the_nearer_end_of_its_list(
    events: None, asked: str, skipped: int
) -> None:
    """23 rows, 5 a page: page 4 (rows 15 to 19) is read from the end, past rows 20 to 22; a
    page asked for that is not a number is the first, a page beyond the list the last."""
    assert Pages(AuditEvent.objects.order_by("-id"), 5).skipped(asked) == skipped


def test_a_row_deleted_between_a_deep_pages_two_readings_is_left_out(
    events: None, deep_from_five: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = AuditEvent.objects.order_by("username", "-id")
    expected = [e.pk for e in Paginator(listed, 4).page(3)]
    reading = paging._same_reading

    def gone_first(rows: object) -> object:  # as if deleted after its key was read
        return reading(rows).exclude(pk=expected[0])  # type: ignore[arg-type]

    monkeypatch.setattr(paging, "_same_reading", gone_first)
    assert [e.pk for e in Pages(listed, 4).page(3)] == expected[1:]
