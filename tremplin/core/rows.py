"""Rows written through the database's own bulk path, for the bulk variants of the services
(imports, the audit entries of a bulk change): no model instance goes through Django's
bulk_create, whose per-value handling costs more than the insert itself at national scale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache, partial
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

#: The exact types a JSON value keeps as they are (a subclass, an enum's member, is converted).
JSON_SCALARS = frozenset({str, int, float, bool, type(None)})

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


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How to turn a Python value of `field` into the database's: None for the plain kinds (the
    value is the database's), the backend's own adaptation for dates and decimals already of
    their type (Django's full conversion, `get_db_prep_save`, checks and converts again each
    value: twice the cost), Django's conversion otherwise (JSON, UUIDs, addresses, …)."""
    kind = field.get_internal_type()
    if kind in PLAIN:
        return None
    ops = connection.ops
    if kind == "DateField":
        return lambda value: (
            ops.adapt_datefield_value(value)
            if value is None or (isinstance(value, date) and not isinstance(value, datetime))
            else field.get_db_prep_save(value, connection)
        )
    if kind == "DateTimeField":
        return lambda value: (
            ops.adapt_datetimefield_value(value)
            if value is None or (isinstance(value, datetime) and value.utcoffset() is not None)
            else field.get_db_prep_save(value, connection)
        )
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: (
            ops.adapt_decimalfield_value(value, digits, places)
            if value is None or (isinstance(value, Decimal) and value.is_finite())
            else field.get_db_prep_save(value, connection)
        )
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: (
            None
            if value is None
            else ops.adapt_json_value(value, encoder)
            if isinstance(value, dict | list | str | int | float | bool)
            else field.get_db_prep_save(value, connection)
        )
    return lambda value: field.get_db_prep_save(value, connection)


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """`model`'s concrete field `name` (a relation by its name: `user`, not `user_id`)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def insert_values(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert `rows` (the Python values of the fields `names`, in that order) through the
    database's own bulk path: COPY on PostgreSQL, executemany on SQLite. `constants`: values the
    same for every row; the other fields take their defaults (a callable one made for each row,
    `auto_now` fields the time of the call, a database default left to the database). No model
    instance, each column adapted at once (a constant once); for the bulk variants that build
    their rows from checked columns."""
    if not rows:
        return
    fields = [model_field(model, name) for name in names]
    fixed = {model_field(model, name): value for name, value in (constants or {}).items()}
    per_row: list[models.Field[Any, Any]] = []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field in fields or field in fixed or isinstance(field, models.AutoField):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed[field] = now
        elif field.has_default() and callable(field.default):
            per_row.append(field)  # a default made for each row (uuid7, a new list)
        elif field.has_default() or not field.has_db_default():
            fixed[field] = field.get_default()
        # else: left out, the database's own default fills it in
    columns: list[Sequence[Any]] = []
    for field, column in zip(fields, zip(*rows, strict=True), strict=True):
        adapt = _adapter(field)
        columns.append(column if adapt is None else [adapt(value) for value in column])
    for field in per_row:
        adapt = _adapter(field)
        made = [field.get_default() for _ in rows]
        columns.append(made if adapt is None else [adapt(value) for value in made])
    for field, value in fixed.items():
        adapt = _adapter(field)
        columns.append([value if adapt is None else adapt(value)] * len(rows))
    fields += [*per_row, *fixed]
    rows = list(zip(*columns, strict=True))
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in fields)
    table = quote(model._meta.db_table)
    # The driver's own errors (a COPY refused by a constraint) as Django's (IntegrityError, …).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            # Table and column names come from the model, quoted; values are parameters.
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 # nosec B608


def fast_insert(model: type[M], objects: Sequence[M]) -> None:
    """Insert many model instances through the database's own bulk path (`insert_values`). The
    objects do not get their primary keys back (`csvimport.found_again` reads them)."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    getters: list[Callable[[M], Any]] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            getters.append(partial(_pre_save, field))
        else:
            getters.append(attrgetter(field.attname))
    insert_values(
        model, [field.name for field in fields], [[get(obj) for get in getters] for obj in objects]
    )


def _pre_save(field: models.Field[Any, Any], obj: models.Model) -> Any:
    return field.pre_save(obj, True)


def loaded(model: type[M], db: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[M]:
    """Instances of `model` as a query would give them back (saved, from `db`), each concrete
    field's attribute (`names`: their attnames, all of them, in any order) set from a row,
    for the rows a bulk variant has just written (the journal's events of an import: two per
    row). Django's `Model.from_db` sets each attribute through `__init__` (5 us an instance);
    here they go into the instance's dictionary at once, as `__init__` would leave them. A
    model with `pre_init` or `post_init` receivers is built by `from_db`."""
    fields = model._meta.concrete_fields
    attnames = [field.attname for field in fields]
    if set(names) != set(attnames) or len(names) != len(attnames):
        raise ValueError(f"{model._meta.label}: every concrete field once, not {names}")
    if _init_receivers(model):
        # `from_db` takes a whole row by position, in the fields' order.
        order = [list(names).index(attname) for attname in attnames]
        return [model.from_db(db, attnames, [row[i] for i in order]) for row in rows]
    built = []
    new = object.__new__
    for row in rows:
        values = dict(zip(names, row, strict=True))
        state = values["_state"] = ModelState()
        state.adding = False
        state.db = db
        instance = new(model)
        instance.__dict__ = values
        built.append(instance)
    return built


def _init_receivers(model: type[models.Model]) -> bool:
    """Whether `__init__` sends `model`'s signals to anyone (then instances are built by it)."""
    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


def made(model: type[M], values: Mapping[str, Any]) -> M:
    """`model(**values)`: a new instance, its other fields at their defaults. When every name of
    `values` is a concrete field's attname (an import's checked columns: `learner_id`, not
    `learner`), the attributes go into the instance's dictionary at once, as `__init__` would
    leave them (its keyword path: 10 us an instance, 4.4 here); a model with `pre_init` or
    `post_init` receivers, a generated field, or other names go through `__init__`."""
    layout = _layout(model, tuple(values))
    if layout is None or _init_receivers(model):
        return model(**values)
    attributes = {
        attname: values[attname] if given else field.get_default() if fresh else default
        for attname, given, field, fresh, default in layout
    }
    attributes["_state"] = ModelState()
    instance = object.__new__(model)
    instance.__dict__ = attributes
    return instance


#: A concrete field in `made`: attname, whether given, the field, whether its default is made
#: for each instance (a callable, a database default), else the default.
_Slot = tuple[str, bool, "models.Field[Any, Any]", bool, Any]


@cache
def _layout(model: type[models.Model], names: tuple[str, ...]) -> tuple[_Slot, ...] | None:
    """For each concrete field of `model` in order, its `_Slot`; None when a name is not an
    attname (a relation given as an instance), or for a model with a generated field (left
    unset by `__init__`)."""
    fields = model._meta.concrete_fields
    given = set(names)
    if not given <= {field.attname for field in fields}:
        return None
    if any(getattr(field, "generated", False) for field in fields):
        return None
    slots = []
    for field in fields:
        fresh = (field.has_default() and callable(field.default)) or field.has_db_default()
        default = None if fresh or field.attname in given else field.get_default()
        slots.append((field.attname, field.attname in given, field, fresh, default))
    return tuple(slots)
