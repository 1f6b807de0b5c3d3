"""The filter over the cases of each figure of the report (docs/REPORTS.md defines each).

The report counts with these filters and the drill-down lists the cases with the very same one, so a
count and its list always agree.
"""

from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cards.models import Scheme
from chargebacks.models import Chargeback, ChargebackState
from disputes.models import CASE_CHANNELS, REPLY_NOT_IN_TIME, Cause
from disputes.selectors import deadline_passed
from kartosfera.legaltime import day_end, day_start
from kartosfera.vocabulary import choice_values
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind
from reports.rules import Period, ageing_buckets


class UnknownFigure(Exception):
    """The drill-down names no figure of the report."""


def instants(period: Period) -> tuple[datetime, datetime]:
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
    # Replied in time or not: the workflow's own definition (``REPLY_NOT_IN_TIME``, the queryset form
    # of the case's guard ``dispatched_in_time``), so the report and the REK-8 sweep never disagree.
    # A case deemed accepted (REK-8) stays deemed when the notice of it is posted afterwards: that
    # dispatch is recorded as its reply, but the law settled the complaint first.
    return {
        "reply.all": cohort,
        "reply.in_time": cohort & ~REPLY_NOT_IN_TIME,
        "reply.late": cohort
        & REPLY_NOT_IN_TIME
        & Q(reply_dispatched_at__isnull=False, deemed_accepted_at__isnull=True),
        "reply.deemed": cohort & REPLY_NOT_IN_TIME & Q(deemed_accepted_at__isnull=False),
        "reply.overdue": cohort & still_due & deadline_passed("reply_due_at", now=now),
        "reply.withdrawn": cohort & unanswered & _before("withdrawn_at", due),
        "reply.pending": cohort & still_due & ~deadline_passed("reply_due_at", now=now),
        "reply.extended": cohort & Q(reply_extended=True),
    }


def volume_filters(period: Period) -> dict[str, Q]:
    """The claims received in the period, by cause, channel and card brand."""
    start, end = instants(period)
    cohort = Q(submitted_at__isnull=False, received_at__gte=start, received_at__lt=end)
    filters = {"received.all": cohort}
    filters |= {f"cause.{value}": cohort & Q(cause=value) for value in Cause.values}
    filters |= {f"channel.{value}": cohort & Q(channel=value) for value in choice_values(CASE_CHANNELS)}
    filters |= {f"brand.{value}": cohort & Q(card__brand=value) for value in Scheme.values}
    return filters


def _ageing_filters(period: Period, now: datetime) -> dict[str, Q]:
    """The cases open at the end of the period (or now, for a period ending today), by age."""
    as_of = period_as_of(period, now)
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
    start, end = instants(period)
    return {
        "liability.decided": Q(decided_at__gte=start, decided_at__lt=end, decision_assessment__isnull=False)
    }


def case_filters(period: Period, now: datetime) -> dict[str, Q]:
    return (
        _refund_filters(period, now)
        | _reply_filters(period, now)
        | volume_filters(period)
        | _ageing_filters(period, now)
        | _decided_filter(period)
    )


def _ledger_entries(period: Period, kind: str) -> QuerySet[LedgerEntry]:
    start, end = instants(period)
    return LedgerEntry.objects.filter(kind=kind, created_at__gte=start, created_at__lt=end)


def _chargebacks(period: Period, scheme: str, outcome: str, now: datetime) -> QuerySet[Chargeback]:
    start, end = instants(period)
    return Chargeback.objects.filter(
        chargeback_outcome(outcome, period_as_of(period, now)),
        scheme=scheme,
        created_at__gte=start,
        created_at__lt=end,
    )


def period_as_of(period: Period, now: datetime) -> datetime:
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


def chargeback_outcome(outcome: str, as_of: datetime) -> Q:
    state = CHARGEBACK_OUTCOMES[outcome][1]
    if state is None:
        return Q(resolved_at__isnull=True) | Q(resolved_at__gte=as_of)
    return Q(state=state, resolved_at__lt=as_of)


def figure_filter(key: str, period: Period, now: datetime) -> Q:
    """The filter over the cases of the figure ``key`` (see ``report_figures``)."""
    kind, _dot, rest = key.partition(".")
    if kind == "ledger" and rest in LedgerKind.values:
        return Q(pk__in=_ledger_entries(period, rest).values("case_id"))
    if kind == "chargeback":
        scheme, _dot, outcome = rest.partition(".")
        if scheme in Scheme.values and outcome in CHARGEBACK_OUTCOMES:
            return Q(pk__in=_chargebacks(period, scheme, outcome, now).values("case_id"))
    filters = case_filters(period, now)
    if key not in filters:
        raise UnknownFigure(key)
    return filters[key]
