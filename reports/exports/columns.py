"""The columns of every export, in one place (docs/REPORTS.md, "Exports"). Pure: no Django.

Headers are stable identifiers, the same in every language, so that a file's SHA-256 does not depend on
who asked for it and a spreadsheet or script reading it keeps working. The type decides how a value is
written: XLSX cells are typed (dates as dates, money as numbers with two decimals, an original amount
with its currency's), CSV cells follow docs/REPORTS.md.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kartosfera.vocabulary import TextChoices
from kartosfera.vocabulary import gettext_lazy as _


class ExportKind(TextChoices):
    CASES = "CASES", _("Cases")
    TRANSACTIONS = "TRANSACTIONS", _("Disputed transactions")
    DEADLINES = "DEADLINES", _("Deadlines")
    TRANSITIONS = "TRANSITIONS", _("Case history (transitions)")
    AUDIT_LOG = "AUDIT_LOG", _("Audit log")


class ExportFormat(TextChoices):
    CSV = "CSV", _("CSV (Excel, semicolon-separated)")
    XLSX = "XLSX", _("XLSX (Excel workbook)")


class CellType(StrEnum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    MONEY = "MONEY"  # two decimals (PLN)
    # An amount in the currency its column's ``currency`` names, with that currency's decimals
    # (ISO 4217 minor units, ``kartosfera.money.minor_units``: 2,000 UAH as 2000,00, 500 JPY as 500,
    # 7.125 KWD as 7,125), or more if the amount carries more (``decimals_to_write``).
    AMOUNT = "AMOUNT"
    DATE = "DATE"  # a Warsaw calendar date
    DATETIME = "DATETIME"  # an instant: Warsaw local time with its UTC offset (XLSX: and in UTC)
    BOOLEAN = "BOOLEAN"
    JSON = "JSON"  # canonical JSON text


@dataclass(frozen=True)
class Column:
    name: str
    type: CellType
    width: int = 14  # XLSX column width (characters)
    currency: str | None = None  # an AMOUNT's currency: the name of the column that holds it


T, N, M, A, D, DT, B, J = (
    CellType.TEXT,
    CellType.INTEGER,
    CellType.MONEY,
    CellType.AMOUNT,
    CellType.DATE,
    CellType.DATETIME,
    CellType.BOOLEAN,
    CellType.JSON,
)

# The columns that name a case, the same in every export that has one: a row joins across files on them.
CASE_KEY = (Column("case_id", N, 10), Column("case_number", T, 16))

CASES = (
    *CASE_KEY,
    Column("state", T, 22),
    Column("outcome", T, 18),
    Column("channel", T, 12),
    Column("cause", T, 16),
    Column("category", T, 26),
    Column("customer_id", N, 12),
    Column("card", T, 12),
    Column("received_at", DT, 26),
    Column("submitted_at", DT, 26),
    Column("reported_at", DT, 26),
    Column("reply_regime", T, 18),
    Column("refund_owed", B, 12),
    Column("refund_due_on", D, 12),
    Column("refund_rule", T, 14),
    Column("reply_due_on", D, 12),
    Column("reply_rule", T, 14),
    Column("reply_extended", B, 12),
    Column("window_end_on", D, 12),
    Column("out_of_window", B, 12),
    Column("disputed_amount_pln", M, 14),
    Column("customer_share_pln", M, 14),
    Column("bank_share_pln", M, 14),
    Column("refunded_at", DT, 26),
    Column("refund_withheld_at", DT, 26),
    Column("decided_at", DT, 26),
    Column("reply_dispatched_at", DT, 26),
    Column("deemed_accepted_at", DT, 26),
    Column("withdrawn_at", DT, 26),
    Column("closed_at", DT, 26),
    Column("assignee", T, 16),
)

TRANSACTIONS = (
    *CASE_KEY,
    Column("case_state", T, 22),
    Column("transaction_id", N, 12),
    Column("processor_reference", T, 22),
    Column("card", T, 12),
    Column("executed_at", DT, 26),
    Column("debited_on", D, 12),
    Column("processed_on", D, 12),
    Column("channel", T, 14),
    Column("status", T, 12),
    Column("merchant_name", T, 24),
    Column("mcc", T, 6),
    Column("merchant_city", T, 16),
    Column("merchant_country", T, 8),
    Column("original_amount", A, 14, currency="original_currency"),
    Column("original_currency", T, 8),
    Column("amount_pln", M, 14),
    Column("disputed_amount_pln", M, 14),
    Column("sca_applied", B, 10),
    Column("window_end_on", D, 12),
    Column("window_rule", T, 14),
    Column("out_of_window", B, 12),
)

DEADLINES = (
    *CASE_KEY,
    Column("deadline", T, 10),
    Column("transaction_id", N, 12),
    Column("rule", T, 14),
    Column("start_date", D, 12),
    Column("due_date", D, 12),
    Column("due_before", DT, 26),
    Column("basis_pl", T, 30),
    Column("basis_en", T, 30),
    Column("explanation_pl", T, 60),
    Column("explanation_en", T, 60),
)

TRANSITIONS = (
    Column("transition_id", N, 12),
    *CASE_KEY,
    Column("chargeback_id", N, 12),
    Column("occurred_at", DT, 26),
    Column("transition", T, 24),
    Column("from_state", T, 22),
    Column("to_state", T, 22),
    Column("actor", T, 16),
    Column("actor_kind", T, 12),
    Column("reason", T, 40),
    Column("letter_required", T, 20),
)

AUDIT_LOG = (
    Column("sequence", N, 10),
    Column("recorded_at", DT, 26),
    Column("action", T, 28),
    Column("actor", T, 20),
    Column("role", T, 14),
    Column("channel", T, 12),
    Column("ip_address", T, 16),
    Column("request_id", T, 16),
    Column("object_type", T, 22),
    Column("object_id", T, 10),
    Column("object_repr", T, 30),
    Column("before", J, 40),
    Column("after", J, 40),
    Column("data", J, 40),
    Column("previous_hash", T, 20),
    Column("entry_hash", T, 20),
)

COLUMNS: dict[ExportKind, tuple[Column, ...]] = {
    ExportKind.CASES: CASES,
    ExportKind.TRANSACTIONS: TRANSACTIONS,
    ExportKind.DEADLINES: DEADLINES,
    ExportKind.TRANSITIONS: TRANSITIONS,
    ExportKind.AUDIT_LOG: AUDIT_LOG,
}


def header(kind: ExportKind | str) -> list[str]:
    """The header row of an export."""
    return [column.name for column in COLUMNS[ExportKind(kind)]]


def utc_columns(columns: Sequence[Column]) -> list[Column]:
    """The workbook's columns after the CSV's: each instant again in UTC (``<name>_utc``), to sort on."""
    return [Column(f"{c.name}_utc", CellType.DATETIME, 21) for c in columns if c.type == CellType.DATETIME]


def workbook_header(kind: ExportKind | str) -> list[str]:
    """The header row of an export's workbook: the CSV's, then an ``_utc`` column per instant."""
    columns = COLUMNS[ExportKind(kind)]
    return header(kind) + [column.name for column in utc_columns(columns)]


def mask_card(last4: str | None) -> str:
    """A card as every export shows it: never more than its last four digits."""
    return f"**** {last4}" if last4 else ""
