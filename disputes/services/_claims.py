"""Claims: a draft, its submission (number, deadlines, first estimate, chargebacks), the estimate."""

import logging
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch

from cards.models import TransactionStatus
from chargebacks.models import Chargeback
from chargebacks.rules import fraud_right
from customers.models import NotificationKind
from deadlines import engine as deadlines
from deadlines.calendar import BusinessCalendar
from deadlines.selectors import bank_calendar
from disputes.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseState,
    CaseTransaction,
    EstimateStatus,
    LiabilityAssessment,
    present,
)
from disputes.rules import DraftProblem, case_number, draft_problems
from disputes.services._access import Actor, check_visible
from disputes.services._audit import CaseAudit, case_atomic
from disputes.services._core import run_transition, sync_chargeback_clock
from disputes.services._deadlines import (
    apply_refund_deadline,
    apply_reply_deadline,
    case_deadlines,
    deadline_computation,
    deadline_json,
)
from disputes.services._drafts import check_claimant, claim_instant
from disputes.services._errors import (
    CaseNotFound,
    ClaimIncomplete,
    InvalidCaseState,
    NoTransactions,
    TransactionAlreadyDisputed,
    TransactionNotFound,
    TransactionNotSettled,
)
from disputes.services._estimates import Estimate, first_estimate, wait_for_rate
from disputes.services._history import add_event, record_assessment
from disputes.services._notify import case_notify
from kartosfera.legaltime import warsaw_date

logger = logging.getLogger(__name__)


def _next_number(year: int) -> str:
    """The next case number of ``year``, under a row lock (no two cases share one, no gaps on rollback).

    One statement: the upsert creates the year's row or moves it on, and holds its lock until commit.
    """
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "  # noqa: S608 (the model's table)
            f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [year],
        )
        (number,) = cursor.fetchone()
    return case_number(year=year, sequence=number)


def claim_submit(
    *,
    case_id: int,
    actor: Actor,
    now: datetime,
    received_at: datetime | None = None,
    answers_required: bool = False,
) -> Case:
    """Submit a draft claim: it is received, numbered, its deadlines set and its transactions held.

    Checks the transactions again (the customer's card, settled, in no other open claim), flags every
    transaction reported after its 13-month window (UUP-44-2; the report is the loss or theft report
    when there is one, else the claim itself, as the liability engine takes it) without refusing the
    claim, computes the
    D+1 refund and reply deadlines, opens a DRAFT chargeback per transaction whose scheme window is
    still open, stores the first liability estimate (or marks it WAITING_FOR_RATE and fetches the rate
    after commit) and queues the acknowledgement. ``received_at`` (default ``now``): when the bank
    received the claim, e.g. the time of the call on the 828 line. ``answers_required`` (the portal's
    wizard): the whole draft is checked first (``draft_problems``), whichever pages were opened.

    :raises CaseNotFound, ActionNotPermitted: not the actor's case.
    :raises InvalidCaseState: the claim is no longer a draft.
    :raises NoTransactions, TransactionNotFound, TransactionNotSettled, TransactionAlreadyDisputed:
    :raises InvalidClaim: ``received_at`` naive or in the future.
    :raises ClaimIncomplete: with ``answers_required``, an answer is missing or impossible; always,
        the cause is not answered.
    """
    received_at = claim_instant(received_at or now, "received_at", now=now, required=True)
    with case_atomic() as audit:
        case = _lock_draft_for_submission(case_id, actor)
        if case.state != CaseState.DRAFT:
            raise InvalidCaseState("submit", state=case.get_state_display())
        check_claimant(case.customer, actor)
        # Read once under the lock: the guard's ``case.disputed.exists()`` answers from the same rows.
        current = list(case.disputed.all())
        if answers_required:
            _check_answers(case, transaction_count=len(current), now=now)
        elif not case.cause:
            # Whoever sends it, a claim is never received without its cause: it picks the liability rules.
            raise ClaimIncomplete("cause:REQUIRED", problems=[DraftProblem("cause", "REQUIRED")])
        _check_still_claimable(case, current)
        reported_at = case.reported_at or received_at
        # Stored NBP rates only (a missing one is fetched by a task after commit): never waits on the NBP.
        estimate = (
            first_estimate(current, cause=case.cause, reported_at=reported_at, now=now)
            if current
            else Estimate()
        )
        calendar = bank_calendar()
        received_on = warsaw_date(received_at)
        reported_on = deadlines.claim_reported_on(reported_at=case.reported_at, received_at=received_at)
        windows = {}
        for link in current:
            tx = link.transaction
            window = deadlines.claim_window_end(
                debited_on=tx.debited_on or warsaw_date(tx.executed_at), calendar=calendar
            )
            windows[str(tx.pk)] = deadline_json(window)
            audit.note_computation(
                case, deadline_computation("window", window, transaction=tx.pk, debited_on=tx.debited_on)
            )
            link.window_end_on, link.window_rule = window.due_date, window.rule
            # The same report date the liability engine judges UUP-44-2-LATE by, so the flag and the
            # engine's rule always agree: the loss report if there is one, else the claim's receipt.
            link.out_of_window = deadlines.reported_out_of_window(reported_on=reported_on, window=window)
            link.is_open = True
        try:
            # No savepoint: a transaction in another open claim ends this submission, rolled back whole.
            with transaction.atomic(savepoint=False):
                CaseTransaction.objects.bulk_update(
                    current, ["window_end_on", "window_rule", "out_of_window", "is_open"]
                )
        except IntegrityError:
            raise TransactionAlreadyDisputed() from None

        regime = deadlines.reply_regime_for(category=case.category)
        computed = case_deadlines(
            received_at=received_at, found_at=case.found_at, regime=regime, extended=False, calendar=calendar
        )

        def submitted() -> None:
            case.number = _next_number(received_on.year)
            case.received_at, case.reported_at, case.reply_regime = received_at, reported_at, regime
            apply_refund_deadline(case, computed.refund, audit=audit)
            apply_reply_deadline(case, computed.reply, audit=audit)
            earliest = min(current, key=lambda x: present(x.window_end_on, "window_end_on"))
            case.window_end_on = earliest.window_end_on
            case.deadline_explanations = {**case.deadline_explanations, "window": windows}
            case.out_of_window = any(x.out_of_window for x in current)
            case.refund_owed = not all(x.out_of_window for x in current)
            if estimate.assessment is not None:
                case.estimate_status = EstimateStatus.ESTIMATED

        run_transition(
            case,
            "submit",
            case=case,
            actor=actor,
            now=now,
            apply=submitted,
            data={
                "received_at": received_at.isoformat(),
                "reported_at": reported_at.isoformat(),
                "out_of_window": [x.transaction_id for x in current if x.out_of_window],
            },
            letter_context={"received_on": received_on.isoformat()},
            audit=audit,
        )
        if estimate.assessment is not None:
            record_assessment(
                case,
                estimate.assessment,
                kind=LiabilityAssessment.Kind.ESTIMATE,
                actor=None,
                now=now,
                audit_actor=actor,
                audit=audit,
            )
        elif estimate.waiting is not None:
            wait_for_rate(case, estimate.waiting, now=now, audit_actor=actor, audit=audit)
            case.save(update_fields=["estimate_status", "updated_at"])
        _open_chargebacks(case, current, now=now, audit_actor=actor, calendar=calendar, audit=audit)
        case_notify(case, NotificationKind.CLAIM_RECEIVED, now=now, reply_due=case.reply_due_on)
    return case


