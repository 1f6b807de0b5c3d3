"""The report of a period: every figure, counted in three aggregate queries."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Aggregate, Count, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cards.models import Scheme
from chargebacks.models import Chargeback
from disputes.models import CASE_CHANNELS, Case, Cause
from kartosfera.money import ZERO
from kartosfera.vocabulary import subset_choices
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind
from reports.rules import Period, ageing_buckets, share
from reports.selectors._filters import (
    CHARGEBACK_OUTCOMES,
    case_filters,
    chargeback_outcome,
    instants,
    period_as_of,
    volume_filters,
)


def pln(total: Decimal | None) -> Decimal:
    """A database sum as PLN to the grosz (SQLite sums decimals with trailing digits); 0.00 for none."""
    return ZERO if total is None else Decimal(total).quantize(ZERO)


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the report: a count of cases (with an amount where money is counted)."""

    key: str  # names the figure in the drill-down link
    label: str | Promise
    count: int
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Compliance:
    """A deadline's figures and the share of the deadlines met (None: nothing was due)."""

    figures: list[Figure]
    met: int
    judged: int
    share: Decimal | None


@dataclass(frozen=True, slots=True)
class SchemeOutcomes:
    scheme: str
    label: str
    figures: list[Figure]


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    refunds: Compliance
    replies: Compliance
    extended: Figure
    received: Figure
    by_cause: list[Figure]
    by_channel: list[Figure]
    by_brand: list[Figure]
    money: list[Figure]
    liability_cases: Figure
    liability_customer: Decimal
    liability_bank: Decimal
    chargebacks: list[SchemeOutcomes]
    ageing: list[Figure]
    open_cases: Figure
    as_of: datetime = field(repr=False, default=None)  # type: ignore[assignment]
    ends_now: bool = False  # the period ends today: open cases are counted as of now


def alias(key: str) -> str:
    return key.replace(".", "__").replace("-", "_")


def _compliance(
    counts: Mapping[str, Any], prefix: str, labels: Mapping[str, Promise], missed: tuple[str, ...]
) -> Compliance:
    figures = [
        Figure(f"{prefix}.{name}", label, counts[alias(f"{prefix}.{name}")]) for name, label in labels.items()
    ]
    met = counts[alias(f"{prefix}.in_time")]
    judged = met + sum(counts[alias(f"{prefix}.{name}")] for name in missed)
    return Compliance(figures=figures, met=met, judged=judged, share=share(met, judged))


REFUND_LABELS = {
    "all": _("D+1 refunds due in the period"),
    "in_time": _("refunded within D+1"),
    "late": _("refunded late or not refunded by the deadline"),
    "withheld": _("withheld in time, fraud suspected (UUP-46-1-FRAUD)"),
    "withdrawn": _("withdrawn before the deadline"),
    "pending": _("deadline not yet passed"),
}
REPLY_LABELS = {
    "all": _("replies due in the period"),
    "in_time": _("reply dispatched in time"),
    "late": _("reply dispatched late"),
    "deemed": _("deemed accepted, no reply in time (REK-8)"),
    "overdue": _("deadline passed, no reply and not yet deemed accepted"),
    "withdrawn": _("withdrawn before the deadline"),
    "pending": _("deadline not yet passed"),
}
LEDGER_LABELS: dict[str, Promise] = {
    LedgerKind.PROVISIONAL_REFUND: _("refunded provisionally (D+1)"),
    LedgerKind.FINAL_REFUND: _("refunded on acceptance"),
    LedgerKind.RECOVERY: _("recovered from customers"),
    LedgerKind.REVERSAL: _("refunds reversed"),
    LedgerKind.CHARGEBACK_CREDIT: _("charged back (credited by acquirers)"),
}


