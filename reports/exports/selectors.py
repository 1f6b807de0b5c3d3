"""Reads for the exports: each export's rows over a period, streamed in the order of its columns.

Every source is a ``values_list`` query read with ``.iterator(chunk_size=...)`` (a server-side cursor
on PostgreSQL): memory stays bounded by one chunk whatever the period. The rows are tuples in the
order of ``reports.exports.columns`` (a test holds each source to its header).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Max, QuerySet

from audit.models import AuditEntry
from customers.models import User
from deadlines.wording import readable_explanation
from disputes.models import Case, CaseTransaction, CaseTransition
from kartosfera.legaltime import day_end, day_start
from reports.exports.columns import ExportKind, mask_card
from reports.models import ExportJob

# One row of an export: its values in the order of the export's columns.
Row = tuple[Any, ...]


@dataclass(frozen=True)
class RowSource:
    """How many rows to expect, and the rows themselves (a lazy iterator)."""

    expected: int
    rows: Iterator[Row]


def _period(field: str, from_date: date, to_date: date) -> dict[str, Any]:
    """``field`` within the Warsaw days ``from_date``..``to_date``, both included."""
    return {f"{field}__gte": day_start(from_date), f"{field}__lt": day_end(to_date)}


@dataclass(frozen=True)
class Table:
    """An export that is one query: its rows (filtered and ordered) and the field of each column.

    Both ways of writing such an export read it from here: row by row in Python (``export_rows``) and,
    for CSV on PostgreSQL, formatted by the database and streamed with ``COPY``
    (``reports.exports.pgcopy``), so the two cannot drift apart in what they select or in what order.
    """

    rows: Callable[[date, date], QuerySet[Any]]
    fields: tuple[str, ...]
    masked: frozenset[int] = frozenset()  # columns holding a card's last four digits, shown masked


def _cases_in(from_date: date, to_date: date) -> QuerySet[Case]:
    return Case.objects.filter(**_period("received_at", from_date, to_date)).order_by("received_at", "pk")


def _links_in(from_date: date, to_date: date) -> QuerySet[CaseTransaction]:
    return CaseTransaction.objects.filter(**_period("case__received_at", from_date, to_date)).order_by(
        "case__received_at", "case_id", "transaction__executed_at", "pk"
    )


def _history_in(from_date: date, to_date: date) -> QuerySet[CaseTransition]:
    return CaseTransition.objects.filter(**_period("occurred_at", from_date, to_date)).order_by(
        "occurred_at", "pk"
    )


_CASE_FIELDS = (
    "pk", "number", "state", "outcome", "channel", "cause", "category", "customer_id", "card__last4",
    "received_at", "submitted_at", "reported_at", "reply_regime", "refund_owed", "refund_due_on",
    "refund_rule", "reply_due_on", "reply_rule", "reply_extended", "window_end_on", "out_of_window",
    "disputed_amount", "customer_share", "bank_share", "refunded_at", "refund_withheld_at", "decided_at",
    "reply_dispatched_at", "deemed_accepted_at", "withdrawn_at", "closed_at", "assignee__username",
)  # fmt: skip
_TRANSACTION_FIELDS = (
    "case_id", "case__number", "case__state", "transaction_id", "transaction__processor_reference",
    "transaction__card__last4", "transaction__executed_at", "transaction__debited_on",
    "transaction__processed_on", "transaction__channel", "transaction__status", "transaction__merchant_name",
    "transaction__mcc", "transaction__merchant_city", "transaction__merchant_country",
    "transaction__original_amount", "transaction__original_currency", "transaction__amount_pln", "amount",
    "transaction__sca_applied", "window_end_on", "window_rule", "out_of_window",
)  # fmt: skip
_TRANSITION_FIELDS = (
    "pk", "case_id", "case__number", "chargeback_id", "occurred_at", "name", "from_state", "to_state",
    "actor__username", "actor_kind", "reason", "letter_required",
)  # fmt: skip

TABLES: dict[ExportKind, Table] = {
    ExportKind.CASES: Table(_cases_in, _CASE_FIELDS, masked=frozenset({8})),
    ExportKind.TRANSACTIONS: Table(_links_in, _TRANSACTION_FIELDS, masked=frozenset({5})),
    ExportKind.TRANSITIONS: Table(_history_in, _TRANSITION_FIELDS),
}


def _table_rows(table: Table, from_date: date, to_date: date, chunk_size: int) -> RowSource:
    rows = table.rows(from_date, to_date)
    values = rows.values_list(*table.fields).iterator(chunk_size=chunk_size)
    if table.masked:
        values = (
            tuple(mask_card(v) if i in table.masked else v for i, v in enumerate(row)) for row in values
        )
    # A missing value (no assignee, no actor) is None: both writers leave its cell empty.
    return RowSource(rows.count(), values)


# The deadlines stored on a case, in the order a case runs into them.
_CASE_DEADLINES = (("REFUND", "refund"), ("REPLY", "reply"))


_EXPLAINED = ("basis_pl", "basis_en", "explanation_pl", "explanation_en")


def _explained(stored: dict[str, Any]) -> tuple[str, ...]:
    """The legal basis and the explanation in Polish and in English, each explanation with its dates in
    words in its own language, as the case page shows it (``deadlines.wording``); the record with its
    ISO dates stays in the case and the audit log. The cells do not depend on who asks for the file."""
    basis_pl, basis_en, explanation_pl, explanation_en = (stored.get(name, "") for name in _EXPLAINED)
    return (
        basis_pl,
        basis_en,
        readable_explanation(explanation_pl, language="pl"),
        readable_explanation(explanation_en, language="en"),
    )


def _deadline_rows(values: Row) -> Iterator[Row]:
    """A case's deadline rows: the D+1 refund, the reply, then each transaction's 13-month window."""
    pk, number, refund, reply, window_links, explanations = values
    explanations = explanations or {}
    for (label, key), (rule, due_on, due_at) in zip(_CASE_DEADLINES, (refund, reply), strict=True):
        if not rule:
            continue  # a draft has no deadlines yet
        stored = explanations.get(key) or {}
        start = _iso(stored.get("start_date"))
        yield (pk, number, label, None, rule, start, due_on, due_at, *_explained(stored))
    windows = explanations.get("window") or {}
    for transaction_id, window_end_on, window_rule in window_links:
        stored = windows.get(str(transaction_id)) or {}
        start, due_at = _iso(stored.get("start_date")), _instant(stored.get("due_at"))
        yield (
            pk, number, "WINDOW", transaction_id, window_rule, start, window_end_on, due_at,
            *_explained(stored),
        )  # fmt: skip


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _deadlines(from_date: date, to_date: date, chunk_size: int) -> RowSource:
    cases, links = _cases_in(from_date, to_date), _links_in(from_date, to_date)
    expected = (
        cases.exclude(refund_rule="").count()
        + cases.exclude(reply_rule="").count()
        + links.exclude(window_rule="").count()
    )
    case_rows = cases.values_list(
        "pk", "number", "refund_rule", "refund_due_on", "refund_due_at", "reply_rule", "reply_due_on",
        "reply_due_at", "deadline_explanations",
    )  # fmt: skip
    # The windows (one per disputed transaction) come from a second cursor in the same order, merged per case.
    link_rows = links.exclude(window_rule="").values_list(
        "case_id", "transaction_id", "window_end_on", "window_rule"
    )

    def rows() -> Iterator[Row]:
        pending = link_rows.iterator(chunk_size=chunk_size)
        link = next(pending, None)
        for pk, number, r_rule, r_on, r_at, p_rule, p_on, p_at, explanations in case_rows.iterator(
            chunk_size=chunk_size
        ):
            mine = []
            while link is not None and link[0] == pk:
                mine.append(link[1:])
                link = next(pending, None)
            yield from _deadline_rows(
                (pk, number, (r_rule, r_on, r_at), (p_rule, p_on, p_at), mine, explanations)
            )

    return RowSource(expected, rows())


def _audit_log(from_date: date, to_date: date, chunk_size: int) -> RowSource:
    entries = AuditEntry.objects.filter(**_period("recorded_at", from_date, to_date))
    # The export writes entries of its own while it runs: stop at the last one there was when it began.
    last = entries.aggregate(last=Max("sequence"))["last"] or 0
    entries = entries.filter(sequence__lte=last)
    rows = entries.order_by("sequence").values_list(
        "sequence", "recorded_at", "action", "actor_repr", "role", "channel", "ip_address", "request_id",
        "object_label", "object_id", "object_repr", "before", "after", "data", "previous_hash", "entry_hash",
    )  # fmt: skip
    return RowSource(entries.count(), iter(rows.iterator(chunk_size=chunk_size)))


SOURCES: dict[ExportKind, Callable[[date, date, int], RowSource]] = {
    ExportKind.DEADLINES: _deadlines,
    ExportKind.AUDIT_LOG: _audit_log,
}


def export_rows(*, kind: str, from_date: date, to_date: date, chunk_size: int) -> RowSource:
    """The rows of an export over the Warsaw dates ``from_date``..``to_date`` (both included)."""
    kind = ExportKind(kind)
    if kind in TABLES:
        return _table_rows(TABLES[kind], from_date, to_date, chunk_size)
    return SOURCES[kind](from_date, to_date, chunk_size)


def export_jobs_visible(*, mine_only_for: User | None = None) -> QuerySet[ExportJob]:
    """The exports a report reader sees: everyone's, or only ``mine_only_for``'s."""
    jobs = ExportJob.objects.select_related("requested_by")
    return jobs.filter(requested_by=mine_only_for) if mine_only_for is not None else jobs


def export_job_get(*, job_id: int) -> ExportJob:
    """One export by id (``ExportJob.DoesNotExist`` when there is none)."""
    return ExportJob.objects.select_related("requested_by").get(pk=job_id)
