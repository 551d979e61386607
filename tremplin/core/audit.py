"""Write to the audit log. Views call `record()` for every read or change of a personal record;
the import machinery and the API's bulk calls call `record_changes()` once per call, which writes
one entry per changed record with the before/after of its fields.

Entries never hold a person's name: they refer to the person by id (`person_id`) and the audit
page renders the name at display time through the registered `PersonDirectory` (an erased
person then reads as anonymised). Free texts and identities are not copied into `changes`
either (see `REDACTED`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from django.db import models
from django.db.models import Model
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from .http import client_address
from .models import AuditEvent, DomainEvent
from .rows import JSON_SCALARS, insert_values

Action = AuditEvent.Action
Origin = AuditEvent.Origin

#: The model whose records are people: an event about one of them, or about a record with a
#: `learner_id`, names that person by id.
PERSON_MODEL = "learners.Learner"
#: Written in `changes` in place of a free text or an identity (names, reference, birth date,
#: notes): the log says the field changed, never what it said.
REDACTED = "[texte non journalisé]"
#: Identity fields that are not free texts but must not be copied either.
IDENTITY_FIELDS = frozenset({"birth_date"})
#: A list read keeps at most this many record ids.
MAX_LISTED = 200
#: Query parameters whose value is a searched name or reference: not written in a summary.
SEARCH_PARAMETERS = frozenset({"q", "search", "reference", "nom", "personne"})


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, as the lock-out sees it (behind a trusted proxy: its header)."""
    return client_address(request)


def person_of(target: Model | type[Model]) -> int | None:
    """The id of the person an event about `target` concerns, if any."""
    if isinstance(target, type):
        return None
    if target._meta.label == PERSON_MODEL:
        return int(target.pk) if target.pk is not None else None
    learner_id = getattr(target, "learner_id", None)
    return int(learner_id) if learner_id is not None else None


def filters_summary(query: QueryDict | Mapping[str, str]) -> str:
    """A list's filters for a summary, without the searched names or references."""
    parts = []
    for key in query:
        value = "…" if key in SEARCH_PARAMETERS else str(query[key])
        parts.append(f"{key}={value}")
    return "&".join(parts)


def record(
    request: HttpRequest | None,
    action: str,
    target: Model | type[Model],
    summary: str = "",
    *,
    user: Any = None,
    origin: str | None = None,
    records: Iterable[Any] | None = None,
    changes: Mapping[str, Sequence[Any]] | None = None,
) -> AuditEvent:
    """One event. `records`: the ids of the records a list showed (kept up to `MAX_LISTED`)."""
    event = _event(
        user if user is not None else getattr(request, "user", None),
        action,
        target,
        summary,
        origin=origin or Origin.WEB,
        ip=client_ip(request),
    )
    if records is not None:
        event.records = [r.pk if isinstance(r, Model) else r for r in records][:MAX_LISTED]
    if changes:
        event.changes = dict(changes)
    event.save()
    return event


def from_journal(events: Sequence[DomainEvent], instances: Sequence[Model]) -> None:
    """The audit entries of the changes that reach the services without a request to record
    them (the establishment copy's bundles, origin « sync »): one per journal event, by the
    event's actor, naming its record and what happened. The other origins are audited where the
    request or the import is (with the client's address, the fields changed)."""
    rows = []
    for event, instance in zip(events, instances, strict=True):
        if event.origin != DomainEvent.Origin.SYNC:
            continue
        action, summary = _synced(event)
        who = event.actor if event.actor_id is not None else None
        rows.append(_event(who, action, instance, summary, origin=Origin.SYNC))
    AuditEvent.objects.bulk_create(rows)


#: A record a bundle brought: its journal payload's `op`.
_SYNCED_OPS = {
    "created": (Action.CREATE, "créé"),
    "updated": (Action.UPDATE, "modifié"),
    "deleted": (Action.UPDATE, "supprimé"),
}


