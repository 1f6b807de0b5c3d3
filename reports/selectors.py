"""Reads of the auditors' reports: the figures of a period, the cases behind each figure, a case replay.

Every figure is one filter over the cases (docs/REPORTS.md defines each); the report counts them all
in three aggregate queries (cases, ledger entries, chargebacks), and the drill-down lists the cases
of one figure with the very same filter, so a count and its list always agree.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.selectors import RecordedComputation, case_replay
from cards.models import Scheme
from chargebacks.models import Chargeback, ChargebackState
from disputes.models import (
    CASE_CHANNELS,
    Case,
    Cause,
    Channel,
)
from disputes.selectors import deadline_passed
from kartosfera.legaltime import day_end, day_start
from kartosfera.money import ZERO
from kartosfera.vocabulary import choice_values, subset_choices
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind
from reports.rules import Period, ageing_buckets, share

CASES_PER_PAGE = 50


def _pln(total: Decimal | None) -> Decimal:
    """A database sum as PLN to the grosz (SQLite sums decimals with trailing digits); 0.00 for none."""
    return ZERO if total is None else Decimal(total).quantize(ZERO)


class UnknownFigure(Exception):
    """The drill-down names no figure of the report."""


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


def _instants(period: Period) -> tuple[datetime, datetime]:
    return day_start(period.first), day_end(period.last)


def _none_or_gte(name: str, bound: F | datetime) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": bound})


def _before(name: str, bound: F | datetime) -> Q:
    return Q(**{f"{name}__isnull": False, f"{name}__lt": bound})


def _refund_filters(period: Period, now: datetime) -> dict[str, Q]:
    """UUP-46-1 (D+1): the refunds owed whose due date is in the period, by how the deadline went.

    A refund is made when the core banking system confirmed its credit (``refund_confirmed_at``), as
    the sweep and the queues count it (docs/WORKFLOW.md, "When the D+1 refund is made"), not when our
    ledger recorded it (``refunded_at``)."""
    due = F("refund_due_at")
    cohort = Q(submitted_at__isnull=False, refund_owed=True, refund_due_on__range=(period.first, period.last))
    in_time = _before("refund_confirmed_at", due)
    not_in_time = _none_or_gte("refund_confirmed_at", due)
    withheld = _before("refund_withheld_at", due)
    not_withheld = _none_or_gte("refund_withheld_at", due)
    rest = not_in_time & not_withheld & _none_or_gte("withdrawn_at", due)
    return {
        "refund.all": cohort,
        "refund.in_time": cohort & in_time,
        "refund.late": cohort
        & rest
        & (Q(refund_confirmed_at__isnull=False) | deadline_passed("refund_due_at", now=now)),
        "refund.withheld": cohort & not_in_time & withheld,
        "refund.withdrawn": cohort & not_in_time & not_withheld & _before("withdrawn_at", due),
        "refund.pending": cohort
        & rest
        & Q(refund_confirmed_at__isnull=True)
        & ~deadline_passed("refund_due_at", now=now),
    }


def _reply_filters(period: Period, now: datetime) -> dict[str, Q]:
    """REK-6/7, UUP-PS-15/35: the replies whose (possibly extended) due date is in the period."""
    due = F("reply_due_at")
    cohort = Q(submitted_at__isnull=False, reply_due_on__range=(period.first, period.last))
    unanswered = Q(reply_dispatched_at__isnull=True, deemed_accepted_at__isnull=True)
    still_due = unanswered & _none_or_gte("withdrawn_at", due)
    return {
        "reply.all": cohort,
        "reply.in_time": cohort & _before("reply_dispatched_at", due),
        "reply.late": cohort & Q(reply_dispatched_at__isnull=False, reply_dispatched_at__gte=due),
        "reply.deemed": cohort & Q(reply_dispatched_at__isnull=True, deemed_accepted_at__isnull=False),
        "reply.overdue": cohort & still_due & deadline_passed("reply_due_at", now=now),
        "reply.withdrawn": cohort & unanswered & _before("withdrawn_at", due),
        "reply.pending": cohort & still_due & ~deadline_passed("reply_due_at", now=now),
        "reply.extended": cohort & Q(reply_extended=True),
    }


def _volume_filters(period: Period) -> dict[str, Q]:
    """The claims received in the period, by cause, channel and card brand."""
    start, end = _instants(period)
    cohort = Q(submitted_at__isnull=False, received_at__gte=start, received_at__lt=end)
    filters = {"received.all": cohort}
    filters |= {f"cause.{value}": cohort & Q(cause=value) for value in Cause.values}
    filters |= {f"channel.{value}": cohort & Q(channel=value) for value in choice_values(CASE_CHANNELS)}
    filters |= {f"brand.{value}": cohort & Q(card__brand=value) for value in Scheme.values}
    return filters


def _ageing_filters(period: Period, now: datetime) -> dict[str, Q]:
    """The cases open at the end of the period (or now, for a period ending today), by age."""
    as_of = _period_as_of(period, now)
    still_open = Q(submitted_at__isnull=False, submitted_at__lt=as_of)
    still_open &= _none_or_gte("withdrawn_at", as_of) & _none_or_gte("closed_at", as_of)
    filters = {"ageing.all": still_open}
    for bucket in ageing_buckets(period.last):
        received = Q(received_at__lt=day_end(bucket.received_to))
        if bucket.received_from is not None:
            received &= Q(received_at__gte=day_start(bucket.received_from))
        filters[f"ageing.{bucket.key}"] = still_open & received
    return filters


def _decided_filter(period: Period) -> dict[str, Q]:
    start, end = _instants(period)
    return {
        "liability.decided": Q(decided_at__gte=start, decided_at__lt=end, decision_assessment__isnull=False)
    }


def _case_filters(period: Period, now: datetime) -> dict[str, Q]:
    return (
        _refund_filters(period, now)
        | _reply_filters(period, now)
        | _volume_filters(period)
        | _ageing_filters(period, now)
        | _decided_filter(period)
    )


def _ledger_entries(period: Period, kind: str):
    start, end = _instants(period)
    return LedgerEntry.objects.filter(kind=kind, created_at__gte=start, created_at__lt=end)


def _chargebacks(period: Period, scheme: str, outcome: str, now: datetime):
    start, end = _instants(period)
    return Chargeback.objects.filter(
        _chargeback_outcome(outcome, _period_as_of(period, now)),
        scheme=scheme,
        created_at__gte=start,
        created_at__lt=end,
    )


def _period_as_of(period: Period, now: datetime) -> datetime:
    """The instant a period's standing is judged at: its end, or now for a period that ends today."""
    return min(day_end(period.last), now)


