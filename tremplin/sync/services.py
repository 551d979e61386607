"""The establishment copy's services (docs/sync.md): create a copy, install it, write and apply
bundles, revoke a copy's key, mark a conflict as reviewed. The only writers of the copy's
bookkeeping, and the writer of the records that a bundle brings (each change journalled with
the origin « sync », hence audited on both sides)."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.core import journal
from tremplin.core.permissions import Actor
from tremplin.places.models import Establishment

from . import accounts, bundle, crypto
from .apply import Applier
from .crypto import Refused
from .exchange import BY_LABEL, TABLE
from .models import CENTRE, COPY_IDS_FROM, Conflict, Node, Peer, Sent, Shared
from .records import Ids, Rows, Serializer, fields_of
from .selectors import node

Kind = journal.Kind


class SyncRefused(ValidationError):
    """A file refused whole: nothing changed (the message says why, in French)."""


@dataclass
class Summary:
    """What an import or an export did (`tremplin sync … --format json`)."""

    site: str
    seq: int
    ack: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: int = 0
    records: int = 0
    bytes: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "bundle": self.seq,
            "acknowledges": self.ack,
            "records": self.records,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "conflicts": self.conflicts,
            "bytes": self.bytes,
            **self.details,
        }


# --- this installation ------------------------------------------------------------------


def _keys(of: Node) -> crypto.KeyPair:
    return crypto.KeyPair(sign=of.sign_key, box=of.box_key)


def _public(of: Peer) -> crypto.PublicKeys:
    return crypto.PublicKeys(sign=of.sign_public, box=of.box_public)


def _centre_node() -> Node:
    keys = crypto.KeyPair.generate()
    made = Node.objects.create(
        role=Node.Role.CENTRE, code=CENTRE, sign_key=keys.sign, box_key=keys.box
    )
    with journal.origin(journal.Origin.SYNC):
        journal.record(Kind.SYNC_NODE_CREATED, made, payload={"site": CENTRE})
    return made


def centre_node() -> Node:
    """The centre's identity and keys (made on first need)."""
    current = node()
    if current is not None:
        if current.role != Node.Role.CENTRE:
            raise SyncRefused(
                "Cette installation est une copie d'établissement : cette action se fait au centre."
            )
        return current
    with transaction.atomic():
        return _centre_node()


def _the_copy() -> Node:
    current = node()
    if current is None or current.role != Node.Role.COPY:
        raise SyncRefused("Cette installation n'est pas une copie d'établissement.")
    return current