def _lock_draft_for_submission(case_id: int, actor: Actor) -> Case:
    """The case locked (its row only) with its customer, card and disputed transactions, if visible.

    :raises CaseNotFound:
    """
    disputed = CaseTransaction.objects.select_related("transaction").order_by(
        "transaction__executed_at", "pk"
    )
    try:
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("customer", "card")
            .prefetch_related(Prefetch("disputed", queryset=disputed))
            .get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise CaseNotFound() from None
    check_visible(case, actor)
    return case


def _check_still_claimable(case: Case, links: list[CaseTransaction]) -> None:
    """The draft's transactions, read under the case lock, are still the customer's card's and settled.

    A transaction in another open claim is refused by the database when the links are opened.

    :raises NoTransactions, TransactionNotFound, TransactionNotSettled:
    """
    if not links:
        raise NoTransactions()
    if case.card.customer_id != case.customer_id:
        raise TransactionNotFound(f"card {case.card_id} is not the customer's")
    foreign = sorted(x.transaction_id for x in links if x.transaction.card_id != case.card_id)
    if foreign:
        raise TransactionNotFound(f"not on card {case.card_id}: {foreign}")
    unsettled = [x.transaction_id for x in links if x.transaction.status != TransactionStatus.SETTLED]
    if unsettled:
        raise TransactionNotSettled(f"not settled: {unsettled}")


def _check_answers(case: Case, *, transaction_count: int, now: datetime) -> None:
    """:raises ClaimIncomplete: the draft misses an answer or has an impossible one."""
    problems = draft_problems(
        transaction_count=transaction_count,
        cause=case.cause,
        loss_noticed_on=warsaw_date(case.loss_noticed_at) if case.loss_noticed_at else None,
        card_issued_on=warsaw_date(case.card.created_at),
        today=warsaw_date(now),
        card_whereabouts=case.card_whereabouts,
        access_to_card_and_phone=case.access_to_card_and_phone,
    )
    if problems:
        raise ClaimIncomplete(", ".join(f"{p.step}:{p.code}" for p in problems), problems=problems)


def _open_chargebacks(
    case: Case,
    links: list[CaseTransaction],
    *,
    now: datetime,
    audit_actor: Actor,
    calendar: BusinessCalendar,
    audit: CaseAudit,
) -> None:
    """A DRAFT fraud chargeback per settled transaction whose scheme filing window is still open.

    The claim is being submitted: it has no chargebacks yet, so the ones opened here are all of them.
    """
    opened = []
    for link in links:
        tx = link.transaction
        if tx.processed_on is None:
            continue
        due = deadlines.chargeback_due(
            processed_on=tx.processed_on, scheme=case.card.brand, calendar=calendar
        )
        audit.note_computation(
            case,
            deadline_computation(
                "chargeback_filing",
                due,
                transaction=tx.pk,
                processed_on=tx.processed_on,
                scheme=case.card.brand,
            ),
        )
        if now >= due.due_at:
            continue
        chargeback = Chargeback.objects.create(
            case=case,
            transaction=tx,
            scheme=case.card.brand,
            # The code follows the transaction's environment (chargebacks.rules), not only the scheme.
            reason_code=fraud_right(scheme=case.card.brand, channel=tx.channel).default,
            amount=link.amount,
            filing_due_at=due.due_at,
            filing_due_on=due.due_date,
            filing_rule=due.rule,
            deadline_explanations={"filing": deadline_json(due)},
            created_at=now,
        )
        opened.append(chargeback)
        add_event(
            case,
            CaseEvent.Kind.CHARGEBACK_OPENED,
            actor=None,
            audit_actor=audit_actor,
            now=now,
            chargeback=chargeback,
            data={"transaction": tx.pk, "filing_due_on": due.due_date.isoformat(), "rule": due.rule},
            audit=audit,
        )
    sync_chargeback_clock(case, chargebacks=opened)


__all__ = ["claim_submit"]