# The outcome of a chargeback opened in the period, as it stood at the end of the period: a result
# (won, lost, not filed) is final and stamped ``resolved_at``; one reached after the period's end
# leaves the chargeback open in that period's report.
CHARGEBACK_OUTCOMES: dict[str, tuple[Promise, str | None]] = {
    "WON": (_("won"), ChargebackState.WON),
    "LOST": (_("lost"), ChargebackState.LOST),
    "OPEN": (_("open"), None),
    "NOT_FILED": (_("not filed"), ChargebackState.NOT_FILED),
}


def _chargeback_outcome(outcome: str, as_of: datetime) -> Q:
    state = CHARGEBACK_OUTCOMES[outcome][1]
    if state is None:
        return Q(resolved_at__isnull=True) | Q(resolved_at__gte=as_of)
    return Q(state=state, resolved_at__lt=as_of)


def _figure_filter(key: str, period: Period, now: datetime) -> Q:
    """The filter over the cases of the figure ``key`` (see ``report_figures``)."""
    kind, _dot, rest = key.partition(".")
    if kind == "ledger" and rest in LedgerKind.values:
        return Q(pk__in=_ledger_entries(period, rest).values("case_id"))
    if kind == "chargeback":
        scheme, _dot, outcome = rest.partition(".")
        if scheme in Scheme.values and outcome in CHARGEBACK_OUTCOMES:
            return Q(pk__in=_chargebacks(period, scheme, outcome, now).values("case_id"))
    filters = _case_filters(period, now)
    if key not in filters:
        raise UnknownFigure(key)
    return filters[key]


