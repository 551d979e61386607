"""Reports read from a replica when one is configured (`DATABASE_REPLICA_URL`, docs/scaling.md).

The reports (the bilan and its dashboard, the orientation statistics) only read, and they read a
lot: they run inside `reporting_reads()` (a context manager, or `@reports` on a function), and
`ReplicaRouter` sends the reads made there to the `replica` alias. Everything else, and every
write wherever it happens, goes to `default`. Without a `replica` alias the router has no
opinion and Django uses `default` as usual.

A replica lags its primary by its replication delay (usually well under a second with
streaming replication): the reports may miss the last second of writes, which figures over an
academic year do not notice. Pages that must read their own writes never run inside
`reporting_reads()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("tremplin_reporting_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reporting_reads() -> Iterator[None]:
    """The reads made inside go to the replica, when there is one."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reports(function: Callable[P, R]) -> Callable[P, R]:
    """Decorator: the function's reads go to the replica, when there is one."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reporting_reads():
            return function(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    """The alias that a read made here goes to (for raw SQL: `connections[read_alias()]`)."""
    return REPLICA if _reporting.get() and replica_configured() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads inside `reporting_reads()` to the replica; everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Both aliases hold the same rows: objects read from either may be related.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica receives the schema by replication, never by `migrate`.
        return db != REPLICA
