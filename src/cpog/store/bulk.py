"""Writing many rows at once, without building a model instance per row.

An import of 100 000 values writes 100 000 measurements and as many audit events. Django's
``bulk_create`` instantiates a model and compiles each field per row, which costs more than the
whole validation of the file. Here the values go straight to the driver, converted once per
column by the backend's own adapters (so a date, a decimal, an aware datetime or a JSON document
is stored exactly as the ORM would store it): ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Rows are written inside the caller's transaction, like any ORM write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any

from django.db import connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations


def _memo(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``adapt`` computed once per distinct value: a batch repeats the same few periods, dates
    and choices on every row."""
    cache: dict[Any, Any] = {}

    def adapted(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = adapt(value)
            return result

    return adapted


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    """How the backend expects a Python value of ``field`` (what ``get_db_prep_save`` does, once
    per column rather than once per cell); None when the driver takes the value as it is."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: None if value is None else ops.adapt_json_value(value, encoder)
    if isinstance(field, models.DateTimeField):
        return _memo(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _memo(ops.adapt_datefield_value)
    if isinstance(field, models.DecimalField):
        if type(ops).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
            return None  # both SQLite and PostgreSQL take a Decimal as it is
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, models.CharField) and field.choices:
        # choices such as Measurement.Status.PROVISIONAL are str enums: store their value
        return _memo(lambda value: value.value if isinstance(value, Enum) else value)
    return None


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, model field names) into ``model``'s
    table; return the number of rows written. Ids are not returned."""
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    adapters = [
        (index, adapter)
        for index, adapter in enumerate(_adapter(f) for f in fields)
        if adapter is not None
    ]
    names = [str(getattr(f, "column", f.name)) for f in fields]
    table = connection.ops.quote_name(str(meta.db_table))
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    count = 0

    def adapted() -> Iterable[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            values = list(row)
            for index, adapter in adapters:
                values[index] = adapter(values[index])
            yield values

    # One transaction at least (as bulk_create): in autocommit, SQLite would commit every row.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in adapted():
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"
            cursor.executemany(sql, adapted())  # type: ignore[arg-type]  # a generator is fine
    return count


__all__ = ["insert_rows"]
