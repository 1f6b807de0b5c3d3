"""Claims: a draft, its submission (number, deadlines, first estimate, chargebacks), the estimate."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch

from cards.models import Card, Transaction, TransactionStatus
from cards.selectors import card_get_for_customer, transaction_list_for_card
from customers.models import Customer, NotificationKind
from deadlines import api as deadlines
from deadlines.calendar import BusinessCalendar
from deadlines.selectors import bank_calendar
from disputes.models import (
    CASE_CHANNELS,
    FINISHED_STATES,
    REASON_CODES,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseState,
    CaseTransaction,
    Cause,
    Chargeback,
    DeliveryChannel,
    EstimateStatus,
    LiabilityAssessment,
)
from disputes.rules import case_number, draft_problems
from disputes.services._core import (
    ActionNotPermitted,
    Actor,
    add_event,
    case_atomic,
    check_visible,
    lock_case,
    note_computation,
    record_assessment,
    record_creation,
    run_transition,
    sync_chargeback_clock,
)
from disputes.services._deadlines import (
    apply_refund_deadline,
    apply_reply_deadline,
    case_deadlines,
    deadline_computation,
    deadline_json,
)
from disputes.services._errors import (
    CardNotFound,
    CaseNotFound,
    ClaimIncomplete,
    EmailAddressMissing,
    InvalidCaseState,
    InvalidClaim,
    NoTransactions,
    TransactionAlreadyDisputed,
    TransactionNotFound,
    TransactionNotSettled,
)
from disputes.services._notify import case_notify
from kartosfera.authz import HANDLE_CASE
from kartosfera.legaltime import NaiveDatetimeError, require_aware, warsaw_date
from kartosfera.money import ZERO
from liability.api import Assessment, Findings, TransactionFacts
from liability.services import RateUnavailable, liability_assess
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Circumstances:
    """The customer's account of how the card left their control."""

    loss_noticed_at: datetime | None = None
    card_whereabouts: str = ""
    access_to_card_and_phone: str = ""
    card_in_mobile_wallet: bool | None = None
    police_notified: bool = False
    police_reference: str = ""
    account: str = ""

    def apply(self, case: Case) -> None:
        """Copy onto the case (not saved)."""
        case.loss_noticed_at = self.loss_noticed_at
        case.card_whereabouts = self.card_whereabouts.strip()
        case.access_to_card_and_phone = self.access_to_card_and_phone.strip()
        case.card_in_mobile_wallet = self.card_in_mobile_wallet
        case.police_notified = self.police_notified
        case.police_reference = self.police_reference.strip()
        case.customer_account = self.account.strip()


def _instant(value: datetime | None, name: str, *, now: datetime, required: bool = False) -> datetime | None:
    if value is None:
        if required:
            raise InvalidClaim(f"{name} missing", problem=name)
        return None
    try:
        require_aware(value, name=name)
    except (NaiveDatetimeError, TypeError) as exc:
        raise InvalidClaim(str(exc), problem=name) from exc
    if value > now:
        raise InvalidClaim(f"{name} is in the future", problem=name)
    return value


def _check_claimant(customer: Customer, actor: Actor) -> None:
    """The customer themselves (signed in), or staff taking the claim on their behalf.

    :raises ActionNotPermitted:
    """
    if actor is None:
        raise ActionNotPermitted("a claim is made by a person")
    if customer.user_id is not None and customer.user_id == actor.pk:
        return
    if not (actor.is_active and actor.has_perm(HANDLE_CASE)):
        raise ActionNotPermitted("only the customer or staff may make a claim")


def _claimed_transactions(customer: Customer, card: Card, transaction_ids: list[int]) -> list[Transaction]:
    """The chosen transactions, through the owner-scoped selector; refuses unknown or foreign ones."""
    ids = list(dict.fromkeys(int(pk) for pk in transaction_ids))
    if not ids:
        raise NoTransactions()
    found = list(transaction_list_for_card(customer=customer, card_id=card.pk).filter(pk__in=ids))
    if len(found) != len(ids):
        raise TransactionNotFound(f"not on card {card.pk}: {sorted(set(ids) - {t.pk for t in found})}")
    unsettled = [t.pk for t in found if t.status != TransactionStatus.SETTLED]
    if unsettled:
        raise TransactionNotSettled(f"not settled: {unsettled}")
    return sorted(found, key=lambda t: (t.executed_at, t.pk))