def _site_code(establishment: Establishment) -> str:
    from django.utils.text import slugify

    base = slugify(establishment.label)[:30] or f"etab-{establishment.pk}"
    taken = set(Peer.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


# --- creating and installing a copy ---------------------------------------------------------


def site_file_name(peer: Peer) -> str:
    """Where the centre keeps a copy's site file until the copy's first bundle (or revocation):
    encrypted with its installation code, which is not kept."""
    return f"sync/sites/{peer.code}.tremplin-site"


def _forget_site_file(peer: Peer) -> None:
    name = site_file_name(peer)
    transaction.on_commit(lambda: default_storage.delete(name))


@dataclass(frozen=True)
class CreatedSite:
    peer: Peer
    data: bytes
    code: str
    records: int


@transaction.atomic
def create_site(establishment: Establishment, *, by: Actor = None) -> CreatedSite:
    """A copy for `establishment`: its file (its scope, the accounts of the people who work
    there, its keys, the centre's public keys), encrypted with an installation code printed once;
    the centre starts its bookkeeping from the same records."""
    centre = centre_node()
    live = Peer.objects.filter(establishment=establishment, revoked_at__isnull=True).first()
    if live is not None:
        raise SyncRefused(
            f"{establishment.label} a déjà une copie en service ({live.code}, clé "
            f"{live.fingerprint}) : révoquez-la avant d'en créer une autre."
        )
    copy_keys = crypto.KeyPair.generate()
    public = copy_keys.public
    peer = Peer.objects.create(
        code=_site_code(establishment),
        establishment=establishment,
        sign_public=public.sign,
        box_public=public.box,
        fingerprint=public.fingerprint,
        created_by=acting_user(by),
    )
    with journal.origin(journal.Origin.SYNC):
        journal.record(Kind.SYNC_SITE_CREATED, peer, actor=by, payload={"site": peer.code})
    rows = scope_rows(peer)
    _share(peer, rows)
    centre_public = _keys(centre).public
    payload = {
        "site": {
            "code": peer.code,
            "establishment": establishment.label,
            "keys": {"sign": copy_keys.sign, "box": copy_keys.box},
        },
        "centre": {"sign": centre_public.sign, "box": centre_public.box},
        "rows": _rows_list(rows),
        **_accounts(establishment, rows),
    }
    code = crypto.installation_code()
    header = _header(bundle.SITE, CENTRE, peer.code, peer.code, 0, 0)
    envelope = bundle.seal_site(header, payload, code, _keys(centre))
    return CreatedSite(peer=peer, data=envelope.to_bytes(), code=code, records=len(rows))


def _accounts(establishment: Establishment, rows: Rows) -> dict[str, Any]:
    """The accounts of the people who work there, and the names of the others the rows name."""
    working = list(accounts.working_in(establishment))
    return {
        "users": accounts.dump(working),
        "named": accounts.named(_usernames(rows), but=[u.username for u in working]),
    }


def _usernames(rows: Rows) -> set[str]:
    names: set[str] = set()
    fields: dict[str, list[str]] = {}
    for (label, _), values in rows.items():
        if label not in fields:
            fields[label] = [
                f.name
                for f in fields_of(BY_LABEL[label])
                if f.is_relation
                and f.related_model is not None
                and f.related_model._meta.label_lower == "accounts.user"
            ]
        names.update(v for name in fields[label] if isinstance(v := values.get(name), str))
    return names


def _header(kind: str, sender: str, to: str, site: str, seq: int, ack: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "from": sender,
        "to": to,
        "site": site,
        "seq": seq,
        "ack": ack,
        "created_at": timezone.now().isoformat(timespec="seconds"),
    }


def _rows_list(rows: Rows) -> list[list[Any]]:
    return [[label, uid, values] for (label, uid), values in rows.items()]


def _rows_dict(items: Any) -> Rows:
    if not isinstance(items, list):
        raise Refused("le contenu du fichier est illisible")
    rows: Rows = {}
    for item in items:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], dict)):
            raise Refused("le contenu du fichier est illisible")
        rows[(str(item[0]), str(item[1]))] = item[2]
    return rows


def scope_rows(peer: Peer) -> Rows:
    """The records of `peer`'s scope as they travel, as this side holds them."""
    current = node()
    copy = current is not None and current.role == Node.Role.COPY
    serializer = Serializer(Ids(copy=copy, site=peer.code if not copy else _copy_code(), peer=peer))
    rows: Rows = {}
    for spec in TABLE:
        queryset = spec.model._default_manager.all() if copy else spec.scope(peer.establishment)
        rows.update(serializer.rows(spec, queryset))
    return rows


def _copy_code() -> str:
    return _the_copy().code


def _unshare(peer: Peer, keys: list[tuple[str, str]]) -> None:
    by_model: dict[str, list[str]] = defaultdict(list)
    for label, uid in keys:
        by_model[label].append(uid)
    for label, uids in by_model.items():
        for start in range(0, len(uids), 500):
            Shared.objects.filter(
                peer=peer, model=label, uid__in=uids[start : start + 500]
            ).delete()


def _share(peer: Peer, rows: Rows) -> None:
    Shared.objects.bulk_create(
        (
            Shared(peer=peer, model=label, uid=uid, values=values)
            for (label, uid), values in rows.items()
        ),
        batch_size=2000,
    )


