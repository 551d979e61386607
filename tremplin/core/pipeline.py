"""One mechanism for the status pipelines (applications, referrals, certifications): the moves
declared as data, and `advance()`, which makes one move the same way for all of them: lock the
row, check the scope (outside it, the refusal says so first), the role (from the move's
declaration) and the optimistic version (for the models that carry one), run the django-fsm transition, record the step in the
pipeline's history, send one signal.

An illegal move raises a ValidationError (or PermissionDenied) with a French message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.dispatch import Signal
from django_fsm import TransitionNotAllowed

from tremplin.core.scope import scope_of

from .permissions import Actor, signed_in

M = TypeVar("M", bound=models.Model)

#: Sent after every move: sender the model, `instance`, `from_status`, `to_status`, `by`.
status_changed = Signal()


@dataclass(frozen=True)
class Move:
    """One move of a pipeline: the transition's method name, what the button says, the status
    it leads to, the roles that may make it (and the national coordination), whether it needs
    a reason."""

    name: str
    label: str
    target: str
    roles: frozenset[str]
    needs_reason: bool = False
    #: The refusal for another role, when the generic one would not say who may.
    refusal: str = ""

    def allows(self, user: Any) -> bool:
        scope = scope_of(user)
        return scope.everything or scope.role in self.roles


@dataclass(frozen=True)
class Pipeline(Generic[M]):
    model: type[M]
    moves: Mapping[str, Move]
    #: "Cette orientation" / "Cette candidature": the start of the refusals.
    this: str
    #: Records the step: (record, from_status, by, note).
    history: Callable[[M, str, Any, str], None]
    #: The refusal of a move the record's status does not allow, when the generic
    #: « Impossible de passer de … à … » would not say why: (record, move) → message.
    illegal: Callable[[M, Move], str] | None = None

    def label_of(self, status: str) -> str:
        choices = getattr(self.model._meta.get_field("status"), "choices", None) or ()
        return str(dict(choices).get(status, status))

    def available(self, record: M, user: Any) -> list[Move]:
        """The moves `user` may make now, in the declared order."""
        possible = {t.name for t in record.get_available_status_transitions()}  # type: ignore[attr-defined]
        return [m for name, m in self.moves.items() if name in possible and m.allows(user)]


def history(
    step: type[models.Model], link: str, *, dated: Callable[[Any], Any] | None = None
) -> Callable[[Any, str, Any, str], None]:
    """The one shape of a pipeline's history: a row of `step` pointing to the record through
    `link`, with from/to status, who (when signed in), the note, and a date when `dated`."""

    def record(instance: Any, from_status: str, by: Actor, note: str) -> None:
        step._default_manager.create(
            **{link: instance},
            from_status=from_status,
            to_status=instance.status,
            by=signed_in(by),
            note=note,
            **({"at": dated(instance)} if dated is not None else {}),
        )

    return record


def advance(
    pipeline: Pipeline[M],
    record: M,
    name: str,
    *,
    by: Actor,
    version: int | None = None,
    note: str = "",
    prepare: Callable[[M], list[str]] | None = None,
    consequence: bool = False,
) -> tuple[M, str]:
    """Make the move `name` on `record` as `by`. Without role or scope check when `by` is None
    (the command line, an administrator's) or when the move is the `consequence` of an event
    already checked (a release withdraws the applications). `prepare(locked)` checks and sets
    what the move itself needs and returns the extra fields it changed. Returns the fresh
    record and its former status."""
    checked = by is not None and not consequence
    move = pipeline.moves.get(name)
    if move is None:
        raise ValidationError(f"Étape inconnue : {name}.")
    manager = pipeline.model._default_manager
    current = manager.select_for_update().filter(pk=record.pk).first()
    permissions = getattr(pipeline.model, "permissions", None)
    if current is None or (
        checked and permissions is not None and not permissions.can_read(by, current)
    ):
        raise PermissionDenied(f"{pipeline.this} n'est pas dans votre périmètre.")
    if checked and not move.allows(by):
        raise PermissionDenied(
            move.refusal
            or f"Votre rôle ne permet pas de : {move.label[0].lower()}{move.label[1:]}."
        )
    versioned = any(f.name == "version" for f in pipeline.model._meta.concrete_fields)
    if versioned and version is not None and current.version != version:  # type: ignore[attr-defined]
        raise ValidationError(
            f"{pipeline.this} a été modifiée entre-temps par quelqu'un d'autre : "
            "rechargez la page avant de recommencer."
        )
    fields = prepare(current) if prepare is not None else []
    from_status: str = current.status  # type: ignore[attr-defined]
    try:
        getattr(current, name)()
    except TransitionNotAllowed as exc:
        raise ValidationError(
            pipeline.illegal(current, move)
            if pipeline.illegal is not None
            else f"Impossible de passer de « {pipeline.label_of(from_status)} » à "
            f"« {pipeline.label_of(move.target)} »."
        ) from exc
    if versioned:
        current.version += 1  # type: ignore[attr-defined]  # the row is locked: no lost update
    current.save(update_fields=sorted({"status", *(["version"] if versioned else []), *fields}))
    pipeline.history(current, from_status, by, note)
    status_changed.send(
        sender=pipeline.model,
        instance=current,
        from_status=from_status,
        to_status=current.status,  # type: ignore[attr-defined]
        by=by,
    )
    return current, from_status


__all__ = ["Move", "Pipeline", "advance", "history", "status_changed"]
