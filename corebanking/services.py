"""Writes of the core banking postings: record them with their ledger entries, dispatch them, reconcile.

``postings_record`` is called by the dispute workflow inside the transaction that writes the ledger
entries, so a ledger entry and its posting commit or roll back together (a transactional outbox).
``posting_dispatch_due`` sends due postings through the ``CoreBankingGateway`` and records the core
system's confirmation (and sends ``corebanking.signals.posting_confirmed`` in its transaction, which
the dispute workflow handles: the D+1 refund is made when its credits are confirmed, and the customer
is told of money taken back when its debits are);
``reconciliation_run`` compares a business day's postings with the core
system's statement and records every difference for supervisors.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Q

from audit.services import audit_record
from corebanking.gateway import CoreBankingError, CoreBankingGateway, CoreBankingRefused, StatementLine
from corebanking.models import (
    DifferenceKind,
    Posting,
    PostingDirection,
    PostingStatus,
    ReconciliationDifference,
)
from corebanking.signals import posting_confirmed
from kartosfera.legaltime import day_end, day_start, in_time

logger = logging.getLogger(__name__)

# Kinds of ledger entry that take money from the customer's account; the others give it.
DEBIT_KINDS = frozenset({"RECOVERY", "REVERSAL"})
# The bank's own account for what the acquirer pays back on a chargeback.
CHARGEBACK_SETTLEMENT_ACCOUNT = "BANK-CHARGEBACK-SETTLEMENT"
# Retry backoff: 30 s doubling up to an hour; a posting is never given up (money owed stays owed).
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600

POSTING_CONFIRMED = "posting.confirmed"
POSTING_REFUSED = "posting.refused"
RECONCILIATION_DIFFERENCE = "reconciliation.difference_found"


class _Card(Protocol):
    @property
    def processor_token(self) -> str: ...


class _Transaction(Protocol):
    @property
    def card(self) -> _Card: ...


class _Case(Protocol):
    @property
    def number(self) -> str | None: ...


class PostedEntry(Protocol):
    """What a posting is made of: a ledger entry of the dispute workflow, an app above this one."""

    pk: int
    kind: str
    idempotency_key: str
    amount: Decimal
    currency: str
    created_at: datetime

    @property
    def case(self) -> _Case: ...
    @property
    def transaction(self) -> _Transaction: ...
    def get_kind_display(self) -> str: ...


def posting_account(entry: PostedEntry) -> str:
    """The core system's account a ledger entry moves money on: the card's account, or the bank's."""
    if entry.kind == "CHARGEBACK_CREDIT":
        return CHARGEBACK_SETTLEMENT_ACCOUNT
    return f"CARD-{entry.transaction.card.processor_token}"


def postings_record(*, entries: Iterable[PostedEntry], now: datetime) -> list[Posting]:
    """Write the posting of each new ledger entry (call inside the ledger entry's transaction)."""
    postings = [
        Posting(
            ledger_entry_id=entry.pk,
            idempotency_key=f"kartosfera:ledger:{entry.pk}:{entry.idempotency_key}"[:120],
            account=posting_account(entry),
            direction=PostingDirection.DEBIT if entry.kind in DEBIT_KINDS else PostingDirection.CREDIT,
            amount=abs(entry.amount),
            currency=entry.currency,
            description=f"{entry.get_kind_display()} {entry.case.number}"[:140],
            next_attempt_at=now,
            recorded_at=entry.created_at,
        )
        for entry in entries
        if entry.amount
    ]
    return Posting.objects.bulk_create(postings)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def posting_send(*, posting_id: int, gateway: CoreBankingGateway, now: datetime) -> Posting:
    """Send one pending posting and record the answer: confirmed, or the error and the next attempt.

    The row stays locked while the core system answers, so two dispatchers never send it at once; if
    this process dies mid-call the transaction rolls back and the posting is sent again with the same
    idempotency key, which the core system applies once.
    """
    with transaction.atomic():
        posting = Posting.objects.select_for_update().get(pk=posting_id)
        if posting.status == PostingStatus.CONFIRMED:
            return posting
        posting.attempts += 1
        try:
            receipt = gateway.post(
                idempotency_key=posting.idempotency_key,
                account=posting.account,
                direction=posting.direction,
                amount=posting.amount,
                currency=posting.currency,
                description=posting.description,
            )
        except CoreBankingError as error:
            posting.last_error = f"{type(error).__name__}: {error}"[:1000]
            posting.next_attempt_at = now + (
                timedelta(seconds=RETRY_MAX_SECONDS)
                if isinstance(error, CoreBankingRefused)
                else _backoff(posting.attempts)
            )
            posting.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            if isinstance(error, CoreBankingRefused):
                audit_record(
                    action=POSTING_REFUSED,
                    actor=None,
                    obj=posting,
                    data={"error": posting.last_error},
                    now=now,
                )
            logger.warning("posting %s not confirmed: %s", posting.idempotency_key, posting.last_error)
            return posting
        posting.status = PostingStatus.CONFIRMED
        posting.confirmed_at = now
        posting.core_reference = receipt.core_reference
        posting.core_applied_at = receipt.applied_at
        posting.last_error = ""
        posting.save()
        audit_record(
            action=POSTING_CONFIRMED,
            actor=None,
            obj=posting,
            data={
                "idempotency_key": posting.idempotency_key,
                "core_reference": receipt.core_reference,
                "ledger_entry": posting.ledger_entry_id,
                "attempts": posting.attempts,
            },
            now=now,
        )
        posting_confirmed.send(sender=Posting, posting=posting, now=now)
        return posting


