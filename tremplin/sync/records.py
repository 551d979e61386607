"""Records as they travel (docs/sync.md, "Records"): a record is named by its model's label and
a uid that both sides understand, `c:<id>` for a record made at the centre (its id there, which
is also its id on a copy) and `<site>:<id>` for one made on a copy (its id there; the centre
keeps its own id in `Identity`). Its values are JSON: references to other exchanged records by
uid, references to the reference data by natural key, dates in ISO 8601, decimals as text, a
many-to-many field as the sorted list of its targets."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet

from .exchange import BY_LABEL, NATURAL_KEYS, Exchanged
from .models import COPY_IDS_FROM, Identity, Peer

Values = dict[str, Any]
#: (model label, uid) -> values
Rows = dict[tuple[str, str], Values]


class Ids:
    """uids and local ids, as seen by this installation for one peer."""

    def __init__(self, *, copy: bool, site: str, peer: Peer | None = None) -> None:
        self.copy, self.site, self.peer = copy, site, peer
        self._local: dict[str, dict[int, int]] = defaultdict(dict)  # label: remote -> local
        self._remote: dict[str, dict[int, int]] = defaultdict(dict)  # label: local -> remote
        self.new: list[Identity] = []
        if not copy and peer is not None and peer.pk is not None:
            for label, remote, local in Identity.objects.filter(peer=peer).values_list(
                "model", "remote", "local"
            ):
                self._local[label][remote] = local
                self._remote[label][local] = remote

    def uid(self, label: str, pk: int) -> str:
        if self.copy:
            return f"{self.site}:{pk}" if pk >= COPY_IDS_FROM else f"c:{pk}"
        remote = self._remote[label].get(pk)
        return f"{self.site}:{remote}" if remote is not None else f"c:{pk}"

    def local(self, label: str, uid: str) -> int | None:
        """The local id of `uid`, or None when it is not known here (to be created)."""
        prefix, _, number = uid.partition(":")
        if not number.isdigit():
            raise ValueError(uid)
        pk = int(number)
        if prefix == "c" and (self.copy or pk < COPY_IDS_FROM):
            if not self.copy and pk in self._remote[label]:
                raise ValueError(uid)  # this copy names that record by its own uid
            return pk
        if prefix != self.site:
            raise ValueError(uid)
        return pk if self.copy else self._local[label].get(pk)

    def wanted_pk(self, uid: str) -> int | None:
        """The id a new record takes here: on a copy the one in its uid, at the centre a new
        one (None)."""
        return int(uid.partition(":")[2]) if self.copy else None

    def remember(self, label: str, uid: str, pk: int) -> None:
        """At the centre: a copy's record created here under `pk`."""
        if self.copy or self.peer is None or not uid.startswith(f"{self.site}:"):
            return
        remote = int(uid.partition(":")[2])
        self._local[label][remote] = pk
        self._remote[label][pk] = remote
        self.new.append(Identity(peer=self.peer, model=label, remote=remote, local=pk))


class References:
    """The reference data (places, accounts) by natural key, loaded once per use."""

    def __init__(self) -> None:
        self._by_pk: dict[str, dict[Any, Any]] = {}
        self._by_key: dict[str, dict[Any, Any]] = {}

    def _load(self, label: str) -> None:
        if label in self._by_pk:
            return
        model = apps.get_model(label)
        pairs = list(model._default_manager.values_list("pk", NATURAL_KEYS[label]))
        self._by_pk[label] = dict(pairs)
        self._by_key[label] = {key: pk for pk, key in pairs}

    def key(self, label: str, pk: Any) -> Any:
        if label not in NATURAL_KEYS:
            return pk  # a reference whose id is its code (regions, departments, communes)
        self._load(label)
        return self._by_pk[label].get(pk)

    def pk(self, label: str, key: Any) -> Any:
        if label not in NATURAL_KEYS:
            return key
        self._load(label)
        return self._by_key[label].get(key)


def label_of(model: Any) -> str:
    return str(model._meta.label_lower)


def fields_of(spec: Exchanged) -> list[models.Field[Any, Any]]:
    """The concrete fields that travel (not the id, not the local ones)."""
    return [
        f
        for f in spec.model._meta.concrete_fields
        if not f.primary_key and f.name not in spec.local
    ]


def many_of(spec: Exchanged) -> list[models.ManyToManyField[Any, Any]]:
    return [f for f in spec.model._meta.many_to_many if f.name not in spec.local]


def plain(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        return str(value.quantize(Decimal(10) ** -places) if places is not None else value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def python(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    if isinstance(field, models.DecimalField):
        return Decimal(value)
    return value


class Serializer:
    """Reads the records of a scope as they travel."""

    def __init__(self, ids: Ids, references: References | None = None) -> None:
        self.ids = ids
        self.references = references or References()
        #: label -> ids of the records that travel (a reference to another is dropped).
        self.present: dict[str, set[int]] = {}

    def rows(self, spec: Exchanged, queryset: QuerySet[Any]) -> Rows:
        label = spec.label
        fields = fields_of(spec)
        names = ["pk", *[f.attname for f in fields]]
        found = list(queryset.order_by().values_list(*names))
        self.present[label] = {row[0] for row in found}
        rows: Rows = {}
        dropped: set[int] = set()
        for row in found:
            values: Values = {}
            for field, value in zip(fields, row[1:], strict=True):
                converted = self._value(field, value)
                if converted is _MISSING:
                    if not field.null:
                        dropped.add(row[0])
                        break
                    converted = None
                values[field.name] = converted
            else:
                rows[(label, self.ids.uid(label, row[0]))] = values
        self.present[label] -= dropped
        for many in many_of(spec):
            self._many(spec, many, rows)
        return rows

    def _value(self, field: models.Field[Any, Any], value: Any) -> Any:
        if value is None or not field.is_relation:
            return plain(field, value)
        target = label_of(field.related_model)
        if target in BY_LABEL:
            if target in self.present and value not in self.present[target]:
                return _MISSING  # a record outside the scope
            return self.ids.uid(target, value)
        key = self.references.key(target, value)
        return _MISSING if key is None else key

    def _many(self, spec: Exchanged, many: models.ManyToManyField[Any, Any], rows: Rows) -> None:
        label = spec.label
        through: Any = many.remote_field.through
        source = many.m2m_field_name()
        target_field = many.m2m_reverse_field_name()
        target = label_of(many.related_model)
        chosen: dict[int, list[Any]] = defaultdict(list)
        for pk, value in through.objects.filter(
            **{f"{source}__in": self.present[label]}
        ).values_list(f"{source}_id", f"{target_field}_id"):
            if target in BY_LABEL:
                if target in self.present and value not in self.present[target]:
                    continue
                converted = self.ids.uid(target, value)
            else:
                converted = self.references.key(target, value)
            if converted is not None:
                chosen[pk].append(converted)
        for pk in self.present[label]:
            key = (label, self.ids.uid(label, pk))
            if key in rows:
                rows[key][many.name] = sorted(chosen.get(pk, []), key=str)


_MISSING = object()
