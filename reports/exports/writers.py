"""Writers of the export files, CSV and XLSX, that hash what they write. Pure: no Django.

Both take rows one at a time and keep only a bounded buffer in memory: the CSV writer flushes every
64 KiB; XlsxWriter in ``constant_memory`` mode writes each row to a temporary file as soon as the next
one starts, and zips the workbook on close. Every byte goes through ``HashingFile``, so the SHA-256 and
the size are known the moment the file is closed, without reading it again.
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import xlsxwriter

from kartosfera.money import decimals_to_write
from reports.exports.columns import CellType, Column, utc_columns

WARSAW = ZoneInfo("Europe/Warsaw")
CSV_DELIMITER = ";"
BOM = "\ufeff"
# Excel's limits: rows per sheet (the header included) and characters per cell.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
TRUNCATED = " [...]"
# A text starting with one of these is a formula to a spreadsheet: CSV cells get a leading apostrophe
# (XLSX cells are written as strings and are never formulas).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An instant in the workbook: a date-time cell (Warsaw wall-clock time, to the second) that shows its
# UTC offset as the CSV writes it (``2026-10-25T02:30:00+02:00``), and the same instant in UTC
# (``2026-10-25T00:30:00Z``) in a ``<column>_utc`` cell after the CSV's columns (``columns.utc_columns``):
# sorting on that one orders even the hour summer time ends, whose Warsaw times come twice.
LOCAL_FORMAT = 'yyyy-mm-dd"T"hh:mm:ss'
UTC_FORMAT = LOCAL_FORMAT + '"Z"'


class HashingFile:
    """A write-only binary stream that feeds a SHA-256 and counts the bytes on their way to ``raw``.

    It has ``tell`` but no ``seek``, which tells ``zipfile`` to stream the workbook in one pass.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._sha256.update(data)
        self.size += len(data)
        self._raw.write(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._raw.flush()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()


def warsaw_local(instant: datetime) -> datetime:
    """An aware instant as naive Warsaw wall-clock time (the workbook's date-time cells)."""
    return instant.astimezone(WARSAW).replace(tzinfo=None)


def warsaw_offset(instant: datetime) -> str:
    """Warsaw's UTC offset at an instant, as ISO 8601 writes it: ``+01:00`` (CET) or ``+02:00`` (CEST)."""
    offset = instant.astimezone(WARSAW).utcoffset() or timedelta(0)
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{'-' if offset < timedelta(0) else '+'}{minutes // 60:02d}:{minutes % 60:02d}"


def instant_text(instant: datetime) -> str:
    """An instant as Warsaw wall-clock time with its UTC offset, to the second (ISO 8601).

    The offset tells the two 02:30 of the night summer time ends apart: ``2026-10-25T02:30:00+02:00``
    happened an hour before ``2026-10-25T02:30:00+01:00``.
    """
    return instant.astimezone(WARSAW).isoformat(timespec="seconds")


def utc_naive(instant: datetime) -> datetime:
    """An aware instant as naive UTC, to the second (the workbook's ``_utc`` cells)."""
    return instant.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def json_text(value: Any) -> str:
    """JSON with sorted keys and no spaces after separators, as the audit log stores it."""
    if value is None or value == {}:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def csv_value(value: Any, cell: CellType, currency: str | None = None) -> str:
    """One CSV cell: decimal comma for amounts, ISO dates, Warsaw times with their offset, formulas defused.

    An ``AMOUNT`` is written with the decimals of its ``currency``, or with more if it carries more.
    """
    if value is None or value == "":
        return ""
    if cell in (CellType.MONEY, CellType.AMOUNT):
        amount = Decimal(value)
        places = decimals_to_write(amount, currency or "") if cell == CellType.AMOUNT else 2
        # Half up, as PostgreSQL's round() writes the same cell on the COPY path.
        return str(amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)).replace(".", ",")
    if cell == CellType.INTEGER:
        return str(int(value))
    if cell == CellType.BOOLEAN:
        return "1" if value else "0"
    if cell == CellType.DATETIME:
        return instant_text(value)
    if cell == CellType.DATE:
        return date.isoformat(value)
    text = json_text(value) if cell == CellType.JSON else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def currency_positions(columns: Sequence[Column]) -> list[int | None]:
    """For each column, where in the row its amount's currency is (None: not an amount in a currency)."""
    names = [column.name for column in columns]
    return [None if column.currency is None else names.index(column.currency) for column in columns]


class CsvExportWriter:
    """UTF-8 with a BOM (Excel then reads Polish letters right), ``;`` between cells, CRLF lines."""

    def __init__(self, out: HashingFile, columns: Sequence[Column]) -> None:
        self._out = out
        self._columns = columns
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        self._currency_at = currency_positions(columns)
        self._buffer.write(BOM)
        self._writer.writerow([column.name for column in columns])

    def write_row(self, row: Sequence[Any]) -> None:
        self._writer.writerow(
            [
                csv_value(value, col.type, None if at is None else row[at])
                for value, col, at in zip(row, self._columns, self._currency_at, strict=True)
            ]
        )
        if self._buffer.tell() > 65_536:
            self._flush()

    def write_lines(self, lines: bytes) -> None:
        """CSV lines already encoded by these rules elsewhere (PostgreSQL's ``COPY``): written as they are."""
        self._flush()
        self._out.write(lines)

    def _flush(self) -> None:
        if self._buffer.tell() == 0:
            return
        self._out.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()

    def close(self) -> None:
        self._flush()
        self._out.flush()


def _fit_cell(text: str) -> str:
    """A text cut to Excel's limit of characters per cell, marked as cut."""
    if len(text) > XLSX_MAX_CELL:
        return text[: XLSX_MAX_CELL - len(TRUNCATED)] + TRUNCATED
    return text


class XlsxExportWriter:
    """One worksheet per 1,048,575 rows (Excel's limit), each with the header row frozen and filtered."""

    def __init__(
        self, out: HashingFile, columns: Sequence[Column], *, title: str, tmpdir: str, created: datetime
    ):
        self._columns = columns
        self._title = title[:25]
        self._book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "tmpdir": tmpdir,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        # A fixed creation time: the same job written twice gives the same bytes.
        self._book.set_properties({"created": warsaw_local(created), "title": title})
        bold = self._book.add_format({"bold": True})
        self._formats = {
            CellType.MONEY: self._book.add_format({"num_format": "#,##0.00"}),
            CellType.DATE: self._book.add_format({"num_format": "yyyy-mm-dd"}),
            "utc": self._book.add_format({"num_format": UTC_FORMAT}),
            "header": bold,
        }
        # An instant's format by Warsaw's offset at it (``+01:00``, ``+02:00``), added when one comes.
        self._instant_formats: dict[str, Any] = {}
        # After the CSV's columns (same letters in both files), each instant again in UTC, to sort on.
        self._instants = [index for index, column in enumerate(columns) if column.type == CellType.DATETIME]
        # An amount's number format by its decimals (0 to 4 for every ISO 4217 currency and a stored
        # amount; more only for an amount that carries more, added when one comes).
        self._amount_formats: dict[int, Any] = {}
        self._currency_at = currency_positions(columns)
        self._sheet: Any = None
        self._cells: list[Callable[[int, int, Any], Any]] = []
        self._sheets = 0
        self._row = 0

    def _new_sheet(self) -> None:
        self._sheets += 1
        name = self._title if self._sheets == 1 else f"{self._title} ({self._sheets})"
        self._sheet = self._book.add_worksheet(name)
        heads = [*self._columns, *utc_columns(self._columns)]
        for index, column in enumerate(heads):
            self._sheet.set_column(index, index, column.width)
        for index, column in enumerate(heads):
            self._sheet.write_string(0, index, column.name, self._formats["header"])
        self._sheet.freeze_panes(1, 0)
        self._sheet.autofilter(0, 0, 0, len(heads) - 1)
        self._cells = self._cell_writers(self._sheet)
        self._row = 1

    def write_row(self, row: Sequence[Any]) -> None:
        if self._sheet is None or self._row >= XLSX_MAX_ROWS:
            self._new_sheet()
        number = self._row
        for col, (value, write, at) in enumerate(zip(row, self._cells, self._currency_at, strict=True)):
            if value is None or value == "":
                continue
            # An amount's writer takes its currency with it (the format depends on it).
            write(number, col, value if at is None else (value, row[at]))
        for col, index in enumerate(self._instants, start=len(self._columns)):
            if row[index] is not None and row[index] != "":
                self._sheet.write_datetime(number, col, utc_naive(row[index]), self._formats["utc"])
        self._row += 1

    def _cell_writers(self, sheet: Any) -> list[Callable[[int, int, Any], Any]]:
        """One writer per column, chosen once per sheet by the column's type (never per cell)."""
        return [self._cell_writer(sheet, column.type) for column in self._columns]

    def _cell_writer(self, sheet: Any, cell: CellType) -> Callable[[int, int, Any], Any]:
        fmt = self._formats.get(cell)
        number, string = sheet.write_number, sheet.write_string
        if cell == CellType.MONEY:
            return lambda row, col, value: number(row, col, float(value), fmt)
        if cell == CellType.AMOUNT:
            formats, book = self._amount_formats, self._book

            def amount(row: int, col: int, value: tuple[Any, str]) -> Any:
                places = decimals_to_write(Decimal(value[0]), value[1] or "")
                if places not in formats:
                    decimals = "." + "0" * places if places else ""
                    formats[places] = book.add_format({"num_format": "#,##0" + decimals})
                return number(row, col, float(value[0]), formats[places])

            return amount
        if cell == CellType.INTEGER:
            return lambda row, col, value: number(row, col, int(value))
        if cell == CellType.BOOLEAN:
            boolean = sheet.write_boolean
            return lambda row, col, value: boolean(row, col, bool(value))
        if cell == CellType.DATETIME:
            shown, moment = self._instant_formats, sheet.write_datetime

            def instant(row: int, col: int, value: datetime) -> Any:
                offset = warsaw_offset(value)
                if offset not in shown:
                    shown[offset] = self._book.add_format({"num_format": f'{LOCAL_FORMAT}"{offset}"'})
                return moment(row, col, warsaw_local(value).replace(microsecond=0), shown[offset])

            return instant
        if cell == CellType.DATE:
            return lambda row, col, value: sheet.write_datetime(row, col, value, fmt)
        text = json_text if cell == CellType.JSON else str
        return lambda row, col, value: string(row, col, _fit_cell(text(value)))

    def close(self) -> None:
        if self._sheet is None:
            self._new_sheet()  # an empty period still gives a workbook with its header
        self._book.close()