def report_figures(*, period: Period, now: datetime) -> Report:
    """Every figure of the report for ``period`` (Warsaw dates) as of ``now``, in three queries."""
    filters = case_filters(period, now)
    aggregates: dict[str, Aggregate] = {alias(key): Count("pk", filter=q) for key, q in filters.items()}
    for key, q in volume_filters(period).items():
        aggregates[alias(key) + "__amount"] = Sum("disputed_amount", filter=q)
    decided = filters["liability.decided"]
    aggregates["liability__customer"] = Sum("decision_assessment__customer_total", filter=decided)
    aggregates["liability__bank"] = Sum("decision_assessment__bank_total", filter=decided)
    # Every figure's filter implies one of the cohorts: reading only the cases in one of them lets the
    # database use the indexes on the due dates, the receipt and the decision time.
    cohorts = ("refund.all", "reply.all", "received.all", "ageing.all", "liability.decided")
    counts = Case.objects.filter(reduce(or_, (filters[key] for key in cohorts))).aggregate(**aggregates)

    start, end = instants(period)
    in_period = Q(created_at__gte=start, created_at__lt=end)
    ledger_aggregates: dict[str, Aggregate] = {}
    for kind in LedgerKind.values:
        ledger_aggregates[f"{kind}__count"] = Count("case", distinct=True, filter=in_period & Q(kind=kind))
        ledger_aggregates[f"{kind}__amount"] = Sum("amount", filter=in_period & Q(kind=kind))
    ledger = LedgerEntry.objects.aggregate(**ledger_aggregates)

    chargeback_aggregates: dict[str, Aggregate] = {}
    for scheme in Scheme.values:
        for outcome in CHARGEBACK_OUTCOMES:
            q = in_period & Q(scheme=scheme) & chargeback_outcome(outcome, period_as_of(period, now))
            chargeback_aggregates[f"{scheme}__{outcome}__count"] = Count("pk", filter=q)
            chargeback_aggregates[f"{scheme}__{outcome}__amount"] = Sum("amount", filter=q)
    chargebacks = Chargeback.objects.aggregate(**chargeback_aggregates)

    def volume(key: str, label: str | Promise) -> Figure:
        return Figure(key, label, counts[alias(key)], pln(counts[alias(key) + "__amount"]))

    return Report(
        period=period,
        refunds=_compliance(counts, "refund", REFUND_LABELS, ("late",)),
        replies=_compliance(counts, "reply", REPLY_LABELS, ("late", "deemed", "overdue")),
        extended=Figure(
            "reply.extended", _("reply deadline extended (REK-7 / UUP-PS-35)"), counts["reply__extended"]
        ),
        received=volume("received.all", _("claims received")),
        by_cause=[volume(f"cause.{value}", label) for value, label in Cause.choices],
        by_channel=[volume(f"channel.{value}", label) for value, label in subset_choices(CASE_CHANNELS)],
        by_brand=[volume(f"brand.{value}", label) for value, label in Scheme.choices],
        money=[
            Figure(
                f"ledger.{kind}",
                LEDGER_LABELS[kind],
                ledger[f"{kind}__count"],
                pln(ledger[f"{kind}__amount"]),
            )
            for kind in LedgerKind.values
        ],
        liability_cases=Figure(
            "liability.decided", _("cases decided with a liability assessment"), counts["liability__decided"]
        ),
        liability_customer=pln(counts["liability__customer"]),
        liability_bank=pln(counts["liability__bank"]),
        chargebacks=[
            SchemeOutcomes(
                scheme,
                str(label),
                [
                    Figure(
                        f"chargeback.{scheme}.{outcome}",
                        outcome_label,
                        chargebacks[f"{scheme}__{outcome}__count"],
                        pln(chargebacks[f"{scheme}__{outcome}__amount"]),
                    )
                    for outcome, (outcome_label, _lookup) in CHARGEBACK_OUTCOMES.items()
                ],
            )
            for scheme, label in Scheme.choices
        ],
        ageing=[
            Figure(
                f"ageing.{bucket.key}",
                ageing_label(bucket.first, bucket.last),
                counts[alias(f"ageing.{bucket.key}")],
            )
            for bucket in ageing_buckets(period.last)
        ],
        open_cases=Figure("ageing.all", _("cases open at the end of the period"), counts["ageing__all"]),
        as_of=min(end, now),
        ends_now=now < end,
    )


def ageing_label(first: int, last: int | None) -> str:
    if last is None:
        return _("over %(first)s days") % {"first": first - 1}
    return _("%(first)s–%(last)s days") % {"first": first, "last": last}
