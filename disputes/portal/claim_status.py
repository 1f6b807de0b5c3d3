"""What the customer's claim page says of the decision, the D+1 refund and the reply: the outcome with
its reasons, where the money stands and whether a date is still a promise (reads only)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from deadlines.rules import deadline_breached
from disputes.models import (
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    Case,
    CaseState,
    Outcome,
    present,
)
from disputes.portal.reasons import reason_for_customer
from disputes.rules import moves_total, net_to_customer, withdrawal_reversals
from kartosfera.formatting import format_long_date, format_money
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO
from kartosfera.policies import current_policies
from ledger.rules import LedgerKind
from liability.record import StoredAssessment

# The outcome the customer reads for a claim resolved in their favour because no reply came in time.
DEEMED_ACCEPTED = "DEEMED_ACCEPTED"

# The reply clock runs until the reply leaves the bank; once decided, the customer reads the decision
# itself, so the page no longer counts down to it (the letter's delivery is shown with the letters).
REPLY_COUNTDOWN_STATES = tuple(s for s in REPLY_CLOCK_STATES if s != CaseState.DECIDED)


@dataclass(frozen=True, slots=True)
class BorneLine:
    """One disputed transaction as decided: who bears what, by which rule and why."""

    merchant: str
    executed_on: date
    amount: Decimal
    customer_share: Decimal
    bank_share: Decimal
    rule_id: str
    explanation: str


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """The decision in words for the customer: outcome, the shares, the money moved and what is next."""

    outcome: str  # ACCEPTED, PARTIALLY_ACCEPTED, REJECTED or DEEMED_ACCEPTED
    decided_on: date
    lines: tuple[BorneLine, ...]
    customer_total: Decimal
    bank_total: Decimal
    provisional_refund: Decimal  # the full D+1 refund made before the decision
    refunded_on: date | None
    credited_on_decision: Decimal  # the bank's share still owed, credited when decided
    recovered: Decimal  # the customer's share already taken back
    recovered_on: date | None
    to_recover: Decimal  # what of the customer's share is still to be taken back: only its refunded part
    reply_dispatched_at: datetime | None
    card_masked: str
    # REK-8: the reply deadline that passed unanswered (DEEMED_ACCEPTED only); ``decided_on`` is then
    # the day the sweep recorded the acceptance, not a day anyone decided.
    reply_due_on: date | None = None

    @property
    def appeal(self) -> bool:
        """Appeal routes are shown when the claim was not accepted in full (Complaints Act)."""
        return self.outcome in (Outcome.PARTIALLY_ACCEPTED, Outcome.REJECTED)

    @property
    def refund_was_whole(self) -> bool:
        """Whether the D+1 refund was the whole disputed amount (it skips a payment out of its window)."""
        return self.provisional_refund == sum((line.amount for line in self.lines), ZERO)

    @property
    def share_taken_back(self) -> Decimal:
        """What of the customer's share is taken back: the part of it refunded before the decision (the
        RECOVERY moves ``case_decide`` stores as ``to_recover``, made or still to come)."""
        return self.recovered + self.to_recover

    @property
    def share_never_refunded(self) -> Decimal:
        """The rest of the customer's share, never refunded so never taken back, when part of it is."""
        return self.customer_total - self.share_taken_back if self.share_taken_back else ZERO

    @property
    def recovery_from(self) -> date | None:
        """The first day the customer's share may be taken back: the day after the reply left."""
        if self.reply_dispatched_at is None:
            return None
        return warsaw_date(self.reply_dispatched_at) + timedelta(days=1)


# When the customer's share may be taken back, as the claim page says it: from a day that has come, not
# before a day still ahead, or only after our reply is sent (it has not left yet).
RECOVERY_MAY_NOW, RECOVERY_NOT_BEFORE, RECOVERY_AFTER_REPLY = "MAY_NOW", "NOT_BEFORE", "AFTER_REPLY"


def recovery_timing(*, recovery_from: date | None, today: date) -> str:
    """When the share may be taken back, from its first day (``ClaimOutcome.recovery_from``) and today."""
    if recovery_from is None:
        return RECOVERY_AFTER_REPLY
    return RECOVERY_MAY_NOW if recovery_from <= today else RECOVERY_NOT_BEFORE


