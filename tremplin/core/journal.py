"""The domain event journal: services call `record()` inside the transaction that makes the
change; the event row commits (or rolls back) with it, so nothing that reads the journal
afterwards (webhooks, the establishment copy) can miss a change or see one that never happened.

Subscribers (the lifecycle consequences, declared in each domain app's `events.py` and
registered in its `AppConfig.ready`) run right after the append, in the same transaction: a
consequence is applied whatever the origin of the change (form, import, API, sync, system).

`core` knows no domain app: an event names its record by model label and primary key, and
its payload carries JSON values (opaque references, codes, dates), never a person's name."""

from __future__ import annotations

import inspect
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import connection, connections, models, router, transaction
from django.utils import timezone
from uuid6 import uuid7

from .models import DomainEvent
from .permissions import Actor
from .rows import JSON_SCALARS, loaded

Origin = DomainEvent.Origin


class Kind(StrEnum):
    """The domain events (their consequences: `docs/lifecycle.md`)."""

    LEARNER_UPDATED = "learner.updated"
    LEARNER_ARRIVED = "learner.arrived"
    LEARNER_TRANSFERRED = "learner.transferred"
    LEARNER_RELEASED = "learner.released"
    LEARNER_ERASED = "learner.erased"
    LEARNER_MERGED = "learner.merged"
    LEARNER_MERGE_UNDONE = "learner.merge_undone"
    LEARNER_MERGE_CONFIRMED = "learner.merge_confirmed"
    RESULT_RECORDED = "enrolment.result_recorded"
    REFERRAL_STATUS_CHANGED = "referral.status_changed"
    CERTIFICATION_AWARDED = "certification.awarded"
    HANDOVER_CREATED = "handover.created"
    # Every other service's change, so that the journal holds every write (the establishment
    # copy exchanges it; the audit of the changes without a request is fed from it).
    LEARNER_CREATED = "learner.created"
    YOUNG_PERSON_CREATED = "learner.young_person_created"
    APPLICATION_SUBMITTED = "application.submitted"
    APPLICATION_STATUS_CHANGED = "application.status_changed"
    ENROLMENT_CREATED = "enrolment.created"
    CERTIFICATION_PROPOSED = "certification.proposed"
    CERTIFICATION_REVOKED = "certification.revoked"
    INTERVIEW_RECORDED = "interview.recorded"
    EMERGENCE_COHORT_CREATED = "emergence.cohort_created"
    EMERGENCE_SESSION_SAVED = "emergence.session_saved"
    EMERGENCE_ATTENDANCE_RECORDED = "emergence.attendance_recorded"
    EMERGENCE_PARTICIPANT_ADDED = "emergence.participant_added"
    EMERGENCE_OUTCOMES_RECORDED = "emergence.outcomes_recorded"
    PACKAGE_SAVED = "material.package_saved"
    PACKAGE_DELETED = "material.package_deleted"
    MATERIAL_SENT = "material.sent"
    MATERIAL_HANDED = "material.handed"
    ASSIGNMENT_RETURNED = "material.assignment_returned"
    HANDOVER_OUTCOME_RECORDED = "handover.outcome_recorded"
    EXAM_SESSION_SAVED = "exam.session_saved"
    EXAM_CANDIDATES_ADDED = "exam.candidates_added"
    EXAM_CANDIDATE_REMOVED = "exam.candidate_removed"
    EXAM_PRESENCE_RECORDED = "exam.presence_recorded"
    EXAM_ACCOMMODATION_SAVED = "exam.accommodation_saved"
    CENTRE_OFFERS_SAVED = "orientation.centre_offers_saved"
    REFERRAL_SENT = "referral.sent"
    CATALOGUE_CHANGED = "catalogue.changed"
    CONVENTION_CHANGED = "convention.changed"
    # The establishment copy (docs/sync.md): its bookkeeping, and each record a bundle brings.
    RECORD_SYNCED = "sync.record_applied"
    SYNC_NODE_CREATED = "sync.node_created"
    SYNC_SITE_CREATED = "sync.site_created"
    SYNC_SITE_REVOKED = "sync.site_revoked"
    SYNC_BUNDLE_EXPORTED = "sync.bundle_exported"
    SYNC_BUNDLE_IMPORTED = "sync.bundle_imported"
    SYNC_CONFLICT_REVIEWED = "sync.conflict_reviewed"


#: Subscribe to this kind to receive the events of every kind.
ANY = "*"

#: A subscriber receives events of one kind and their records, in the same order (one event when
#: a form changes one record, many when an import changes many: one query for all of them).
Subscriber = Callable[[list[DomainEvent], list[Any]], None]