def _choice(value: str, choices: Iterable[str], name: str) -> str:
    if value not in choices:
        raise InvalidClaim(f"unknown {name} {value!r}", problem=name)
    return value


def claim_create_draft(
    *,
    customer: Customer,
    card_id: int,
    transaction_ids: list[int],
    channel: str,
    cause: str,
    circumstances: Circumstances | None = None,
    reported_at: datetime | None = None,
    found_at: datetime | None = None,
    actor: Actor,
    now: datetime,
) -> Case:
    """Start a claim about transactions of one of the customer's cards; nothing is held until submission.

    ``reported_at`` (the loss or theft report liability runs from) defaults to the card's cancellation
    time when the card was cancelled as lost or stolen. ``found_at``: the bank found them itself.

    :raises ActionNotPermitted: the actor is neither the customer nor staff.
    :raises CardNotFound: the card is not the customer's.
    :raises NoTransactions, TransactionNotFound, TransactionNotSettled: the transactions chosen.
    :raises InvalidClaim: an unknown channel or cause, a naive or future time.
    """
    _check_claimant(customer, actor)
    try:
        card = card_get_for_customer(customer=customer, card_id=card_id)
    except Card.DoesNotExist:
        raise CardNotFound() from None
    chosen = _claimed_transactions(customer, card, transaction_ids)
    _choice(channel, CASE_CHANNELS, "channel")
    _choice(cause, Cause, "cause")
    reported_at = _instant(reported_at, "reported_at", now=now)
    found_at = _instant(found_at, "found_at", now=now)
    if reported_at is None and card.is_reported_lost_or_stolen:
        reported_at = card.cancelled_at
    with case_atomic():
        case = Case(
            customer=customer,
            card=card,
            channel=channel,
            cause=cause,
            reported_at=reported_at,
            found_at=found_at,
            created_at=now,
            created_by=actor,
            disputed_amount=sum((t.amount_pln for t in chosen), ZERO),
        )
        (circumstances or Circumstances()).apply(case)
        case.save()
        CaseTransaction.objects.bulk_create(
            CaseTransaction(case=case, transaction=t, amount=t.amount_pln) for t in chosen
        )
        record_creation(case, actor=actor, now=now, data={"transactions": [t.pk for t in chosen]})
    return case


def claim_update_draft(
    *,
    case_id: int,
    actor: Actor,
    now: datetime,
    transaction_ids: list[int] | None = None,
    cause: str | None = None,
    circumstances: Circumstances | None = None,
    reply_delivery: str | None = None,
) -> Case:
    """Change the transactions, the cause, the account or the delivery of letters of a draft claim.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: not the actor's draft.
    :raises NoTransactions, TransactionNotFound, TransactionNotSettled, InvalidClaim: as the draft.
    """
    with case_atomic():
        case = lock_case(case_id, actor)
        _check_claimant(case.customer, actor)
        if case.state != CaseState.DRAFT:
            raise InvalidCaseState("update_draft", state=case.get_state_display())
        if reply_delivery is not None:
            case.reply_delivery = _reply_delivery(case, reply_delivery)
        if cause is not None:
            case.cause = _choice(cause, Cause, "cause")
        if circumstances is not None:
            circumstances.apply(case)
        if transaction_ids is not None:
            chosen = _claimed_transactions(case.customer, case.card, transaction_ids)
            case.disputed.all().delete()
            CaseTransaction.objects.bulk_create(
                CaseTransaction(case=case, transaction=t, amount=t.amount_pln) for t in chosen
            )
            case.disputed_amount = sum((t.amount_pln for t in chosen), ZERO)
        case.save()
    return case


def _reply_delivery(case: Case, delivery: str) -> str:
    """A valid choice of delivery for the case's letters (Complaints Act art. 5)."""
    if delivery not in (DeliveryChannel.POST, DeliveryChannel.EMAIL):
        raise InvalidClaim(f"unknown reply_delivery {delivery!r}", problem="reply_delivery")
    if delivery == DeliveryChannel.EMAIL and not case.customer.email:
        raise EmailAddressMissing()
    return delivery


