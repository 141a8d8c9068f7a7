"""How the export reads the data inventory: each declaration's rows as plain values.

A reader of a year holds thousands of rows. Building a model instance for each, and
another for the row each one points at, was most of an export's time; here the rows are
read with ``values_list`` of the declared columns only. A foreign key is named by its
related row's ``named_by`` column, read in the same query, or else by the related row's
``str()``, each related row read once (one query per field, whatever the number of rows).
Every value then goes through its field's ``present`` as ``Declaration.present`` does it,
so the export says exactly what it said with instances.

A declaration with a field that needs the row itself (many-to-many, or encrypted text,
which decrypts with the row's bound column) is read as instances, through
``rows_to_show`` and ``present``; those hold a row or a few each.
"""

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from consent.inventory import Declaration, jsonable, long_columns

Row = Sequence[Any]


def exported_rows(declaration: Declaration, user: Any) -> list[dict[str, Any]]:
    """``user``'s rows of ``declaration``, each as the export writes it, in the model's
    order (its primary key breaking ties, and ordering a model without one)."""
    if not reads_as_values(declaration):
        return [declaration.present(row) for row in in_order(declaration.rows_to_show(user))]
    rows = in_order(declaration.rows_for(user))
    meta = declaration.model_class._meta
    columns: list[str] = []
    for name, spec in declaration.fields.items():
        model_field = meta.get_field(name)
        columns.append(model_field.attname)
        if model_field.is_relation and spec.named_by:
            columns.append(f"{name}__{spec.named_by}")
    found = list(rows.values_list(*columns))
    readers: list[tuple[str, Callable[[Row], Any]]] = []
    position = 0
    for name, spec in declaration.fields.items():
        model_field = meta.get_field(name)
        if not model_field.is_relation:
            read = _column(position, model_field, raw=spec.present is not None)
        elif spec.named_by:
            read = _named(position, position + 1)
            position += 1
        else:
            names = _related_names(model_field, {row[position] for row in found}, user)
            read = _looked_up(position, names)
        readers.append((name, _presented(read, spec.present)))
        position += 1
    return [{name: value(row) for name, value in readers} for row in found]


def reads_as_values(declaration: Declaration) -> bool:
    """Whether every declared field is a plain column or a foreign key, whose stored value
    is the value the row shows (not many-to-many, not a field with a descriptor of its
    own such as encrypted text)."""
    meta = declaration.model_class._meta
    for name in declaration.fields:
        model_field = meta.get_field(name)
        if not model_field.concrete or model_field.many_to_many:
            return False
        if not model_field.is_relation and model_field.descriptor_class is not DeferredAttribute:
            return False
    return True


def in_order(rows: models.QuerySet) -> models.QuerySet:
    """``rows`` in their model's order with the primary key last: rows that order leaves
    tied (or a model without an order) come out the same way every time."""
    ordering = list(rows.query.order_by or rows.model._meta.ordering)
    if not all(isinstance(term, str) and term != "?" for term in ordering):
        return rows
    if {term.lstrip("-") for term in ordering} & {"pk", rows.model._meta.pk.name}:
        return rows
    last = "-pk" if ordering and ordering[-1].startswith("-") else "pk"
    return rows.order_by(*ordering, last)


def _column(position: int, model_field: Any, *, raw: bool) -> Callable[[Row], Any]:
    """A column's value as stored (``raw``, for the field's ``present``) or as the export
    writes it (``jsonable``), which leaves every value but a date or a time as it is: only
    a date field, or a field that converts what the database gives it, can hold one."""
    if raw or not (
        isinstance(model_field, models.DateField) or hasattr(model_field, "from_db_value")
    ):
        return itemgetter(position)
    return lambda row: jsonable(row[position])


def _presented(
    read: Callable[[Row], Any], present: Callable[[Any], Any] | None
) -> Callable[[Row], Any]:
    if present is None:
        return read  # a name is a string, a column is written by _column
    return lambda row: jsonable(present(read(row)))


def _named(key: int, name: int) -> Callable[[Row], Any]:
    # As ``Declaration.present``: the related row's name, or None without one.
    return lambda row: str(row[name]) if row[key] else None


def _looked_up(key: int, names: dict[Any, str]) -> Callable[[Row], Any]:
    return lambda row: names[row[key]] if row[key] else None


def _related_names(model_field: Any, keys: set[Any], user: Any) -> dict[Any, str]:
    """``str()`` of each related row among ``keys``, in one query (none when the only one
    is the reader's own account, which is at hand)."""
    keys = {key for key in keys if key}
    related = model_field.related_model
    target = model_field.target_field.attname
    names: dict[Any, str] = {}
    if isinstance(user, related) and getattr(user, target) in keys:
        names[getattr(user, target)] = str(user)
        keys.discard(getattr(user, target))
    if keys:
        rows = related._base_manager.filter(**{f"{target}__in": keys})
        long = long_columns(related)
        for row in rows.defer(*long) if long else rows:
            names[getattr(row, target)] = str(row)
    return names