def postings_dispatch_due(*, gateway: CoreBankingGateway, now: datetime, limit: int = 100) -> dict[str, int]:
    """Send up to ``limit`` postings whose next attempt is due; returns how many were confirmed and not."""
    due = list(
        Posting.objects.filter(status=PostingStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"confirmed": 0, "pending": 0}
    for posting_id in due:
        posting = posting_send(posting_id=posting_id, gateway=gateway, now=now)
        counts["confirmed" if posting.status == PostingStatus.CONFIRMED else "pending"] += 1
    return counts


# A difference's two sides as the reconciliation records them (plain JSON).
Side = dict[str, Any]


def _difference(
    business_date: date,
    kind: str,
    key: str,
    *,
    posting: Posting | None,
    ours: Side,
    theirs: Side,
    now: datetime,
) -> ReconciliationDifference | None:
    difference, created = ReconciliationDifference.objects.get_or_create(
        business_date=business_date,
        kind=kind,
        idempotency_key=key,
        defaults={"posting": posting, "ours": ours, "theirs": theirs, "found_at": now},
    )
    if not created:
        return None
    audit_record(
        action=RECONCILIATION_DIFFERENCE,
        actor=None,
        obj=difference,
        data={"business_date": business_date, "kind": kind, "key": key, "ours": ours, "theirs": theirs},
        now=now,
    )
    return difference


def _line_side(line: StatementLine) -> Side:
    """The core system's side of a difference: its statement line."""
    return {
        "amount": str(line.amount),
        "direction": line.direction,
        "account": line.account,
        "applications": line.applications,
    }


def _posting_differences(posting: Posting, line: StatementLine | None) -> list[tuple[str, Side, Side]]:
    """How one of our postings differs from the core system's line for it (None: the statement has
    none): each difference's kind, our side and theirs, in the order they are recorded."""
    mine: Side = {"amount": str(posting.amount), "direction": posting.direction, "account": posting.account}
    found: list[tuple[str, Side, Side]] = []
    due_at = posting.ledger_entry.case.refund_due_at
    confirmed_at = posting.confirmed_at
    if (
        posting.ledger_entry.kind == "PROVISIONAL_REFUND"
        and due_at
        and confirmed_at
        and not in_time(confirmed_at, due_at)
    ):
        # The refund is made when the core system confirms the credit (docs/WORKFLOW.md).
        late = {**mine, "refund_due_at": due_at.isoformat(), "confirmed_at": confirmed_at.isoformat()}
        found.append((DifferenceKind.REFUND_LATE, late, {}))
    if line is None:
        pending = posting.status == PostingStatus.PENDING
        found.append((DifferenceKind.UNCONFIRMED if pending else DifferenceKind.MISSING_AT_CORE, mine, {}))
        return found
    theirs = _line_side(line)
    if (
        line.amount != posting.amount
        or line.direction != posting.direction
        or line.account != posting.account
    ):
        found.append((DifferenceKind.AMOUNT_DIFFERS, mine, theirs))
    if line.applications > 1:
        found.append((DifferenceKind.APPLIED_TWICE, mine, theirs))
    return found


def reconciliation_run(
    *, business_date: date, gateway: CoreBankingGateway, now: datetime
) -> list[ReconciliationDifference]:
    """Compare the postings of a Warsaw business day with the core system's statement; record each new
    difference (a difference already recorded for that day is not recorded again).

    Ours: postings confirmed that day, and postings recorded that day still unconfirmed.
    :raises CoreBankingError: the statement could not be had (the task retries).
    """
    lines = {line.idempotency_key: line for line in gateway.statement(business_date=business_date)}
    start, end = day_start(business_date), day_end(business_date)
    ours = (
        Posting.objects.select_related("ledger_entry__case")
        .filter(
            Q(confirmed_at__gte=start, confirmed_at__lt=end)
            | Q(status=PostingStatus.PENDING, recorded_at__lt=end)
        )
        .order_by("pk")
    )
    found: list[ReconciliationDifference | None] = []
    seen: set[str] = set()
    for posting in ours:
        seen.add(posting.idempotency_key)
        for kind, mine, theirs in _posting_differences(posting, lines.get(posting.idempotency_key)):
            found.append(
                _difference(
                    business_date,
                    kind,
                    posting.idempotency_key,
                    posting=posting,
                    ours=mine,
                    theirs=theirs,
                    now=now,
                )
            )
    known = set(
        Posting.objects.filter(idempotency_key__in=[k for k in lines if k not in seen]).values_list(
            "idempotency_key", flat=True
        )
    )
    for key, line in lines.items():
        if key in seen or key in known:
            continue
        found.append(
            _difference(
                business_date,
                DifferenceKind.UNKNOWN_AT_CORE,
                key,
                posting=None,
                ours={},
                theirs=_line_side(line),
                now=now,
            )
        )
    return [difference for difference in found if difference is not None]
