"""A bundle's records applied by the written rules (docs/sync.md, "Conflicts"): a field changed
on one side only takes that side's value; changed on both, the owner's value (the exchange
table says who owns what) and the conflict is listed. At the centre, a copy's change to a field
the centre owns, a record it may not create, a deletion it may not make are not taken (listed
too): the centre's values go back to the copy with the next bundle."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models

from tremplin.core import journal
from tremplin.core.permissions import Actor

from .exchange import BY_LABEL, TABLE, Exchanged
from .models import Conflict, Identity, Peer
from .records import (
    Ids,
    References,
    Rows,
    Serializer,
    Values,
    fields_of,
    label_of,
    many_of,
    python,
)

Key = tuple[str, str]
_NO_BASE = object()

CENTRE_FIELD = "champ décidé par le centre : la modification de la copie n'est pas retenue"
BOTH_CENTRE = "modifié des deux côtés : la valeur du centre est retenue (champ du centre)"
BOTH_ESTABLISHMENT = (
    "modifié des deux côtés : la valeur de l'établissement est retenue (champ de l'établissement)"
)
CENTRE_CREATES = "création réservée au centre : l'enregistrement de la copie n'est pas retenu"
CENTRE_DELETES = "suppression réservée au centre : l'enregistrement est renvoyé à la copie"
DELETED_AT_CENTRE = "supprimé au centre : la modification de la copie n'est pas retenue"
DELETED_CHANGED_HERE = "supprimé ou sorti du périmètre au centre alors que modifié ici"
DUPLICATE = "en double : le même enregistrement existe déjà ici, les deux sont réunis"
DUPLICATE_HERE = "en double : l'enregistrement de l'établissement est gardé"
UNKNOWN_TARGET = "rattaché à un enregistrement absent ici : non retenu"
OUT_OF_SCOPE = "hors du périmètre de la copie : non retenu"
UNREADABLE = "identifiant illisible ou d'une autre copie : non retenu"


class Applier:
    """Applies one bundle's records in one transaction (the caller's)."""

    def __init__(
        self, *, peer: Peer, seq: int, at_centre: bool, ids: Ids, by: Actor = None, site: str = ""
    ) -> None:
        self.peer, self.seq, self.at_centre, self.ids, self.by = peer, seq, at_centre, ids, by
        #: The copy's code (the audit's « copie cd-melun », on either side).
        self.site = site or peer.code
        self.references = References()
        self.created = self.updated = self.deleted = 0
        self._conflicts: list[Conflict] = []
        #: On a copy: records received but not taken (the copy does not hold them).
        self.not_held: set[Key] = set()
        #: At the centre: what the copy may touch (its scope, what it held, what it sends now).
        self._allowed: set[Key] = set()

    @property
    def conflicts(self) -> int:
        return len(self._conflicts)

    def apply(self, rows: Rows, deleted: Iterable[Key], *, base: Rows, current: Rows) -> None:
        incoming: dict[str, dict[str, Values]] = defaultdict(dict)
        for (label, uid), values in rows.items():
            if label not in BY_LABEL:
                raise ValueError(label)
            incoming[label][uid] = values
        gone: dict[str, list[str]] = defaultdict(list)
        for label, uid in deleted:
            gone[label].append(uid)
        self.fresh = not base and not current  # an installation: nothing here yet
        self._allowed = {*current, *base}
        for spec in TABLE:
            if incoming.get(spec.label):
                self._put(spec, incoming[spec.label], base, current)
        for spec in reversed(TABLE):
            if gone.get(spec.label):
                self._delete(spec, gone[spec.label], base, current)
        Conflict.objects.bulk_create(self._conflicts, batch_size=1000)
        Identity.objects.bulk_create(self.ids.new, batch_size=1000)

    # --- merging -------------------------------------------------------------------------

    def _conflict(
        self, spec: Exchanged, uid: str, name: str, local: Any, incoming: Any, kept: Any, rule: str
    ) -> None:
        self._conflicts.append(
            Conflict(
                peer=self.peer,
                seq=self.seq,
                model=spec.label,
                uid=uid,
                field=name,
                local=local,
                incoming=incoming,
                kept=kept,
                rule=rule,
            )
        )

    def merge(
        self, spec: Exchanged, uid: str, incoming: Values, local: Values, base: Any
    ) -> Values:
        """The values this side keeps (three-way, field by field)."""
        merged = dict(local)
        for name in incoming.keys() | local.keys():
            i, here = incoming.get(name), local.get(name)
            if i == here:
                continue
            was = base.get(name, _NO_BASE) if isinstance(base, dict) else _NO_BASE
            establishment = spec.owned_by_establishment(name)
            if was is not _NO_BASE and here == was:  # changed over there only
                if self.at_centre and not (establishment or spec.may_move(name, here, i)):
                    self._conflict(spec, uid, name, here, i, here, CENTRE_FIELD)
                else:
                    merged[name] = i
            elif was is not _NO_BASE and i == was:  # changed here only
                continue
            else:  # changed on both sides
                if establishment:
                    kept = i if self.at_centre else here
                    rule = BOTH_ESTABLISHMENT
                else:
                    kept = here if self.at_centre else i
                    rule = BOTH_CENTRE
                merged[name] = kept
                self._conflict(spec, uid, name, here, i, kept, rule)
        return merged

    # --- writing ---------------------------------------------------------------------------

    def _instance(self, spec: Exchanged, uid: str, values: Values) -> models.Model | None:
        """A model instance with these values (not saved), or None when a reference it needs is
        missing here (a conflict is listed)."""
        attrs: dict[str, Any] = {}
        for field in fields_of(spec):
            value = values.get(field.name)
            if value is not None and field.is_relation:
                target = label_of(field.related_model)
                try:
                    value = (
                        self.ids.local(target, value)
                        if target in BY_LABEL
                        else self.references.pk(target, value)
                    )
                except ValueError:
                    value = None
                if value is None and not field.null:
                    self._conflict(
                        spec, uid, field.name, None, values.get(field.name), None, UNKNOWN_TARGET
                    )
                    if not self.at_centre:
                        self.not_held.add((spec.label, uid))
                    return None
            else:
                value = python(field, value)
            attrs[field.attname] = value
        instance = spec.model(**attrs)
        if spec.prepare is not None:
            spec.prepare(instance)
        return instance

    def _many(self, spec: Exchanged, items: list[tuple[models.Model, Values]], fresh: bool) -> None:
        for many in many_of(spec):
            through: Any = many.remote_field.through
            source, target_name = many.m2m_field_name(), many.m2m_reverse_field_name()
            target = label_of(many.related_model)
            changed = [(obj, values) for obj, values in items if many.name in values]
            if not changed:
                continue
            if not fresh:
                through.objects.filter(**{f"{source}__in": [obj.pk for obj, _ in changed]}).delete()
            links = []
            for obj, values in changed:
                for key in values[many.name] or []:
                    try:
                        pk = (
                            self.ids.local(target, key)
                            if target in BY_LABEL
                            else self.references.pk(target, key)
                        )
                    except ValueError:
                        pk = None
                    if pk is not None:
                        links.append(through(**{f"{source}_id": obj.pk, f"{target_name}_id": pk}))
            through.objects.bulk_create(links, batch_size=2000)

    def _same_record(self, spec: Exchanged, instance: models.Model) -> int | None:
        """The id of a record here with the same unique fields (made on both sides)."""
        model = spec.model
        groups = [
            c.fields
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
        ]
        groups += [(f.name,) for f in fields_of(spec) if f.unique]
        for names in groups:
            attnames = [model._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]
            lookup = {a: getattr(instance, a) for a in attnames}
            if any(v is None for v in lookup.values()):
                continue
            found = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
            if found is not None:
                return int(found)
        return None

    def _resolve(self, spec: Exchanged, incoming: dict[str, Values]) -> dict[str, int | None]:
        local: dict[str, int | None] = {}
        for uid, values in list(incoming.items()):
            try:
                local[uid] = self.ids.local(spec.label, uid)
            except ValueError:
                self._skip(spec, uid, values, UNREADABLE)
                del incoming[uid]
                continue
            if self.at_centre and not self._may_touch(spec, uid, local[uid], values):
                self._skip(spec, uid, values, OUT_OF_SCOPE)
                del incoming[uid]
                del local[uid]
        return local

    def _may_touch(self, spec: Exchanged, uid: str, pk: int | None, values: Values) -> bool:
        """At the centre: a copy changes the records of its scope (or that it held), and makes
        new ones only under records of its scope."""
        if pk is not None:
            return (spec.label, uid) in self._allowed
        for field in fields_of(spec):
            target = values.get(field.name)
            if (
                field.is_relation
                and target is not None
                and label_of(field.related_model) in BY_LABEL
            ) and (label_of(field.related_model), target) not in self._allowed:
                return False
        self._allowed.add((spec.label, uid))
        return True

    def _skip(self, spec: Exchanged, uid: str, values: Values | None, rule: str) -> None:
        self._conflict(spec, uid, "", None, values, None, rule)
        if not self.at_centre:
            self.not_held.add((spec.label, uid))

    def _put(self, spec: Exchanged, incoming: dict[str, Values], base: Rows, current: Rows) -> None:
        label, model = spec.label, spec.model
        incoming = dict(incoming)
        local = self._resolve(spec, incoming)
        known = [pk for pk in local.values() if pk is not None]
        existing: set[int] = set()
        if known and not self.fresh:
            for start in range(0, len(known), 500):
                existing.update(
                    model._default_manager.filter(pk__in=known[start : start + 500]).values_list(
                        "pk", flat=True
                    )
                )
        outside = [
            pk for uid, pk in local.items() if pk in existing and (label, uid) not in current
        ]
        extra: Rows = {}
        if outside:
            extra = Serializer(self.ids, self.references).rows(
                spec, model._default_manager.filter(pk__in=outside)
            )
        creates: list[tuple[str, models.Model, Values]] = []
        updates: list[tuple[str, int, Values, set[str]]] = []
        for uid, values in incoming.items():
            key, pk = (label, uid), local[uid]
            if pk is not None and pk in existing:
                here = current.get(key) or extra.get(key) or {}
                merged = self.merge(spec, uid, values, here, base.get(key))
                changed = {n for n in merged if merged[n] != here.get(n)}
                if changed:
                    updates.append((uid, pk, merged, changed))
                continue
            if self.at_centre and pk is not None:
                self._conflict(spec, uid, "", None, values, None, DELETED_AT_CENTRE)
                continue
            if self.at_centre and not spec.establishment_creates:
                self._conflict(spec, uid, "", None, values, None, CENTRE_CREATES)
                continue
            instance = self._instance(spec, uid, values)
            if instance is None:
                continue
            if not self.fresh:
                same = self._same_record(spec, instance)
                if same is not None:
                    if not self.at_centre:
                        self._skip(spec, uid, values, DUPLICATE_HERE)
                        continue
                    self.ids.remember(label, uid, same)
                    found = Serializer(self.ids, self.references).rows(
                        spec, model._default_manager.filter(pk=same)
                    )
                    here_values: Values = next(iter(found.values()), {})
                    merged = self.merge(spec, uid, values, here_values, None)
                    self._conflict(spec, uid, "", None, None, None, DUPLICATE)
                    changed = {n for n in merged if merged[n] != here_values.get(n)}
                    if changed:
                        updates.append((uid, same, merged, changed))
                    continue
            instance.pk = self.ids.wanted_pk(uid)
            creates.append((uid, instance, values))
        if creates:
            self._create(spec, creates)
        if updates:
            self._update(spec, updates)

    def _auto_added(self, spec: Exchanged) -> list[str]:
        return [
            f.attname
            for f in fields_of(spec)
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        ]

    def _create(self, spec: Exchanged, creates: list[tuple[str, models.Model, Values]]) -> None:
        model = spec.model
        objects = [obj for _, obj, _ in creates]
        model._default_manager.bulk_create(objects, batch_size=1000)
        if self._auto_added(spec):
            # bulk_create dates them now: they keep the dates they had over there.
            for _, obj, values in creates:
                for f in fields_of(spec):
                    if f.attname in self._auto_added(spec):
                        setattr(obj, f.attname, python(f, values.get(f.name)))
            model._default_manager.bulk_update(objects, self._auto_added(spec), batch_size=1000)
        for uid, obj, _ in creates:
            self.ids.remember(spec.label, uid, obj.pk)
        self._many(spec, [(obj, values) for _, obj, values in creates], fresh=True)
        self.created += len(creates)
        self._journal(spec, [(uid, obj, set(values)) for uid, obj, values in creates], "created")

    def _update(self, spec: Exchanged, updates: list[tuple[str, int, Values, set[str]]]) -> None:
        model = spec.model
        objects: list[models.Model] = []
        kept: list[tuple[str, models.Model, Values, set[str]]] = []
        for uid, pk, merged, changed in updates:
            instance = self._instance(spec, uid, merged)
            if instance is None:
                continue
            instance.pk = pk
            objects.append(instance)
            kept.append((uid, instance, merged, changed))
        names = {n for *_, changed in kept for n in changed}
        concrete = [f.attname for f in fields_of(spec) if f.name in names]
        versioned = "version" in spec.local and any(f.name == "version" for f in model._meta.fields)
        if versioned:
            versions = dict(
                model._default_manager.filter(pk__in=[o.pk for o in objects]).values_list(
                    "pk", "version"
                )
            )
            for obj in objects:
                obj.version = versions.get(obj.pk, 0) + 1  # type: ignore[attr-defined]
            concrete.append("version")
        if concrete:
            model._default_manager.bulk_update(objects, concrete, batch_size=1000)
        self._many(
            spec,
            [
                (obj, {n: v for n, v in merged.items() if n in changed})
                for _, obj, merged, changed in kept
            ],
            fresh=False,
        )
        self.updated += len(kept)
        self._journal(spec, [(uid, obj, changed) for uid, obj, _, changed in kept], "updated")

    def _journal(
        self, spec: Exchanged, items: list[tuple[str, models.Model, set[str]]], op: str
    ) -> None:
        if not items:
            return
        journal.record_many(
            journal.Kind.RECORD_SYNCED,
            [obj for _, obj, _ in items],
            actor=self.by,
            payloads=[
                {
                    "op": op,
                    "uid": uid,
                    "fields": sorted(fields),
                    "site": self.site,
                    "bundle": self.seq,
                }
                for uid, _, fields in items
            ],
        )
        if self.at_centre and spec.at_centre is not None and op != "deleted":
            spec.at_centre([obj for _, obj, _ in items], {obj.pk: f for _, obj, f in items})

    def _delete(self, spec: Exchanged, uids: list[str], base: Rows, current: Rows) -> None:
        label = spec.label
        if self.at_centre and not spec.establishment_deletes:
            for uid in uids:
                self._conflict(
                    spec,
                    uid,
                    "",
                    current.get((label, uid)),
                    None,
                    current.get((label, uid)),
                    CENTRE_DELETES,
                )
            return
        targets: dict[int, str] = {}
        for uid in uids:
            try:
                pk = self.ids.local(label, uid)
            except ValueError:
                continue
            if self.at_centre and (label, uid) not in self._allowed:
                self._conflict(spec, uid, "", None, None, None, OUT_OF_SCOPE)
                continue
            if pk is not None:
                targets[pk] = uid
        self._delete_pks(spec, targets, base, current)

    def _delete_pks(
        self, spec: Exchanged, targets: dict[int, str], base: Rows, current: Rows
    ) -> None:
        model, label = spec.model, spec.label
        found = list(model._default_manager.filter(pk__in=list(targets)))
        if not found:
            return
        # What refers to them on this side goes first (records made here since, for instance).
        for child in reversed(TABLE):
            for field in fields_of(child):
                if field.is_relation and field.related_model is model:
                    dependants = {
                        pk: self.ids.uid(child.label, pk)
                        for pk in child.model._default_manager.filter(
                            **{f"{field.attname}__in": [o.pk for o in found]}
                        ).values_list("pk", flat=True)
                    }
                    if dependants:
                        self._delete_pks(child, dependants, base, current)
        if not self.at_centre:
            for obj in found:
                key = (label, targets.get(obj.pk, self.ids.uid(label, obj.pk)))
                here = current.get(key)
                if here is not None and base.get(key) != here:
                    self._conflict(spec, key[1], "", here, None, None, DELETED_CHANGED_HERE)
        self._journal(spec, [(self.ids.uid(label, o.pk), o, set()) for o in found], "deleted")
        model._default_manager.filter(pk__in=[o.pk for o in found]).delete()
        self.deleted += len(found)
