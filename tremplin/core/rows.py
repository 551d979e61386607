"""Rows written through the database's own bulk path, for the bulk variants of the services
(imports, the audit entries of a bulk change): no model instance goes through Django's
bulk_create, whose per-value handling costs more than the insert itself at national scale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)

#: Fields whose Python value is already the database's (no conversion to call per value).
PLAIN = frozenset(
    {
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "ForeignKey",
    }
)


def _converter(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    """How to read `field`'s database value from an object: its attribute as it is for the plain
    kinds, else Django's own conversion (dates, decimals, JSON, UUIDs, addresses)."""
    attname = field.attname
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if field.get_internal_type() in PLAIN and not automatic:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def fast_insert(model: type[M], objects: Sequence[M]) -> None:
    """Insert many rows through the database's own bulk path (COPY on PostgreSQL, executemany
    on SQLite). The objects do not get their primary keys back: for rows nothing else points at."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    converters = [_converter(f) for f in fields]
    rows = [[convert(obj) for convert in converters] for obj in objects]
    table = quote(model._meta.db_table)
    # The driver's own errors (a COPY refused by a constraint) as Django's (IntegrityError, …).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            # Table and column names come from the model, quoted; values are parameters.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 # nosec B608