def _synced(event: DomainEvent) -> tuple[str, str]:
    """The audit action and summary of an event of origin « sync »."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    op = _SYNCED_OPS.get(str(payload.get("op", "")))
    where = f"copie {payload['site']}" if payload.get("site") else "copie"
    if "bundle" in payload:
        where += f", envoi n° {payload['bundle']}"
    if op is None:
        return Action.UPDATE, f"synchronisation ({where}) : {event.kind}"
    return op[0], f"synchronisation ({where}) : enregistrement {op[1]}"


def _event(
    who: Any,
    action: str,
    target: Model | type[Model],
    summary: str,
    *,
    origin: str,
    ip: str | None = None,
) -> AuditEvent:
    authenticated = bool(who is not None and getattr(who, "is_authenticated", False))
    model = target if isinstance(target, type) else type(target)
    return AuditEvent(
        user=who if authenticated else None,
        username=who.get_username() if authenticated and who is not None else "",
        action=action,
        model=model._meta.label,
        object_id="" if isinstance(target, type) or target.pk is None else str(target.pk),
        person_id=person_of(target),
        summary=summary[:300],
        ip=ip,
        origin=origin,
    )


# -- changes -----------------------------------------------------------------------------------


@cache
def _redacted(field: models.Field[Any, Any]) -> bool:
    """Whether the log writes `REDACTED` for the field's values (asked once per field: a bulk
    change asks it for every value)."""
    text = isinstance(field, models.CharField | models.TextField) and not field.choices
    return text or field.name in IDENTITY_FIELDS


def journal_value(field: models.Field[Any, Any], value: Any) -> Any:
    """A field's value as the log keeps it: ids for relations, ISO dates, decimals as text,
    `REDACTED` for free texts and identities."""
    if value is None or value == "":
        return value
    if _redacted(field):
        return REDACTED
    return _kept(value)


def _kept(value: Any) -> Any:
    """A value of a field that is not redacted, as the log keeps it."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Model, names: Iterable[str]) -> dict[str, Any]:
    """The current values of `names` on `obj` (relations by id), the `before` of a change."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        assert isinstance(field, models.Field)
        values[field.name] = getattr(obj, field.attname)
    return values


def _raw(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


@cache
def _logged(model: type[Model], name: str) -> tuple[str, models.Field[Any, Any], bool]:
    """The field `name` (or attname) of `model`: its name, itself, whether its values are
    redacted (asked once per field: a bulk change of 100,000 rows asks it for each value)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.name, field, _redacted(field)