_origin: ContextVar[str] = ContextVar("tremplin_journal_origin", default=Origin.SYSTEM)
#: Who makes the changes of the current request (read when the event is recorded: the API
#: authenticates inside its view), for the services that take no `by`.
_acting: ContextVar[Callable[[], Any] | None] = ContextVar("tremplin_journal_acting", default=None)
P = ParamSpec("P")
R = TypeVar("R")
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


@contextmanager
def origin(value: str) -> Iterator[None]:
    """Every event recorded inside this block comes from `value` (form, import, api, …)."""
    token = _origin.set(Origin(value))
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> str:
    return _origin.get()


@contextmanager
def acting(user: Callable[[], Any]) -> Iterator[None]:
    """Every event recorded inside this block without an actor is by `user()` (the request's)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> Any:
    user = _acting.get()
    return user() if user is not None else None


def subscribe(kind: str, handler: Subscriber) -> None:
    """Call `handler(events, instances)` after events of `kind`, in their transaction."""
    if handler not in _subscribers[kind]:
        _subscribers[kind].append(handler)


def subscribers(kind: str) -> list[Subscriber]:
    return list(_subscribers.get(kind, ()))


def plain(value: Any) -> Any:
    """A JSON value for the payload (an import's rows: a dict of scalars each, the values
    that JSON takes as they are kept without further checks)."""
    kind = type(value)
    if kind in JSON_SCALARS:
        return value
    if kind is dict:
        return {str(k): v if type(v) in JSON_SCALARS else plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def _actor_id(actor: Actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    pk = getattr(actor, "pk", None)
    return pk if isinstance(pk, int) else None


def record(
    kind: str,
    instance: models.Model,
    *,
    actor: Actor = None,
    payload: dict[str, Any] | None = None,
) -> DomainEvent:
    """Append `kind` about `instance` by `actor` to the journal, then run its subscribers.
    Called inside the transaction that makes the change (the services are atomic); the event
    and its consequences are one atomic block in any case."""
    [event] = record_many(kind, [instance], actor=actor, payloads=[payload or {}])
    return event


def record_many(
    kind: str,
    instances: Sequence[models.Model],
    *,
    actor: Actor = None,
    payloads: Sequence[dict[str, Any]] | None = None,
    consequences: bool = True,
) -> list[DomainEvent]:
    """The bulk variant (imports): one event per instance, appended in one statement, then the
    subscribers once for all of them. Without `consequences` (a history written after the
    fact, whose consequences are in it already) no subscriber runs."""
    if not instances:
        return []
    payloads = payloads if payloads is not None else [{} for _ in instances]
    at = timezone.now()
    via = current_origin()
    actor_id = _actor_id(actor if actor is not None else current_actor())
    with transaction.atomic():
        events = _append(
            kind,
            [(instance._meta.label_lower, str(instance.pk)) for instance in instances],
            actor_id=actor_id,
            origin=via,
            at=at,
            payloads=[plain(payload) for payload in payloads],
        )
        for handler in [*subscribers(kind), *subscribers(ANY)] if consequences else []:
            handler(events, list(instances))
    return events


def _append(
    kind: str,
    records: Sequence[tuple[str, str]],
    *,
    actor_id: int | None,
    origin: str,
    at: datetime,
    payloads: Sequence[Any],
) -> list[DomainEvent]:
    """The events of `records` (model label, id) written as plain rows (an import writes two per
    row: Django's bulk_create cost about 0.2 ms per event in model and value handling): one
    executemany on SQLite, a COPY on PostgreSQL after reserving their sequence numbers; returned
    as the journal's rows, their sequence numbers set."""
    db = router.db_for_write(DomainEvent)
    uids = [uuid7() for _ in records]  # time-ordered: appended at the end of the uid's index
    texts = [json.dumps(payload) for payload in payloads]
    cursor_db = connections[db]
    occurred = DomainEvent._meta.get_field("occurred_at").get_db_prep_save(at, cursor_db)
    table = cursor_db.ops.quote_name(DomainEvent._meta.db_table)
    columns = "uid, kind, model, object_id, actor_id, origin, occurred_at, payload"
    with cursor_db.cursor() as cursor:
        if cursor_db.vendor == "postgresql":
            # The numbers reserved first (ascending: the events' order), then COPY. The
            # sequence's name looked up once (a subquery), not at each number: 137 -> 15-30 ms
            # for 30,000 numbers.
            cursor.execute(
                "SELECT nextval((SELECT pg_get_serial_sequence(%s, 'sequence'))::regclass) "
                "FROM generate_series(1, %s)",
                [DomainEvent._meta.db_table, len(records)],
            )
            sequences = sorted(number for (number,) in cursor.fetchall())
            with (
                cursor_db.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} (sequence, {columns}) FROM STDIN") as copy,
            ):
                for sequence, uid, (model, pk), text in zip(
                    sequences, uids, records, texts, strict=True
                ):
                    copy.write_row(
                        (sequence, uid, kind, model, pk, actor_id, origin, occurred, text)
                    )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (uid.hex, kind, model, pk, actor_id, origin, occurred, text)
                    for uid, (model, pk), text in zip(uids, records, texts, strict=True)
                ],
            )
            # One writer at a time on SQLite, inside this transaction: the numbers given are
            # the last ones of the table's sequence, checked on the first.
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [DomainEvent._meta.db_table]
            )
            last = cursor.fetchone()[0]
            sequences = list(range(last - len(records) + 1, last + 1))
            cursor.execute(f"SELECT uid FROM {table} WHERE sequence = %s", [sequences[0]])  # noqa: S608
            if cursor.fetchone()[0] != uids[0].hex:
                raise RuntimeError("Journal : numéros d'ordre des événements inattendus.")
    # Built as rows read from the database are (two events per imported row: `rows.loaded`).
    return loaded(
        DomainEvent,
        db,
        _EVENT_FIELDS,
        (
            (sequence, uid, kind, model, pk, actor_id, origin, at, payload)
            for sequence, uid, (model, pk), payload in zip(
                sequences, uids, records, payloads, strict=True
            )
        ),
    )