# The claim page's sentence on the share still to be taken back, by (part of the share never refunded,
# timing): the variants side by side, each a whole sentence so that its translation reads as one.
RECOVERY_SENTENCES = {
    (False, RECOVERY_MAY_NOW): _(
        "The part you bear, %(amount)s, will be taken back shortly by a debit to the account linked to card "
        "%(card)s; we may do so from %(day)s, the day after our reply with its reasons was sent to you."
    ),
    (False, RECOVERY_NOT_BEFORE): _(
        "The part you bear, %(amount)s, will be taken back by a debit to the account linked to card "
        "%(card)s, not before %(day)s, the day after our reply with its reasons was sent to you."
    ),
    (False, RECOVERY_AFTER_REPLY): _(
        "The part you bear, %(amount)s, will be taken back by a debit to the account linked to card "
        "%(card)s, only after our reply with its reasons has been sent to you: at the earliest on the day "
        "after it is sent."
    ),
    (True, RECOVERY_MAY_NOW): _(
        "Of the part you bear, %(share)s, %(amount)s will be taken back shortly by a debit to the account "
        "linked to card %(card)s; we may do so from %(day)s, the day after our reply with its reasons was "
        "sent to you."
    ),
    (True, RECOVERY_NOT_BEFORE): _(
        "Of the part you bear, %(share)s, %(amount)s will be taken back by a debit to the account linked to "
        "card %(card)s, not before %(day)s, the day after our reply with its reasons was sent to you."
    ),
    (True, RECOVERY_AFTER_REPLY): _(
        "Of the part you bear, %(share)s, %(amount)s will be taken back by a debit to the account linked to "
        "card %(card)s, only after our reply with its reasons has been sent to you: at the earliest on the "
        "day after it is sent."
    ),
}


def claim_recovery_sentence(*, outcome: ClaimOutcome, today: date, language: str) -> str:
    """What the claim page says of the customer's share still to be taken back (``to_recover``), in
    ``language``: its one sentence, or "" when nothing is still to be taken back."""
    if not outcome.to_recover:
        return ""
    timing = recovery_timing(recovery_from=outcome.recovery_from, today=today)
    sentence = RECOVERY_SENTENCES[(bool(outcome.share_never_refunded), timing)]
    day = outcome.recovery_from
    with translation.override(language):
        return str(sentence) % {
            "amount": format_money(outcome.to_recover, language=language),
            "share": format_money(outcome.customer_total, language=language),
            "card": outcome.card_masked,
            "day": "" if day is None else format_long_date(day, language=language),
        }


def claim_outcome(*, case: Case, language: str) -> ClaimOutcome | None:
    """The decision on the claim as the customer reads it (explanations in ``language``), else None."""
    if case.decided_at is None and case.deemed_accepted_at is None:
        return None
    links = {link.transaction_id: link for link in case.disputed.select_related("transaction")}
    if case.deemed_accepted_at is not None:
        # REK-8: resolved in the customer's favour, whatever an assessment said.
        outcome, decided_at = DEEMED_ACCEPTED, case.deemed_accepted_at
        rows = [(link, ZERO, link.amount, "REK-8", "") for link in links.values()]
    else:
        outcome, decided_at = case.outcome, present(case.decided_at, "decided_at")
        # The customer reads the reasons in their own words; the stored rule text is the analysts'.
        stored = StoredAssessment.parse(case.decision_assessment.result) if case.decision_assessment else None
        rows = (
            [
                (
                    links[int(line.transaction_id)],
                    line.customer,
                    line.bank,
                    line.rule,
                    reason_for_customer(
                        line=line,
                        inputs=stored.inputs,
                        language=language,
                        capped_after=stored.capped_after(line),
                    ),
                )
                for line in stored.lines
            ]
            if stored is not None
            else []
        )
    lines = tuple(
        BorneLine(
            merchant=link.transaction.merchant_name,
            executed_on=warsaw_date(link.transaction.executed_at),
            amount=link.amount,
            customer_share=customer,
            bank_share=bank,
            rule_id=rule,
            explanation=text,
        )
        for link, customer, bank, rule, text in sorted(rows, key=lambda row: row[0].transaction.executed_at)
    )
    moved: dict[str, Decimal] = {}
    for kind, amount in case.ledger_entries.values_list("kind", "amount"):
        moved[kind] = moved.get(kind, ZERO) + amount
    to_recover = moves_total(case.settlement_moves(), LedgerKind.RECOVERY)
    return ClaimOutcome(
        outcome=outcome,
        decided_on=warsaw_date(decided_at),
        lines=lines,
        customer_total=sum((line.customer_share for line in lines), ZERO),
        bank_total=sum((line.bank_share for line in lines), ZERO),
        provisional_refund=moved.get(LedgerKind.PROVISIONAL_REFUND, ZERO),
        refunded_on=warsaw_date(case.refunded_at) if case.refunded_at else None,
        credited_on_decision=moved.get(LedgerKind.FINAL_REFUND, ZERO),
        recovered=moved.get(LedgerKind.RECOVERY, ZERO),
        recovered_on=warsaw_date(case.recovered_at) if case.recovered_at else None,
        to_recover=to_recover,
        reply_dispatched_at=case.reply_dispatched_at,
        card_masked=case.card.masked,
        reply_due_on=case.reply_due_on if outcome == DEEMED_ACCEPTED else None,
    )