@transaction.atomic
def install_site(data: bytes, code: str) -> Summary:
    """Install a copy from its site file, on an empty installation (migrated, reference data
    loaded, no record of its own)."""
    if connection.vendor != "sqlite":
        raise SyncRefused("Une copie d'établissement s'installe sur la base embarquée (SQLite).")
    if node() is not None:
        raise SyncRefused(
            "Cette installation est déjà un centre ou une copie : installez la copie "
            "dans un TREMPLIN_HOME vide."
        )
    from tremplin.learners.models import Learner

    if Learner.objects.exists():
        raise SyncRefused(
            "Cette installation contient déjà des apprenants : installez la copie "
            "dans un TREMPLIN_HOME vide."
        )
    try:
        payload = bundle.open_site(bundle.Envelope.parse(data), code)
        site, centre = payload["site"], payload["centre"]
        establishment = Establishment.objects.filter(label=site["establishment"]).first()
        if establishment is None:
            raise Refused(
                f"l'établissement {site['establishment']} est absent des données de "
                "référence (tremplin refdata load)"
            )
        rows = _rows_dict(payload.get("rows"))
        users = payload.get("users", [])
    except (KeyError, TypeError) as exc:
        raise SyncRefused("Fichier d'installation refusé : il est incomplet.") from exc
    except Refused as exc:
        raise SyncRefused(f"Fichier d'installation refusé : {exc}.") from exc
    here = Node.objects.create(
        role=Node.Role.COPY,
        code=site["code"],
        establishment=establishment,
        sign_key=site["keys"]["sign"],
        box_key=site["keys"]["box"],
    )
    centre_keys = crypto.PublicKeys(sign=centre["sign"], box=centre["box"])
    peer = Peer.objects.create(
        code=CENTRE,
        establishment=establishment,
        sign_public=centre_keys.sign,
        box_public=centre_keys.box,
        fingerprint=centre_keys.fingerprint,
    )
    with journal.origin(journal.Origin.SYNC):
        journal.record(Kind.SYNC_NODE_CREATED, here, payload={"site": here.code})
    accounts.load(users)
    accounts.load_named(payload.get("named", []))
    with journal.origin(journal.Origin.SYNC):
        applier = Applier(
            peer=peer, seq=0, at_centre=False, ids=Ids(copy=True, site=here.code), site=here.code
        )
        applier.apply(rows, [], base={}, current={})
    accounts.load_scopes(users)
    _share(peer, rows)
    _copy_sequences()
    return Summary(
        site=here.code,
        seq=0,
        ack=0,
        created=applier.created,
        records=len(rows),
        bytes=len(data),
        details={"accounts": len(users)},
    )


def _copy_sequences() -> None:
    """The ids of the records created on this copy start at COPY_IDS_FROM (SQLite's
    AUTOINCREMENT sequences)."""
    with connection.cursor() as cursor:
        for spec in TABLE:
            table = spec.model._meta.db_table
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, COPY_IDS_FROM - 1],
            )
            for many in spec.model._meta.many_to_many:
                through = many.remote_field.through._meta.db_table  # type: ignore[union-attr]
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [through])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [through, COPY_IDS_FROM - 1],
                )


# --- bundles ----------------------------------------------------------------------------


def _peer_of_site(site: str) -> Peer:
    """A copy named by its code (cd-melun) or by its establishment's label (CD MELUN: its copy
    in service)."""
    peer = (
        Peer.objects.select_related("establishment").filter(code=site).first()
        or Peer.objects.select_related("establishment")
        .filter(establishment__label__iexact=site.strip(), revoked_at__isnull=True)
        .exclude(code=CENTRE)
        .first()
    )
    if peer is None:
        raise SyncRefused(f"Aucune copie d'établissement « {site} ».")
    return peer