_EVENT_FIELDS = (
    "sequence",
    "uid",
    "kind",
    "model",
    "object_id",
    "actor_id",
    "origin",
    "occurred_at",
    "payload",
)


def record_inserted(
    kind: str,
    model: type[models.Model],
    *,
    after: int,
    where: str = "",
    about: tuple[type[models.Model], str] | None = None,
    key: str = "id",
) -> int:
    """The events of the rows of `model` that the database's bulk path (COPY) inserted after
    id `after`, written by the database itself (INSERT … SELECT: one event per row, in id
    order, origin « system », without consequences: a history written after the fact, the
    national generator's). `where`: an SQL condition on the rows, written in code (never from
    input); `about`: the model and column the events name (a placement's learner) instead of
    the row; the payload is {key: the row's id}. Returns how many were written."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk_column = model._meta.pk.column if model._meta.pk is not None else None
    if pk_column is None:
        raise ValueError(f"{model._meta.label} has no primary key column")
    pk = quote(pk_column)
    named, column = about if about is not None else (model, pk_column)
    postgres = connection.vendor == "postgresql"
    uid = "gen_random_uuid()" if postgres else "lower(hex(randomblob(16)))"
    # The key's type written out: with server-side binding (docs/scaling.md) PostgreSQL cannot
    # infer a parameter's type from a function taking "any".
    payload = (
        f"jsonb_build_object(CAST(%s AS TEXT), {pk})" if postgres else f"json_object(%s, {pk})"
    )
    condition = f" AND ({where})" if where else ""
    # Table and column names come from the models, quoted; the condition from the code; values
    # are parameters.
    sql = (
        f"INSERT INTO {quote(DomainEvent._meta.db_table)} "  # noqa: S608 # nosec B608
        "(uid, kind, model, object_id, actor_id, origin, occurred_at, payload) "
        f"SELECT {uid}, %s, %s, CAST({quote(column)} AS TEXT), NULL, %s, %s, {payload} "
        f"FROM {table} WHERE {pk} > %s{condition} ORDER BY {pk}"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [kind, named._meta.label_lower, Origin.SYSTEM, now, key, after],
        )
        return max(cursor.rowcount, 0)


#: A service's arguments, by name, as it was called (for `emits`).
Arguments = Mapping[str, Any]


def emits(
    kind: str,
    of: Callable[[Any, Arguments], models.Model | Sequence[models.Model] | None],
    payload: Callable[[Any, Arguments], dict[str, Any]] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare the event a service records: after the service returns (inside its transaction:
    put `@transaction.atomic` above), `kind` about `of(result, arguments)` (one record, or a
    list for the bulk variants: one event each), by the acting user (the service's `by`
    argument, or whoever the request is signed in as), with `payload(result, arguments)`."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(service)

        @wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            result = service(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = bound.arguments
            target = of(result, arguments)
            if target is None:
                return result
            targets = [target] if isinstance(target, models.Model) else list(target)
            extra = payload(result, arguments) if payload is not None else {}
            record_many(
                kind,
                targets,
                actor=arguments.get("by"),
                payloads=[{"id": t.pk, **extra} for t in targets],
            )
            return result

        return run

    return decorate


def events_of(instance: models.Model) -> models.QuerySet[DomainEvent]:
    """The journal of one record, oldest first."""
    return DomainEvent.objects.filter(
        model=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("sequence")


__all__ = [
    "ANY",
    "Kind",
    "Origin",
    "acting",
    "current_actor",
    "current_origin",
    "emits",
    "events_of",
    "origin",
    "plain",
    "record",
    "record_inserted",
    "record_many",
    "subscribe",
    "subscribers",
]
