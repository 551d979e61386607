"""The domain event journal: appended in the change's transaction, append-only in the database,
with its origin, and part of the backups."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tremplin.accounts.models import User
from tremplin.core import journal
from tremplin.core.backup import current_state
from tremplin.core.models import DomainEvent, JournalIsAppendOnly


def test_an_event_names_its_record_its_actor_its_origin_and_a_json_payload(
    coordinator: User,
) -> None:
    with journal.origin("import"), transaction.atomic():
        event = journal.record("account.touched", coordinator, actor=coordinator, payload={"n": 1})
    event = DomainEvent.objects.get(pk=event.pk)
    assert (event.kind, event.model, event.object_id) == (
        "account.touched",
        "accounts.user",
        str(coordinator.pk),
    )
    assert (event.actor, event.origin, event.payload) == (coordinator, "import", {"n": 1})
    assert journal.current_origin() == "system"  # outside the block: the default


def test_events_are_numbered_in_order_and_listed_per_record(coordinator: User) -> None:
    with transaction.atomic():
        first = journal.record("account.touched", coordinator)
        second = journal.record("account.touched", coordinator)
    assert first.sequence < second.sequence
    assert list(journal.events_of(coordinator)) == [first, second]


def test_a_rolled_back_change_leaves_no_event(coordinator: User) -> None:
    before = DomainEvent.objects.count()  # the base data's own events (catalogue, accounts)
    with pytest.raises(ValueError), transaction.atomic():
        journal.record("account.touched", coordinator)
        raise ValueError
    assert DomainEvent.objects.count() == before


def test_subscribers_run_in_the_same_transaction(coordinator: User) -> None:
    seen: list[tuple[str, object, bool]] = []

    def handler(events: list[DomainEvent], instances: list[object]) -> None:
        in_transaction = connection.in_atomic_block
        seen.extend((e.kind, i, in_transaction) for e, i in zip(events, instances, strict=True))

    journal.subscribe("test.subscribed", handler)
    with transaction.atomic():
        journal.record("test.subscribed", coordinator)
    assert seen == [("test.subscribed", coordinator, True)]


def test_many_events_are_appended_at_once_with_their_sequence_numbers(
    every_user: list[User],
) -> None:
    with journal.origin("api"):
        events = journal.record_many(
            "account.touched", every_user, payloads=[{"n": i} for i in range(len(every_user))]
        )
    assert [e.sequence for e in events] == sorted(e.sequence for e in events)
    assert all(e.sequence for e in events)
    touched = DomainEvent.objects.filter(kind="account.touched").order_by("sequence")
    assert [(e.object_id, e.payload["n"], e.origin) for e in touched] == [
        (str(u.pk), i, "api") for i, u in enumerate(every_user)
    ]


def test_the_journal_cannot_be_changed_nor_erased(coordinator: User) -> None:
    with transaction.atomic():
        event = journal.record("account.touched", coordinator)
    with pytest.raises(JournalIsAppendOnly):
        event.save()
    with pytest.raises(JournalIsAppendOnly):
        event.delete()
    table = DomainEvent._meta.db_table
    for sql in (f"UPDATE {table} SET kind = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert DomainEvent.objects.get(pk=event.pk).kind == "account.touched"


def test_the_journal_is_part_of_the_backup(coordinator: User) -> None:
    with transaction.atomic():
        journal.record("account.touched", coordinator)
    assert current_state().tables[DomainEvent._meta.db_table] == DomainEvent.objects.count()
    assert DomainEvent.objects.filter(kind="account.touched").count() == 1


def test_a_change_from_the_establishment_copy_is_audited_from_the_journal(
    coordinator: User,
) -> None:
    """A bundle's changes come without a request: the journal's events, origin « sync », are
    the audit entries (by the event's actor, naming the record); other origins are audited
    where their request is."""
    from tremplin.core.models import AuditEvent

    with journal.origin("sync"), transaction.atomic():
        journal.record("account.touched", coordinator, actor=coordinator)
    with journal.origin("form"), transaction.atomic():
        journal.record("account.touched", coordinator, actor=coordinator)
    [entry] = AuditEvent.objects.filter(origin="sync")
    assert (entry.user, entry.model, entry.object_id, entry.summary) == (
        coordinator,
        "accounts.User",
        str(coordinator.pk),
        "synchronisation (copie) : account.touched",
    )
    assert entry.get_origin_display() == "Synchronisation"


def test_the_bulk_append_returns_the_rows_it_wrote_in_order(
    coordinator: User, referent: User
) -> None:
    records = [coordinator, referent, coordinator]
    with journal.origin("import"), transaction.atomic():
        events = journal.record_many(
            "account.touched",
            records,
            actor=coordinator,
            payloads=[{"n": i, "when": "1er janvier"} for i in range(3)],
        )
    stored = list(DomainEvent.objects.filter(kind="account.touched").order_by("sequence"))
    assert [(e.sequence, e.uid, e.object_id, e.payload) for e in events] == [
        (e.sequence, e.uid, e.object_id, e.payload) for e in stored
    ]
    assert [e.object_id for e in stored] == [str(r.pk) for r in records]
    assert [e.payload["n"] for e in stored] == [0, 1, 2]
    assert {(e.actor_id, e.origin) for e in stored} == {(coordinator.pk, "import")}
    assert all(e.uid.version == 7 for e in stored)  # time-ordered: the uid index grows at its end
    assert stored[0].occurred_at == events[0].occurred_at