def case_set_reply_delivery(*, case_id: int, delivery: str, actor: Actor, now: datetime) -> Case:
    """The customer's choice of how the bank's letters about the claim reach them: post (the default)
    or e-mail (Complaints Act art. 5: only at the customer's request); letters not sent yet follow it.

    Switching to e-mail asks the letters app to e-mail the letters still waiting (through the outbox).

    :raises CaseNotFound, ActionNotPermitted: not the actor's case.
    :raises InvalidCaseState: the claim is withdrawn or closed. :raises InvalidClaim: an unknown choice.
    :raises EmailAddressMissing: e-mail without an address on file.
    """
    require_aware(now, name="now")
    with case_atomic():
        case = lock_case(case_id, actor)
        _check_claimant(case.customer, actor)
        if case.state in FINISHED_STATES:
            raise InvalidCaseState("set_reply_delivery", state=case.get_state_display())
        delivery = _reply_delivery(case, delivery)
        if delivery == case.reply_delivery:
            return case
        before = case.reply_delivery
        case.reply_delivery = delivery
        case.save(update_fields=["reply_delivery", "updated_at"])
        add_event(
            case,
            CaseEvent.Kind.REPLY_DELIVERY_CHANGED,
            actor=actor,
            now=now,
            data={"from": before, "to": delivery},
        )
        if delivery == DeliveryChannel.EMAIL and case.state != CaseState.DRAFT:
            outbox_enqueue(task="letters.tasks.send_letters_by_email", kwargs={"case_id": case.pk}, now=now)
    return case


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


def transaction_facts(links: list[CaseTransaction]) -> list[TransactionFacts]:
    """The liability engine's view of the disputed transactions."""
    return [
        TransactionFacts(
            id=str(link.transaction_id),
            amount=link.amount,
            executed_at=link.transaction.executed_at,
            sca_applied=link.transaction.sca_applied,
            debited_on=link.transaction.debited_on,
        )
        for link in links
    ]


@dataclass
class _Estimate:
    assessment: Assessment | None = None
    waiting: RateUnavailable | None = field(default=None)


def _estimate(links: list[CaseTransaction], *, cause: str, reported_at: datetime, now: datetime) -> _Estimate:
    """The first liability estimate (no findings yet), or the rates it waits for. Stored rates only."""
    try:
        return _Estimate(
            assessment=liability_assess(
                transactions=transaction_facts(links),
                reported_at=reported_at,
                cause=cause,
                findings=Findings(),
                now=now,
            )
        )
    except RateUnavailable as error:
        return _Estimate(waiting=error)


def store_assessment(
    case: Case,
    assessment: Assessment,
    *,
    kind: str,
    actor: Actor,
    now: datetime,
    note: str = "",
    audit_actor: Actor = None,
) -> LiabilityAssessment:
    """Store a liability result with its inputs, findings, totals and the NBP tables it cites (audited)."""
    return record_assessment(
        case, assessment, kind=kind, actor=actor, now=now, note=note, audit_actor=audit_actor
    )


def request_rate_fetch(error: RateUnavailable, *, now: datetime, case_ids: Iterable[int] = ()) -> None:
    """Ask through the outbox for the NBP rates ``error`` lacks to be fetched, then the cases' estimates done.

    The only place the disputes workflow asks for NBP rates: requests read stored rates and never
    call the NBP themselves. The row joins the caller's transaction (or commits on its own); the
    worker chains the fetches and the estimates (``disputes.tasks.fetch_rates_then_estimate``).
    """
    with transaction.atomic():
        outbox_enqueue(
            task="disputes.tasks.fetch_rates_then_estimate",
            kwargs={
                "currency": error.currency,
                "ranges": [[start.isoformat(), end.isoformat()] for start, end in error.fetch_ranges],
                "case_ids": list(case_ids),
            },
            now=now,
        )


