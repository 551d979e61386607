"""Where the apps declare what others gather without importing them: their CSV importers
(``<app>/importers.py``), the parts they add to a learner's record page (``<app>/record.py``),
the services they provide to apps below them (``provide``/``provided``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.module_loading import autodiscover_modules

from tremplin.core.csvimport import Importer

_IMPORTERS: dict[str, type[Importer[Any]]] = {}


def register(cls: type[Importer[Any]]) -> type[Importer[Any]]:
    _IMPORTERS[cls.kind] = cls
    return cls


@cache
def _discover(module: str) -> None:
    """Import `module` of every installed app, once per process (each page asked it again:
    about 1.5 ms of failed imports for the apps without one)."""
    autodiscover_modules(module)


def importers() -> dict[str, type[Importer[Any]]]:
    _discover("importers")
    return dict(sorted(_IMPORTERS.items()))


#: A part of a learner's record page: (learner, user) → the template context it adds.
RecordPart = Callable[[Any, Any], dict[str, Any]]
_RECORD_PARTS: dict[str, RecordPart] = {}


def record_part(name: str) -> Callable[[RecordPart], RecordPart]:
    """Declare `fn(learner, user)` as the `name` part of a learner's record page."""

    def declare(fn: RecordPart) -> RecordPart:
        _RECORD_PARTS[name] = fn
        return fn

    return declare


def record_parts() -> list[RecordPart]:
    """Every app's part of the record page, in a stable order (by name)."""
    _discover("record")
    return [part for _, part in sorted(_RECORD_PARTS.items())]


_PROVIDED: dict[str, Callable[..., Any]] = {}


def provide(name: str, fn: Callable[..., Any]) -> None:
    """An app above offers `fn` under `name` to the apps below it (called in its `ready`)."""
    _PROVIDED[name] = fn


def provided(name: str) -> Callable[..., Any] | None:
    """What an app above provides under `name`, or None when it is not installed."""
    return _PROVIDED.get(name)


def on_copy() -> bool:
    """Whether this installation is an establishment copy (docs/sync.md): what only the centre
    decides (the certifications' rules engine, for one) does not run there."""
    copy_of = provided("sync.copy_of")
    return copy_of is not None and copy_of() is not None
