"""A queryset's SQL built and compiled once per shape, then run with each request's values.

Building a queryset with a few ``Q`` filters and a ``Case``/``Least`` order, and compiling it, costs
more of the process's CPU than PostgreSQL spends running it (docs/PERFORMANCE.md, "The back-office
queue page"). For a page that sends the same query with other values on every request, ``run`` builds
the queryset once per *shape* (the caller's key: which filters are set) with placeholder values,
learns which parameter of the SQL holds which value, and from then on runs the kept SQL with the
request's values, prepared for the database as the ORM prepares them for the same fields, through the
connection's cursor; the rows are decoded by the ORM's own converters.

The placement is checked, never assumed: the shape is compiled twice with two different sets of
placeholders, and the SQL must be the same text and each parameter either the same constant in both or
exactly one value's placeholder in both. A shape that does not pass (a value transformed on its way into
the SQL, say) is run through the ORM on every request, as before.
"""

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Field, QuerySet

Build = Callable[[Mapping[str, Any]], QuerySet]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Per parameter: the name of the value it holds, or None for a constant kept in ``constants``.
    slots: tuple[str | None, ...]
    constants: tuple[Any, ...]
    converters: tuple[tuple[int, tuple, Any], ...]  # (column, converters, expression) as the ORM applies


_SHAPES: dict[tuple, _Compiled | None] = {}


def _placeholder(field: Field, index: int, variant: int) -> Any:
    """A value of ``field``'s type that no real query holds, distinct per value and per variant, and
    changed by the usual transformations (so that ``build`` transforming a value is caught)."""
    kind = field.get_internal_type()
    serial = 1 + index + 100 * variant
    if kind == "DateTimeField":
        return datetime(1901 + variant, 2, 3, 4, 5, 6, serial, tzinfo=UTC)
    if kind == "DateField":
        return date(1901 + variant, 2, 1 + index % 28)
    if kind == "DecimalField":
        return Decimal(f"{90 + variant}{index:02d}.17")
    if kind in ("ForeignKey", "AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
        return 1_900_000_000 + serial
    # Mixed case, spaces at both ends and letters beyond ASCII: changed by lower(), strip() and the like.
    return f" \x1fPlaceholder-{index}-{variant}-Żółw "


def _prepared(field: Field, value: Any, connection) -> Any:
    """``value`` as the ORM hands it to the database when comparing ``field`` with it."""
    return field.get_db_prep_value(value, connection, prepared=False)


def _compile(build: Build, fields: Mapping[str, Field], connection) -> _Compiled | None:
    names = tuple(fields)
    variants = []
    for variant in (0, 1):
        values = {name: _placeholder(fields[name], i, variant) for i, name in enumerate(names)}
        compiler = build(values).query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet):
            return None  # the ORM answers such a query without SQL (an empty IN, say): let it
        prepared = {name: _prepared(fields[name], values[name], connection) for name in names}
        variants.append((sql, tuple(params), prepared, compiler))
    (sql, params, prepared, compiler), (other_sql, other_params, other_prepared, _) = variants
    if sql != other_sql or len(params) != len(other_params):
        return None
    slots: list[str | None] = []
    for value, other in zip(params, other_params, strict=True):
        holders = [name for name in names if value == prepared[name] and other == other_prepared[name]]
        if len(holders) == 1:
            slots.append(holders[0])
        elif not holders and value == other and not any(value == p for p in prepared.values()):
            slots.append(None)
        else:
            return None  # a value changed on its way into the SQL: not safe to substitute
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    converters = tuple(
        (index, tuple(functions), expression)
        for index, (functions, expression) in compiler.get_converters(columns).items()
    )
    return _Compiled(sql, tuple(slots), params, converters)


def run(
    key: Hashable,
    build: Build,
    fields: Mapping[str, Field],
    values: Mapping[str, Any],
    *,
    low: int = 0,
    high: int | None = None,
    using: str = "default",
) -> list[tuple]:
    """The rows (tuples, as ``values_list`` gives them) of ``build(values)[low:high]``.

    ``build`` makes a ``values_list`` queryset from ``values``; ``fields`` names, for each value, the
    model field it is compared with (its type decides how the value is prepared); ``key`` names the
    shape: every call with the same key must build the same SQL whatever the values.
    """
    connection = connections[using]
    shape = (using, connection.vendor, key)
    if shape not in _SHAPES:
        _SHAPES[shape] = _compile(build, fields, connection)
    compiled = _SHAPES[shape]
    if compiled is None:
        return list(build(values)[low:high])
    prepared = {name: _prepared(fields[name], values[name], connection) for name in fields}
    params = [
        constant if slot is None else prepared[slot]
        for slot, constant in zip(compiled.slots, compiled.constants, strict=True)
    ]
    sql = compiled.sql
    if low or high is not None:
        sql = f"{sql} {connection.ops.limit_offset_sql(low, high)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not compiled.converters:
        return rows
    decoded = []
    for row in rows:
        row = list(row)
        for index, functions, expression in compiled.converters:
            value = row[index]
            for function in functions:
                value = function(value, expression, connection)
            row[index] = value
        decoded.append(tuple(row))
    return decoded