@transaction.atomic
def export_bundle(
    site: str = "", *, by: Actor = None, number: int | None = None
) -> tuple[bytes, Summary]:
    """The next bundle for `site` (at the centre) or for the centre (on a copy): the changes
    since the values the other side is known to hold. With `number`: that bundle written again
    (its file was lost; the other side asks for it), with every change not yet acknowledged, and
    the later ones forgotten."""
    current = node()
    if current is None:
        raise SyncRefused(
            "Cette installation n'a pas de copie d'établissement : créez-en une "
            "(tremplin site create)."
        )
    copy = current.role == Node.Role.COPY
    if copy:
        peer = Peer.objects.select_for_update().select_related("establishment").get(code=CENTRE)
    else:
        if not site:
            raise SyncRefused("Indiquez la copie destinataire (--site).")
        peer = _peer_of_site(site)
        peer = Peer.objects.select_for_update().select_related("establishment").get(pk=peer.pk)
        if peer.revoked_at is not None:
            raise SyncRefused(f"La copie {peer.code} est révoquée : aucun envoi ne lui est fait.")
    if number is not None:
        if not peer.acked_seq < number <= peer.sent_seq:
            raise SyncRefused(
                f"L'envoi n° {number} ne peut pas être refait : l'autre côté a accusé réception "
                f"jusqu'au n° {peer.acked_seq}, le dernier envoi est le n° {peer.sent_seq}."
            )
        Sent.objects.filter(peer=peer, seq__gte=number).delete()
        peer.sent_seq = number - 1
    rows = scope_rows(peer)
    base = {(s.model, s.uid): s.values for s in Shared.objects.filter(peer=peer)}
    changed = {key: values for key, values in rows.items() if base.get(key) != values}
    gone = [key for key in base if key not in rows]
    peer.sent_seq += 1
    peer.last_sent_at = timezone.now()
    peer.save(update_fields=["sent_seq", "last_sent_at"])
    sent: dict[str, Any] = {f"{label}\t{uid}": values for (label, uid), values in changed.items()}
    sent.update({f"{label}\t{uid}": None for label, uid in gone})
    Sent.objects.create(peer=peer, seq=peer.sent_seq, rows=gzip.compress(json.dumps(sent).encode()))
    payload: dict[str, Any] = {"rows": _rows_list(changed), "deleted": [list(k) for k in gone]}
    if not copy:
        payload.update(_accounts(peer.establishment, changed))
    sender, to = (current.code, CENTRE) if copy else (CENTRE, peer.code)
    header = _header(
        bundle.BUNDLE,
        sender,
        to,
        current.code if copy else peer.code,
        peer.sent_seq,
        peer.received_seq,
    )
    data = bundle.seal_to(header, payload, _keys(current), _public(peer)).to_bytes()
    with journal.origin(journal.Origin.SYNC):
        journal.record(
            Kind.SYNC_BUNDLE_EXPORTED,
            peer,
            actor=by,
            payload={
                "site": header["site"],
                "bundle": peer.sent_seq,
                "records": len(changed),
                "deleted": len(gone),
            },
        )
    return data, Summary(
        site=header["site"],
        seq=peer.sent_seq,
        ack=peer.received_seq,
        records=len(changed),
        deleted=len(gone),
        bytes=len(data),
    )


def import_bundle(data: bytes, *, by: Actor = None) -> Summary:
    """Apply a bundle all or nothing: refused whole (SyncRefused, nothing changed) when it does
    not verify, is not for this installation, comes from a revoked key, or is not the next one."""
    try:
        envelope = bundle.Envelope.parse(data)
    except Refused as exc:
        raise SyncRefused(f"Fichier refusé : {exc}.") from exc
    with transaction.atomic():
        return _import(envelope, len(data), by=by)