def _alias(key: str) -> str:
    return key.replace(".", "__").replace("-", "_")


def _compliance(counts: dict, prefix: str, labels: dict[str, Promise], missed: tuple[str, ...]) -> Compliance:
    figures = [
        Figure(f"{prefix}.{name}", label, counts[_alias(f"{prefix}.{name}")])
        for name, label in labels.items()
    ]
    met = counts[_alias(f"{prefix}.in_time")]
    judged = met + sum(counts[_alias(f"{prefix}.{name}")] for name in missed)
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
LEDGER_LABELS = {
    LedgerKind.PROVISIONAL_REFUND: _("refunded provisionally (D+1)"),
    LedgerKind.FINAL_REFUND: _("refunded on acceptance"),
    LedgerKind.RECOVERY: _("recovered from customers"),
    LedgerKind.REVERSAL: _("refunds reversed"),
    LedgerKind.CHARGEBACK_CREDIT: _("charged back (credited by acquirers)"),
}


def report_figures(*, period: Period, now: datetime) -> Report:
    """Every figure of the report for ``period`` (Warsaw dates) as of ``now``, in three queries."""
    filters = _case_filters(period, now)
    aggregates = {_alias(key): Count("pk", filter=q) for key, q in filters.items()}
    for key, q in _volume_filters(period).items():
        aggregates[_alias(key) + "__amount"] = Sum("disputed_amount", filter=q)
    decided = filters["liability.decided"]
    aggregates["liability__customer"] = Sum("decision_assessment__customer_total", filter=decided)
    aggregates["liability__bank"] = Sum("decision_assessment__bank_total", filter=decided)
    # Every figure's filter implies one of the cohorts: reading only the cases in one of them lets the
    # database use the indexes on the due dates, the receipt and the decision time.
    cohorts = ("refund.all", "reply.all", "received.all", "ageing.all", "liability.decided")
    counts = Case.objects.filter(reduce(or_, (filters[key] for key in cohorts))).aggregate(**aggregates)

    start, end = _instants(period)
    in_period = Q(created_at__gte=start, created_at__lt=end)
    ledger_aggregates = {}
    for kind in LedgerKind.values:
        ledger_aggregates[f"{kind}__count"] = Count("case", distinct=True, filter=in_period & Q(kind=kind))
        ledger_aggregates[f"{kind}__amount"] = Sum("amount", filter=in_period & Q(kind=kind))
    ledger = LedgerEntry.objects.aggregate(**ledger_aggregates)

    chargeback_aggregates = {}
    for scheme in Scheme.values:
        for outcome in CHARGEBACK_OUTCOMES:
            q = in_period & Q(scheme=scheme) & _chargeback_outcome(outcome, _period_as_of(period, now))
            chargeback_aggregates[f"{scheme}__{outcome}__count"] = Count("pk", filter=q)
            chargeback_aggregates[f"{scheme}__{outcome}__amount"] = Sum("amount", filter=q)
    chargebacks = Chargeback.objects.aggregate(**chargeback_aggregates)

    def volume(key: str, label) -> Figure:
        return Figure(key, label, counts[_alias(key)], _pln(counts[_alias(key) + "__amount"]))

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
                _pln(ledger[f"{kind}__amount"]),
            )
            for kind in LedgerKind.values
        ],
        liability_cases=Figure(
            "liability.decided", _("cases decided with a liability assessment"), counts["liability__decided"]
        ),
        liability_customer=_pln(counts["liability__customer"]),
        liability_bank=_pln(counts["liability__bank"]),
        chargebacks=[
            SchemeOutcomes(
                scheme,
                str(label),
                [
                    Figure(
                        f"chargeback.{scheme}.{outcome}",
                        outcome_label,
                        chargebacks[f"{scheme}__{outcome}__count"],
                        _pln(chargebacks[f"{scheme}__{outcome}__amount"]),
                    )
                    for outcome, (outcome_label, _lookup) in CHARGEBACK_OUTCOMES.items()
                ],
            )
            for scheme, label in Scheme.choices
        ],
        ageing=[
            Figure(
                f"ageing.{bucket.key}",
                _ageing_label(bucket.first, bucket.last),
                counts[_alias(f"ageing.{bucket.key}")],
            )
            for bucket in ageing_buckets(period.last)
        ],
        open_cases=Figure("ageing.all", _("cases open at the end of the period"), counts["ageing__all"]),
        as_of=min(end, now),
        ends_now=now < end,
    )


