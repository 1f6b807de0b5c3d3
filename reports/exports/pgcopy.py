"""CSV exports on PostgreSQL: every cell formatted by the database and streamed with ``COPY ... TO STDOUT``.

The Python path (``selectors.export_rows`` through ``writers.CsvExportWriter``) decodes each value
into a Python object and formats it again cell by cell; here the database formats the cells by the
same rules (docs/REPORTS.md, "Formats") and psycopg hands over the finished CSV lines, which go to the
same hashing writer. The bytes, and so the SHA-256, are the same either way: a test holds the two paths
to identical files for every export kind moved here (``TABLES``). What differs from ``csv_value``:

- PostgreSQL ends a row with LF; the file's rows end with CRLF, so each row's last byte is replaced;
- PostgreSQL quotes an empty text in CSV (``""``) to tell it from NULL; ``csv_value`` writes an empty
  cell for both, so every empty text is turned into NULL here;
- quoting is otherwise the same (a cell with ``;``, ``"``, CR or LF is quoted, quotes doubled).

The JSON columns of the audit log stay on the Python path: their canonical text (sorted keys, no
spaces, Python's number formatting) is Python's ``json.dumps``, which ``jsonb``'s own output is not.
"""

from collections.abc import Callable
from datetime import date
from typing import Any, TypedDict

from django.db import connection
from django.db.models import F, Func, TextField

from kartosfera.money import DEFAULT_MINOR_UNITS, OTHER_MINOR_UNITS
from reports.exports.columns import COLUMNS, CellType, ExportKind
from reports.exports.selectors import TABLES, Table
from reports.exports.writers import FORMULA_STARTS, WARSAW, currency_positions

# What csv_value does with each type, in SQL (``{v}``: the value). A NULL gives an empty cell.
_TEXT = "({v})::text"
_SQL_CHARACTERS = {"\t": "E'\\t'", "\r": "E'\\r'"}
_FORMULA_STARTS = ", ".join(_SQL_CHARACTERS.get(c, f"'{c}'") for c in FORMULA_STARTS)
# Warsaw's UTC offset at the instant (``writers.warsaw_offset``), whatever the session's time zone.
_OFFSET = f"((({{v}}) AT TIME ZONE '{WARSAW.key}') - (({{v}}) AT TIME ZONE 'UTC'))"
_SQL = {
    CellType.TEXT: f"CASE WHEN left({_TEXT}, 1) IN ({_FORMULA_STARTS}) THEN '''' || {_TEXT}"
    f" ELSE NULLIF({_TEXT}, '') END",
    CellType.INTEGER: "({v})::bigint::text",
    CellType.MONEY: "replace(round({v}, 2)::text, '.', ',')",
    CellType.BOOLEAN: "({v})::int::text",
    CellType.DATE: "to_char({v}, 'YYYY-MM-DD')",
    CellType.DATETIME: f"to_char(({{v}}) AT TIME ZONE '{WARSAW.key}', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    f" || CASE WHEN {_OFFSET} < interval '0' THEN '-' ELSE '+' END"
    f" || to_char(CASE WHEN {_OFFSET} < interval '0' THEN -{_OFFSET} ELSE {_OFFSET} END, 'HH24:MI')",
}
# An amount with its currency's decimals (``{c}``: the currency), or more if it carries more, as
# ``kartosfera.money.decimals_to_write`` gives them (min_scale: the decimals the value needs).
_PLACES = (
    "GREATEST(CASE {c} "
    + " ".join(f"WHEN '{code}' THEN {places}" for code, places in sorted(OTHER_MINOR_UNITS.items()))
    + f" ELSE {DEFAULT_MINOR_UNITS} END, min_scale({{v}}))"
)
_AMOUNT = f"replace(round({{v}}, {_PLACES})::text, '.', ',')"
# A card as ``columns.mask_card`` shows it (then formatted as text).
_MASKED_CARD = "'**** ' || NULLIF(({v})::text, '')"
COPY_OPTIONS = "FORMAT csv, DELIMITER ';', NULL '', ENCODING 'UTF8'"
# Rows handed to the writer at a time (a few hundred kB of CSV).
BLOCK_ROWS = 1000