def _import(envelope: bundle.Envelope, size: int, *, by: Actor) -> Summary:
    header = envelope.header
    current = node()
    if current is None:
        raise SyncRefused("Fichier refusé : cette installation n'a pas de copie d'établissement.")
    if header.get("kind") != bundle.BUNDLE:
        raise SyncRefused(
            "Fichier refusé : c'est un fichier d'installation, pas un envoi "
            "(tremplin site install)."
        )
    copy = current.role == Node.Role.COPY
    sender, to = str(header.get("from", "")), str(header.get("to", ""))
    if copy:
        if to != current.code:
            raise SyncRefused(
                f"Fichier refusé : il est destiné à « {to} », cette copie est « {current.code} »."
            )
        if sender != CENTRE:
            raise SyncRefused("Fichier refusé : il ne vient pas du centre.")
        peer = Peer.objects.select_for_update().select_related("establishment").get(code=CENTRE)
    else:
        if to != CENTRE:
            raise SyncRefused(
                f"Fichier refusé : il est destiné à la copie « {to} », pas au centre."
            )
        found = Peer.objects.filter(code=sender).first()
        if found is None:
            raise SyncRefused(f"Fichier refusé : la copie « {sender} » est inconnue ici.")
        peer = Peer.objects.select_for_update().select_related("establishment").get(pk=found.pk)
        if peer.revoked_at is not None:
            when = timezone.localtime(peer.revoked_at).strftime("%d/%m/%Y à %H:%M")
            raise SyncRefused(
                f"Fichier refusé : la clé de la copie « {peer.code} » a été révoquée le {when}."
            )
    expected_site = current.code if copy else peer.code
    if header.get("site") != expected_site:
        raise SyncRefused(
            f"Fichier refusé : il concerne la copie « {header.get('site', '?')} », pas "
            f"« {expected_site} »."
        )
    if header.get("signer") != peer.fingerprint:
        raise SyncRefused(
            "Fichier refusé : il est signé par une clé inconnue ou révoquée "
            f"(empreinte {header.get('signer', '?')})."
        )
    try:
        payload = bundle.open_from(envelope, _public(peer), _keys(current))
        rows = _rows_dict(payload.get("rows", []))
        deleted = [(str(a), str(b)) for a, b in payload.get("deleted", [])]
    except Refused as exc:
        raise SyncRefused(f"Fichier refusé : {exc}.") from exc
    except (TypeError, ValueError) as exc:
        raise SyncRefused("Fichier refusé : son contenu est illisible.") from exc
    seq, ack = header.get("seq"), header.get("ack")
    if not isinstance(seq, int) or not isinstance(ack, int):
        raise SyncRefused("Fichier refusé : numéros d'envoi illisibles.")
    if seq <= peer.received_seq:
        raise SyncRefused(
            f"Fichier refusé : l'envoi n° {seq} a déjà été importé (dernier importé : "
            f"n° {peer.received_seq}) ; rien n'a changé."
        )
    if seq > peer.received_seq + 1:
        raise SyncRefused(
            f"Fichier refusé : envoi n° {peer.received_seq + 1} attendu, celui-ci est le n° {seq}."
        )
    if ack > peer.sent_seq:
        raise SyncRefused(
            f"Fichier refusé : il accuse réception de l'envoi n° {ack}, qui n'a "
            "jamais été fait d'ici."
        )
    _acknowledged(peer, ack)
    base = {(s.model, s.uid): s.values for s in Shared.objects.filter(peer=peer)}
    site = current.code if copy else peer.code
    ids = Ids(copy=copy, site=site, peer=peer)
    with journal.origin(journal.Origin.SYNC):
        if copy and isinstance(payload.get("users"), list):
            accounts.load(payload["users"])
            accounts.load_named(payload.get("named", []))
        applier = Applier(peer=peer, seq=seq, at_centre=not copy, ids=ids, by=by, site=site)
        try:
            applier.apply(rows, deleted, base=base, current=scope_rows(peer))
        except (ValueError, KeyError, TypeError, LookupError) as exc:
            raise SyncRefused(
                "Fichier refusé : son contenu ne correspond pas à cette version de Tremplin "
                f"({exc}) ; rien n'a changé."
            ) from exc
        if copy and isinstance(payload.get("users"), list):
            accounts.load_scopes(payload["users"])
    # Both sides now hold what came (the merged values, where they differ, go back next time).
    _unshare(peer, [*rows, *deleted])
    _share(peer, {k: v for k, v in rows.items() if k not in applier.not_held})
    if not copy and peer.received_seq == 0:
        _forget_site_file(peer)  # installed: the copy sent its first bundle
    peer.received_seq = seq
    peer.last_received_at = timezone.now()
    peer.save(update_fields=["received_seq", "acked_seq", "last_received_at"])
    with journal.origin(journal.Origin.SYNC):
        journal.record(
            Kind.SYNC_BUNDLE_IMPORTED,
            peer,
            actor=by,
            payload={
                "site": site,
                "bundle": seq,
                "created": applier.created,
                "updated": applier.updated,
                "deleted": applier.deleted,
                "conflicts": applier.conflicts,
            },
        )
    return Summary(
        site=site,
        seq=seq,
        ack=ack,
        created=applier.created,
        updated=applier.updated,
        deleted=applier.deleted,
        conflicts=applier.conflicts,
        records=len(rows) + len(deleted),
        bytes=size,
        details={"received_seq": peer.received_seq, "sent_seq": peer.sent_seq},
    )