def diff(
    obj: Model, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` as the log keeps them, for the fields whose value differs
    (every field of `after` for a creation, `before` being None)."""
    changes: dict[str, list[Any]] = {}
    model = type(obj)
    for name, value in after.items():
        field_name, field, redacted = _logged(model, name)
        new = _raw(value)
        if before is None:
            old = None
        else:
            old = _raw(before.get(field_name))
            if old == new:
                continue
        if redacted:
            changes[field_name] = [journal_value(field, old), journal_value(field, new)]
        else:  # most values: ids, codes, numbers kept as they are
            changes[field_name] = [
                old if type(old) in JSON_SCALARS else _kept(old),
                new if type(new) in JSON_SCALARS else _kept(new),
            ]
    return changes


@dataclass
class Change:
    """One record created (`before` None) or updated by a bulk operation."""

    obj: Model
    before: dict[str, Any] | None
    after: dict[str, Any]


def record_change(
    user: Any,
    obj: Model,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    origin: str,
    request: HttpRequest | None = None,
    summary: str = "",
) -> AuditEvent:
    """One entry for one record's change: created when `before` is None, else updated."""
    event = _change_event(user, Change(obj, dict(before or {}) or None, dict(after)), origin)
    event.ip = client_ip(request)
    if summary:
        event.summary = summary[:300]
    event.save()
    return event


def record_changes(
    user: Any, changes: Sequence[Change], *, origin: str, request: HttpRequest | None = None
) -> None:
    """One entry per record of a bulk operation (an import, an API bulk call), written at once as
    plain rows (no entry built as a model instance: an import of 100,000 rows writes as many)."""
    if not changes:
        return
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    at = timezone.now()
    ip = client_ip(request)
    constants = {
        "at": at,
        "user": user.pk if authenticated else None,
        "username": user.get_username() if authenticated else "",
        "ip": ip,
        "origin": origin,
    }
    names = ["action", "model", "object_id", "person_id", "summary", "changes"]
    rows = []
    for change in changes:
        obj = change.obj
        changed = diff(obj, change.before, change.after)
        rows.append(
            (
                Action.CREATE if change.before is None else Action.UPDATE,
                obj._meta.label,
                "" if obj.pk is None else str(obj.pk),
                _person_of_change(change),
                _change_summary(change, changed),
                changed,
            )
        )
    insert_values(AuditEvent, names, rows, constants)


def _change_summary(change: Change, changed: Mapping[str, Any]) -> str:
    if change.before is None:
        return "création"
    return ("champs modifiés : " + ", ".join(sorted(changed)))[:300]


def _person_of_change(change: Change) -> int | None:
    """The person a change concerns: the record's own, else the learner its values name."""
    person = person_of(change.obj)
    if person is None and change.obj._meta.label != PERSON_MODEL:
        learner_id = change.after.get("learner_id", change.after.get("learner"))
        if learner_id is not None:
            person = int(learner_id.pk if isinstance(learner_id, Model) else learner_id)
    return person


def _change_event(user: Any, change: Change, origin: str) -> AuditEvent:
    created = change.before is None
    event = _event(
        user,
        Action.CREATE if created else Action.UPDATE,
        change.obj,
        summary="",
        origin=origin,
    )
    event.changes = diff(change.obj, change.before, change.after)
    event.summary = _change_summary(change, event.changes)
    event.person_id = _person_of_change(change)
    return event


# -- display -----------------------------------------------------------------------------------

#: How a person reads once erased.
ANONYMISED = "personne anonymisée"


class PersonDirectory(Protocol):
    """What the audit page asks about people, answered by the app that holds them."""

    def describe(self, user: Any, ids: set[int]) -> dict[int, str]:
        """The display of each person the user may see: « NOM Prénom (réf.) », or
        `ANONYMISED` after erasure. Ids the user may not see are left out."""
        ...

    def find(self, user: Any, text: str) -> list[int]:
        """The ids of the people the user may see whose name or reference matches `text`."""
        ...


_directory: list[PersonDirectory] = []


def register_person_directory(directory: PersonDirectory) -> None:
    _directory[:] = [directory]


def person_directory() -> PersonDirectory | None:
    return _directory[0] if _directory else None


@dataclass
class Shown:
    """An event as the audit page and its CSV export show it."""

    event: AuditEvent
    action: str
    data: str
    person: str


def action_label(event: AuditEvent) -> str:
    """The action in French, with the kind of record: « Modification — inscription »."""
    return f"{event.get_action_display()} — {data_label(event.model)}"


def data_label(label: str) -> str:
    """A model's French name from its label (« learners.Learner » → « apprenant »)."""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(model._meta.verbose_name)


def shown(user: Any, events: Sequence[AuditEvent]) -> list[Shown]:
    """The events with their person rendered now (one query for the page): the name and
    reference for those the user may see, `ANONYMISED` after an erasure, « — » otherwise."""
    directory = person_directory()
    ids = {e.person_id for e in events if e.person_id is not None}
    people = directory.describe(user, ids) if directory is not None and ids else {}
    return [
        Shown(
            event=e,
            action=action_label(e),
            data=data_label(e.model),
            person=people.get(e.person_id, "—") if e.person_id is not None else "—",
        )
        for e in events
    ]