class _Cell(Func):
    """A column's value as its CSV cell, formatted by PostgreSQL (``template`` names it once or more)."""

    output_field = TextField()

    def __init__(self, expression: Any, sql: str) -> None:
        super().__init__(expression, template=sql.replace("{v}", "%(expressions)s"))

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        # The template may repeat the value; a column reference has no parameters to repeat with it.
        assert not params, "a formatted cell must be a plain column"  # noqa: S101
        return sql, params


class _AmountCell(Func):
    """An amount's CSV cell with the decimals of the currency in another column, formatted by PostgreSQL."""

    output_field = TextField()

    def __init__(self, amount: Any, currency: Any) -> None:
        super().__init__(amount, currency)

    def as_sql(self, compiler, connection, **extra):
        (amount, amount_params), (currency, currency_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        assert not amount_params and not currency_params, "an amount cell takes plain columns"  # noqa: S101
        return _AMOUNT.format(v=amount, c=currency), []


def copy_supported(kind: ExportKind | str) -> bool:
    """Whether ``kind``'s CSV can be written by ``COPY`` here (PostgreSQL, and one query per export)."""
    return connection.vendor == "postgresql" and ExportKind(kind) in TABLES


def _cells(table: Table, kind: ExportKind) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    columns = COLUMNS[kind]
    for index, (field, column, at) in enumerate(
        zip(table.fields, columns, currency_positions(columns), strict=True)
    ):
        value: Any = F(field)
        if index in table.masked:
            value = _Cell(value, _MASKED_CARD)
        if at is not None:
            cells[f"cell_{index}"] = _AmountCell(value, F(table.fields[at]))
        else:
            cells[f"cell_{index}"] = _Cell(value, _SQL[column.type])
    return cells


def copy_statement(*, kind: ExportKind | str, from_date: date, to_date: date) -> tuple[str, tuple]:
    """The ``COPY (SELECT ...) TO STDOUT`` of ``kind`` over the period, and its parameters."""
    kind = ExportKind(kind)
    table = TABLES[kind]
    cells = _cells(table, kind)
    query = table.rows(from_date, to_date).annotate(**cells).values_list(*cells)
    sql, params = query.query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT WITH ({COPY_OPTIONS})", params


class ExportPeriod(TypedDict):
    """An export's kind and period, as ``copy_expected`` and ``copy_csv`` take them."""

    kind: ExportKind | str
    from_date: date
    to_date: date


def copy_expected(*, kind: ExportKind | str, from_date: date, to_date: date) -> int:
    """How many rows ``kind`` has over the period."""
    return TABLES[ExportKind(kind)].rows(from_date, to_date).count()


def _crlf(rows: list) -> bytes:
    """The rows (each ending with LF, as ``COPY`` ends them) ending with CRLF instead."""
    block = b"".join(rows)
    if block.count(b"\n") == len(rows):  # no line break inside a quoted cell: every LF ends a row
        return block.replace(b"\n", b"\r\n")
    return b"".join(bytes(row)[:-1] + b"\r\n" for row in rows)


def copy_csv(
    *,
    kind: ExportKind | str,
    from_date: date,
    to_date: date,
    write: Callable[[bytes], Any],
    progress: Callable[[int], Any],
    every: int,
) -> int:
    """Stream ``kind``'s CSV lines over the period to ``write``; ``progress(rows)`` every ``every`` rows.

    Runs on the default connection (and so in its transaction, if one is open); that connection is
    busy until the ``COPY`` ends, so ``progress`` must not use it. Returns the number of rows.
    """
    statement, params = copy_statement(kind=kind, from_date=from_date, to_date=to_date)
    done, block = 0, []
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        for row in copy:
            block.append(row)
            done += 1
            if done % every == 0:
                progress(done)
            if len(block) == BLOCK_ROWS:
                write(_crlf(block))
                block = []
    if block:
        write(_crlf(block))
    return done