# Where the claim's D+1 refund stands (UUP-46-1), as "What happens next" tells the customer.
REFUND_DUE = "DUE"  # owed, not made, its day not over: the promise
REFUND_LATE = "LATE"  # owed, not made, its day over: late, with an apology
REFUND_MADE = "MADE"  # made, the claim not decided yet: conditional
REFUND_WITHHELD = "WITHHELD"  # withheld on grounds given to law enforcement (UUP-46-1a)
REFUND_REVERSED = "REVERSED"  # made, then taken back because the customer withdrew the claim
REFUND_KEPT = "KEPT"  # made, and the decision leaves all of it to the customer
REFUND_PART_KEPT = "PART_KEPT"  # made; the decision takes back the customer's share
REFUND_TAKEN_BACK = "TAKEN_BACK"  # made; the decision (not accepted) takes all of it back
REFUND_NOTHING = ""  # not owed, or nothing to say beside the decision


@dataclass(frozen=True, slots=True)
class ClaimRefund:
    """The D+1 refund in the customer's terms: its status, the amount and the days that go with it."""

    status: str
    # owed (DUE, LATE; None while the NET_OF_CAP estimate is not ready), made (KEPT...), or reversed
    amount: Decimal | None = ZERO
    day: date | None = None  # the due day (DUE, LATE), else the day the refund was made
    kept: Decimal = ZERO  # what the decision leaves of the refund
    taken_back: Decimal = ZERO  # what the decision or the withdrawal takes back
    taken_back_on: date | None = None  # when it was taken back; None while still to come
    # MADE: recorded in our ledger, its credit not yet confirmed by the core banking system (its
    # postings pending, ``Case.refund_confirmed_at`` unset): the money is on its way now.
    posting_pending: bool = False


# Where the reply stands (REK-6/REK-7, UUP-PS-15/35), as "What happens next" tells the customer.
REPLY_DUE = "DUE"  # still to come, its day not over: the promise
# Still to come, its day over: late. By law the claim is then resolved in the customer's favour (REK-8),
# which the beat's sweep (disputes.tasks.sweep_deemed_accepted, every 5 minutes) records; until it runs
# the page says the reply is late and what the law makes of that, never a reply date in the past.
REPLY_LATE = "LATE"
REPLY_NOTHING = ""  # sent, or no reply to count down to (decided, deemed accepted, withdrawn, a draft)


@dataclass(frozen=True, slots=True)
class ClaimClocks:
    """What the claim's page says is next: the refund's state, and where the reply stands."""

    refund: ClaimRefund
    reply: str  # REPLY_DUE, REPLY_LATE or REPLY_NOTHING (claim_reply)
    withdrawn_on: date | None


def _refund_after_withdrawal(case: Case) -> ClaimRefund:
    reversals = list(case.ledger_entries.filter(kind=LedgerKind.REVERSAL).values_list("amount", "created_at"))
    if not reversals or case.refunded_at is None:
        return ClaimRefund(REFUND_NOTHING)
    reversed_total = sum((amount for amount, _at in reversals), ZERO)
    return ClaimRefund(
        REFUND_REVERSED,
        amount=reversed_total,
        day=warsaw_date(case.refunded_at),
        taken_back=reversed_total,
        taken_back_on=warsaw_date(max(at for _amount, at in reversals)),
    )