def _wait_for_rate(case: Case, error: RateUnavailable, *, now: datetime, audit_actor: Actor) -> None:
    case.estimate_status = EstimateStatus.WAITING_FOR_RATE
    add_event(
        case,
        CaseEvent.Kind.ESTIMATE_WAITING,
        actor=None,
        audit_actor=audit_actor,
        now=now,
        data={
            "currency": error.currency,
            "on": error.on.isoformat(),
            "error": type(error).__name__,
            "fetch": [error.fetch_start.isoformat(), error.fetch_end.isoformat()],
            "ranges": [[start.isoformat(), end.isoformat()] for start, end in error.fetch_ranges],
        },
    )
    request_rate_fetch(error, now=now, case_ids=[case.pk])


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
    :raises ClaimIncomplete: with ``answers_required``, an answer is missing or impossible.
    """
    received_at = _instant(received_at or now, "received_at", now=now, required=True)
    with case_atomic():
        case = _lock_draft_for_submission(case_id, actor)
        if case.state != CaseState.DRAFT:
            raise InvalidCaseState("submit", state=case.get_state_display())
        _check_claimant(case.customer, actor)
        # Read once under the lock: the guard's ``case.disputed.exists()`` answers from the same rows.
        current = list(case.disputed.all())
        if answers_required:
            _check_answers(case, transaction_count=len(current), now=now)
        _check_still_claimable(case, current)
        reported_at = case.reported_at or received_at
        # Stored NBP rates only (a missing one is fetched by a task after commit): never waits on the NBP.
        estimate = (
            _estimate(current, cause=case.cause, reported_at=reported_at, now=now) if current else _Estimate()
        )
        calendar = bank_calendar()
        received_on, reported_on = warsaw_date(received_at), warsaw_date(reported_at)
        windows = {}
        for link in current:
            tx = link.transaction
            window = deadlines.claim_window_end(
                debited_on=tx.debited_on or warsaw_date(tx.executed_at), calendar=calendar
            )
            windows[str(tx.pk)] = deadline_json(window)
            note_computation(
                case, deadline_computation("window", window, transaction=tx.pk, debited_on=tx.debited_on)
            )
            link.window_end_on, link.window_rule = window.due_date, window.rule
            # The same report date the liability engine judges UUP-44-2-LATE by, so the flag and the
            # engine's rule always agree: the loss report if there is one, else the claim's receipt.
            link.out_of_window = reported_on > window.due_date
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
            apply_refund_deadline(case, computed.refund)
            apply_reply_deadline(case, computed.reply)
            earliest = min(current, key=lambda x: x.window_end_on)
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
        )
        if estimate.assessment is not None:
            store_assessment(
                case,
                estimate.assessment,
                kind=LiabilityAssessment.Kind.ESTIMATE,
                actor=None,
                now=now,
                audit_actor=actor,
            )
        elif estimate.waiting is not None:
            _wait_for_rate(case, estimate.waiting, now=now, audit_actor=actor)
            case.save(update_fields=["estimate_status", "updated_at"])
        _open_chargebacks(case, current, now=now, audit_actor=actor, calendar=calendar)
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
    case: Case, links: list[CaseTransaction], *, now: datetime, audit_actor: Actor, calendar: BusinessCalendar
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
        note_computation(
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
            reason_code=REASON_CODES[case.card.brand],
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
        )
    sync_chargeback_clock(case, chargebacks=opened)


def case_complete_estimate(*, case_id: int, now: datetime) -> bool:
    """Complete a first estimate that waited for an NBP rate; True when it is (now or before) complete.

    Reads stored rates only (the fetch chain runs this after fetching). Idempotent: an estimated case
    is left alone; a rate still missing leaves it waiting (the waiting-estimates sweep asks for the
    fetch again).

    :raises CaseNotFound:
    """
    return estimate_complete_or_missing(case_id=case_id, now=now) is None


def estimate_complete_or_missing(*, case_id: int, now: datetime) -> RateUnavailable | None:
    """``case_complete_estimate``, returning None when complete, else the error naming the rates it lacks.

    :raises CaseNotFound:
    """
    try:
        case = Case.objects.get(pk=case_id)
    except Case.DoesNotExist:
        raise CaseNotFound() from None
    if case.estimate_status != EstimateStatus.WAITING_FOR_RATE:
        return None
    links = list(case.disputed.select_related("transaction").order_by("transaction__executed_at", "pk"))
    estimate = _estimate(links, cause=case.cause, reported_at=case.reported_at, now=now)
    if estimate.assessment is None:
        return estimate.waiting
    with case_atomic():
        case = lock_case(case_id, None)
        if case.estimate_status != EstimateStatus.WAITING_FOR_RATE:
            return None
        stored = store_assessment(
            case, estimate.assessment, kind=LiabilityAssessment.Kind.ESTIMATE, actor=None, now=now
        )
        case.estimate_status = EstimateStatus.ESTIMATED
        case.save(update_fields=["estimate_status", "updated_at"])
        add_event(
            case,
            CaseEvent.Kind.ESTIMATE_COMPLETED,
            actor=None,
            now=now,
            data={
                "assessment": stored.pk,
                "customer_total": str(stored.customer_total),
                "bank_total": str(stored.bank_total),
            },
        )
    return None


__all__ = [
    "Circumstances",
    "case_complete_estimate",
    "claim_create_draft",
    "claim_submit",
    "claim_update_draft",
    "store_assessment",
    "transaction_facts",
]