def _acknowledged(peer: Peer, ack: int) -> None:
    """The other side applied our bundles up to n° `ack`: it holds what they carried."""
    if ack <= peer.acked_seq:
        return
    for sent in Sent.objects.filter(peer=peer, seq__gt=peer.acked_seq, seq__lte=ack).order_by(
        "seq"
    ):
        carried: dict[str, Any] = json.loads(gzip.decompress(bytes(sent.rows)))
        rows: Rows = {}
        keys: list[tuple[str, str]] = []
        for text, values in carried.items():
            label, _, uid = text.partition("\t")
            keys.append((label, uid))
            if values is not None:
                rows[(label, uid)] = values
        _unshare(peer, keys)
        _share(peer, rows)
    Sent.objects.filter(peer=peer, seq__lte=ack).delete()
    peer.acked_seq = ack


# --- the copies' keys and the conflicts --------------------------------------------------


@transaction.atomic
def revoke_site(site: str, *, by: Actor = None) -> Peer:
    """The key of a lost copy: every later bundle signed by it is refused; a new copy of the
    establishment can be created."""
    centre_node()  # refused on a copy: a copy's key is revoked at the centre
    peer = _peer_of_site(site)
    if peer.revoked_at is not None:
        raise SyncRefused(f"La copie {peer.code} est déjà révoquée.")
    peer.revoked_at = timezone.now()
    peer.revoked_by = acting_user(by)
    peer.save(update_fields=["revoked_at", "revoked_by"])
    _forget_site_file(peer)
    with journal.origin(journal.Origin.SYNC):
        journal.record(Kind.SYNC_SITE_REVOKED, peer, actor=by, payload={"site": peer.code})
    return peer


@transaction.atomic
def review_conflicts(ids: list[int], *, by: Actor) -> int:
    """Mark conflicts as reviewed by a coordinator."""
    conflicts = list(Conflict.objects.filter(pk__in=ids, reviewed_at__isnull=True))
    now = timezone.now()
    for conflict in conflicts:
        conflict.reviewed_at, conflict.reviewed_by = now, acting_user(by)
    Conflict.objects.bulk_update(conflicts, ["reviewed_at", "reviewed_by"])
    with journal.origin(journal.Origin.SYNC):
        journal.record_many(Kind.SYNC_CONFLICT_REVIEWED, conflicts, actor=by)
    return len(conflicts)