def claim_refund_withdrawal_takes_back(*, case: Case) -> ClaimRefund:
    """What withdrawing the claim now takes back (``case_withdraw``, both by ``withdrawal_reversals``): the
    conditional refund still on the customer's account, its amount and the day it was credited, from the
    case's ledger entries;
    REFUND_NOTHING when no refund was made (or nothing of it is left to take back)."""
    entries = list(case.ledger_entries.values_list("transaction_id", "kind", "amount", "created_at"))
    net = net_to_customer((tx, kind, amount) for tx, kind, amount, _at in entries)
    credited = [at for _tx, kind, _amount, at in entries if kind == LedgerKind.PROVISIONAL_REFUND]
    total = moves_total(withdrawal_reversals(net), LedgerKind.REVERSAL)
    if not credited or total <= ZERO:
        return ClaimRefund(REFUND_NOTHING)
    return ClaimRefund(REFUND_MADE, amount=total, day=warsaw_date(max(credited)), taken_back=total)


def _refund_after_decision(outcome: ClaimOutcome) -> ClaimRefund:
    if not outcome.provisional_refund or outcome.refunded_on is None:
        return ClaimRefund(REFUND_NOTHING)  # the decision's own lines say what was credited
    taken_back = outcome.recovered + outcome.to_recover
    status = (
        REFUND_KEPT
        if not taken_back
        else REFUND_TAKEN_BACK
        if taken_back >= outcome.provisional_refund
        else REFUND_PART_KEPT
    )
    return ClaimRefund(
        status,
        amount=outcome.provisional_refund,
        day=outcome.refunded_on,
        kept=outcome.provisional_refund - taken_back,
        taken_back=taken_back,
        taken_back_on=outcome.recovered_on if not outcome.to_recover else None,
    )


def claim_refund(*, case: Case, outcome: ClaimOutcome | None, now: datetime) -> ClaimRefund:
    """Where the D+1 refund stands at ``now``, after the withdrawal or the decision (``outcome``) if any.

    A refund still owed once its due day is over (``deadline_breached``, Warsaw) is late, not promised;
    nothing is being credited then (no ledger entry, so no posting): only a MADE refund whose credit
    the core system has not confirmed yet (``posting_pending``) is on its way to the account.
    Its amount is what ``case_refund_provisionally`` will credit (``Case.provisional_refunds_due`` under
    ``REFUND_POLICY``); None under ``NET_OF_CAP`` while the estimate it takes the bank's share from is
    not ready.
    """
    if case.withdrawn_at is not None:
        return _refund_after_withdrawal(case)
    if outcome is not None:
        return _refund_after_decision(outcome)
    if case.refund_withheld_at is not None:
        return ClaimRefund(REFUND_WITHHELD)
    if case.refunded_at is not None:
        # Dated the day the money reached the account (as the customer's message is), booked till then.
        return ClaimRefund(
            REFUND_MADE,
            day=warsaw_date(case.refund_confirmed_at or case.refunded_at),
            posting_pending=case.refund_confirmed_at is None,
        )
    if case.state not in REFUND_PENDING_STATES or not case.refund_owed or case.refund_due_at is None:
        return ClaimRefund(REFUND_NOTHING)
    refunds = case.provisional_refunds_due(current_policies().refund_policy)
    if refunds is not None and not refunds:
        return ClaimRefund(REFUND_NOTHING)  # NET_OF_CAP and the bank's share is nothing: no credit
    late = deadline_breached(due_at=case.refund_due_at, at=now)
    return ClaimRefund(
        REFUND_LATE if late else REFUND_DUE,
        amount=None if refunds is None else sum(refunds.values(), ZERO),
        day=case.refund_due_on,
    )


def claim_reply(*, case: Case, now: datetime) -> str:
    """Where the reply stands at ``now``: still to come and due (its day not over), late, or nothing to
    say. A reply still to come once its due day is over (``deadline_breached``, Warsaw) is late, not
    promised: the same instant from which the sweep deems the claim accepted (``cases_reply_overdue``)."""
    if case.state not in REPLY_COUNTDOWN_STATES or case.reply_dispatched_at is not None:
        return REPLY_NOTHING
    if case.reply_due_at is not None and deadline_breached(due_at=case.reply_due_at, at=now):
        return REPLY_LATE
    return REPLY_DUE


def claim_clocks(*, case: Case, outcome: ClaimOutcome | None, now: datetime) -> ClaimClocks:
    """What is next for the claim at ``now``: the refund as it stands and the reply if still to come."""
    return ClaimClocks(
        refund=claim_refund(case=case, outcome=outcome, now=now),
        reply=claim_reply(case=case, now=now),
        withdrawn_on=warsaw_date(case.withdrawn_at) if case.withdrawn_at else None,
    )