def _ageing_label(first: int, last: int | None) -> str:
    if last is None:
        return _("over %(first)s days") % {"first": first - 1}
    return _("%(first)s–%(last)s days") % {"first": first, "last": last}


@dataclass(frozen=True, slots=True)
class FigureCases:
    key: str
    label: str
    page: Page


def figure_label(key: str) -> str:
    """A readable name of the figure ``key`` for the drill-down heading."""
    kind, _dot, rest = key.partition(".")
    names: dict[str, Callable[[str], str]] = {
        "refund": lambda name: f"{_('D+1 refund')}: {REFUND_LABELS[name]}",
        "reply": lambda name: (
            f"{_('Reply')}: {REPLY_LABELS.get(name) or _('reply deadline extended (REK-7 / UUP-PS-35)')}"
        ),
        "received": lambda name: str(_("claims received")),
        "cause": lambda name: f"{_('Cause')}: {Cause(name).label}",
        "channel": lambda name: f"{_('Channel')}: {Channel(name).label}",
        "brand": lambda name: f"{_('Card brand')}: {Scheme(name).label}",
        "ledger": lambda name: f"{_('Ledger')}: {LEDGER_LABELS[name]}",
        "liability": lambda name: str(_("cases decided with a liability assessment")),
        "chargeback": lambda name: "{}: {} — {}".format(
            _("Chargebacks"), Scheme(name.split(".")[0]).label, CHARGEBACK_OUTCOMES[name.split(".")[1]][0]
        ),
        "ageing": lambda name: (
            f"{_('Open cases')}: "
            + (str(_("all")) if name == "all" else _ageing_label(*_bucket_bounds(name)))
        ),
    }
    return names[kind](rest)


def _bucket_bounds(key: str) -> tuple[int, int | None]:
    first, _dash, last = key.partition("-")
    return int(first), int(last) if last else None


def figure_cases(
    *, period: Period, key: str, now: datetime, page_number: int | str | None = 1
) -> FigureCases:
    """The cases counted in the figure ``key`` of the report for ``period``, a page at a time.

    :raises UnknownFigure: ``key`` names no figure of the report.
    """
    cases = (
        Case.objects.filter(_figure_filter(key, period, now))
        .select_related("card", "customer")
        .order_by("received_at", "pk")
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(page_number)
    return FigureCases(key=key, label=figure_label(key), page=page)


@dataclass(frozen=True, slots=True)
class CaseReplay:
    case: Case
    computations: list[RecordedComputation]


def case_replay_page(*, case_id: int) -> CaseReplay:
    """A case and every deadline and liability computation recorded for it, as recorded then.

    :raises Case.DoesNotExist: no such case.
    """
    case = Case.objects.select_related("card", "customer").get(pk=case_id)
    return CaseReplay(case=case, computations=case_replay(case_id=case.pk))
