"""The template context of a letter: the snapshot plus what its templates derive from it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kartosfera.formatting import format_long_date, format_money
from kartosfera.money import ZERO
from letters.rules import LetterType
from letters.snapshot import (
    CancellationReason,
    DisputedTransaction,
    LetterSnapshot,
    LiabilityLine,
    RefundPayment,
    RefundPaymentKind,
)
from liability.rules import CAP_EUR

# Every user-visible text that is not in a template: the template version hashes their
# translations too (letters.versioning), so a reworded subject is a new version.
SUBJECTS: dict[LetterType, Promise] = {
    LetterType.CLAIM_ACKNOWLEDGEMENT: _("Confirmation of receipt of complaint no. {number}"),
    LetterType.INFORMATION_REQUEST: _("Request for information on complaint no. {number}"),
    LetterType.DELAY_NOTICE: _("Extended time for the reply to complaint no. {number}"),
    LetterType.PROVISIONAL_REFUND: _("Refund of unauthorised transactions, complaint no. {number}"),
    LetterType.DECISION_ACCEPTED: _("Reply to complaint no. {number}"),
    LetterType.DECISION_PARTIALLY_ACCEPTED: _("Reply to complaint no. {number}"),
    LetterType.DECISION_REJECTED: _("Reply to complaint no. {number}"),
    LetterType.REFUND_WITHHELD: _("Refund withheld, complaint no. {number}"),
    LetterType.CARD_CANCELLATION: _("Confirmation of the cancellation of card {card}"),
    LetterType.DEEMED_ACCEPTED: _("Complaint resolved in your favour, no. {number}"),
}

REFUND_PAYMENT_KINDS: dict[RefundPaymentKind, Promise] = {
    RefundPaymentKind.PROVISIONAL_MADE_FINAL: _("refund made after your report, now final"),
    RefundPaymentKind.FINAL: _("refund on the acceptance of the complaint"),
}

CANCELLATION_REASONS: dict[CancellationReason, Promise] = {
    CancellationReason.LOST: _("card lost"),
    CancellationReason.STOLEN: _("card stolen"),
    CancellationReason.COMPROMISED: _("card details compromised"),
    CancellationReason.OTHER: _("other reason"),
}

# What each deadline rule (RULES.md section 2) means for the customer, and the law behind it.
DEADLINE_TEXTS: dict[str, tuple[Promise, Promise]] = {
    "UUP-46-1": (
        _("refund of the amount of the reported transactions"),
        _("end of the business day after the report, art. 46(1) of the Payment Services Act"),
    ),
    "REK-6": (
        _("reply to the complaint"),
        _("30 days from receipt, Act on complaints handling by financial market entities"),
    ),
    "REK-7": (
        _("latest reply in a particularly complicated case, after a notice to you"),
        _("60 days from receipt, Act on complaints handling by financial market entities"),
    ),
    "UUP-PS-15": (
        _("reply to the complaint"),
        _("15 business days from receipt, Payment Services Act"),
    ),
    "UUP-PS-35": (
        _("latest reply in a particularly complicated case, after a notice to you"),
        _("35 business days from receipt, Payment Services Act"),
    ),
}

TRANSLATED_TEXTS: tuple[Promise, ...] = (
    *SUBJECTS.values(),
    *CANCELLATION_REASONS.values(),
    *REFUND_PAYMENT_KINDS.values(),
    *(text for pair in DEADLINE_TEXTS.values() for text in pair),
)

# A cancellation for these reasons is the customer's report of the loss (RULES.md section 6).
LOSS_REPORT_REASONS = frozenset({CancellationReason.LOST, CancellationReason.STOLEN})


@dataclass(frozen=True)
class DeadlineRow:
    """One line of the "what happens next" table."""

    due_on: date
    rule_id: str
    what: str
    basis: str


@dataclass(frozen=True)
class LiabilityRow:
    """A disputed transaction with its liability line and the explanation in the letter's language."""

    transaction: DisputedTransaction
    line: LiabilityLine
    explanation: str


@dataclass(frozen=True)
class PaymentRow:
    """One refund of a complaint deemed accepted: what it was, and whether it is already credited."""

    payment: RefundPayment
    what: str
    credited: bool


@dataclass(frozen=True)
class RateRow:
    """One NBP rate the 50 EUR cap used, with the transactions it converted."""

    rate: Decimal
    table: str
    effective_on: date | None
    transactions: tuple[str, ...]


def transaction_label(transaction: DisputedTransaction, language: str) -> str:
    """A transaction as the customer knows it from the statement: merchant, date and amount."""
    return (
        f"{transaction.merchant}, {format_long_date(transaction.executed_on, language=language)}, "
        f"{format_money(transaction.amount, language=language)}"
    )


def _rate_rows(snapshot: LetterSnapshot) -> list[RateRow]:
    if snapshot.liability is None:
        return []
    # Named by merchant, date and amount: the internal references mean nothing to the customer.
    transactions = {t.reference: t for t in snapshot.case.transactions} if snapshot.case else {}
    grouped: dict[tuple[Decimal, str, date | None], list[str]] = {}
    for line in snapshot.liability.rates:
        if line.eur_rate is None or line.nbp_table is None:  # a rate line has both (LiabilityLine)
            continue
        key = (line.eur_rate, line.nbp_table, line.rate_effective_on)
        transaction = transactions.get(line.transaction_reference)
        label = transaction_label(transaction, snapshot.language) if transaction else ""
        grouped.setdefault(key, []).append(label or line.transaction_reference)
    return [
        RateRow(rate=rate, table=table, effective_on=effective_on, transactions=tuple(labels))
        for (rate, table, effective_on), labels in grouped.items()
    ]


def letter_subject(*, letter_type: LetterType, snapshot: LetterSnapshot) -> str:
    """The subject line (and PDF title) in the active language."""
    number = snapshot.case.number if snapshot.case else ""
    card = snapshot.cancellation.card_masked if snapshot.cancellation else ""
    return str(SUBJECTS[letter_type]).format(number=number, card=card)


def _deadline_rows(snapshot: LetterSnapshot) -> list[DeadlineRow]:
    deadlines = snapshot.deadlines
    if deadlines is None:
        return []
    rows: list[DeadlineRow] = []
    for due_on, rule_id in (
        (deadlines.refund_due_on, deadlines.refund_rule_id),
        (deadlines.reply_due_on, deadlines.reply_rule_id),
        (deadlines.extended_reply_due_on, deadlines.extended_reply_rule_id),
    ):
        if any(row.due_on == due_on and row.rule_id == rule_id for row in rows):
            continue  # no D+1 refund owed: its date is the reply's, listed once
        # A rule this table does not know still shows its id: the date is never left unexplained.
        what, basis = DEADLINE_TEXTS.get(rule_id, (rule_id, rule_id))
        rows.append(DeadlineRow(due_on=due_on, rule_id=rule_id, what=str(what), basis=str(basis)))
    return rows


def _liability_rows(snapshot: LetterSnapshot) -> list[LiabilityRow]:
    if snapshot.liability is None or snapshot.case is None:
        return []
    lines = {line.transaction_reference: line for line in snapshot.liability.lines}
    return [
        LiabilityRow(
            transaction=transaction,
            line=lines[transaction.reference],
            explanation=lines[transaction.reference].explanation(snapshot.language),
        )
        for transaction in sorted(snapshot.case.transactions, key=lambda t: (t.executed_on, t.reference))
        if transaction.reference in lines
    ]


def _payment_rows(snapshot: LetterSnapshot) -> list[PaymentRow]:
    deemed = snapshot.deemed_acceptance
    if deemed is None:
        return []
    return [
        PaymentRow(
            payment=payment,
            what=str(REFUND_PAYMENT_KINDS[payment.kind]),
            credited=payment.paid_on <= snapshot.issued_on,
        )
        for payment in sorted(deemed.payments, key=lambda p: (p.paid_on, p.kind))
    ]


def _missed_deadline_basis(snapshot: LetterSnapshot) -> str:
    deemed = snapshot.deemed_acceptance
    if deemed is None:
        return ""
    _what, basis = DEADLINE_TEXTS.get(deemed.missed_deadline_rule_id, ("", deemed.missed_deadline_rule_id))
    return str(basis)


def _late_transactions(snapshot: LetterSnapshot) -> list[str]:
    """The transactions no D+1 refund is owed for (reported after their 13-month window), by name."""
    promise = snapshot.refund_promise
    if promise is None or snapshot.case is None:
        return []
    transactions = {t.reference: t for t in snapshot.case.transactions}
    return [
        transaction_label(transactions[reference], snapshot.language)
        if reference in transactions
        else reference
        for reference in promise.late
    ]


def _remaining_due(snapshot: LetterSnapshot) -> Decimal | None:
    """What the bank still owes on top of the provisional refund (nothing when that refund covered it).

    Payment by payment (the decision's FINAL_REFUND moves) where the letter keeps it: a payment the bank
    bears is owed in full when the D+1 refund skipped it, whatever was refunded for another payment.
    Letters issued before figure it over the whole claim.
    """
    if snapshot.refund is None or snapshot.liability is None:
        return None
    if snapshot.decision is not None and snapshot.decision.bank_share_to_credit is not None:
        return snapshot.decision.bank_share_to_credit
    return max(snapshot.liability.bank_total - snapshot.refund.amount, Decimal("0.00"))


def _refund_kept(snapshot: LetterSnapshot) -> Decimal | None:
    """How much of the provisional refund the customer keeps for good: what of it was the bank's part."""
    remaining = _remaining_due(snapshot)
    if remaining is None or snapshot.liability is None or snapshot.refund is None:
        return None
    return min(snapshot.liability.bank_total - remaining, snapshot.refund.amount)


def _never_refunded_share(snapshot: LetterSnapshot) -> Decimal | None:
    """The part of the customer's share never refunded provisionally, so not taken back (None if none)."""
    decision, liability = snapshot.decision, snapshot.liability
    if decision is None or liability is None or decision.customer_share_to_recover is None:
        return None
    return (liability.customer_total - decision.customer_share_to_recover) or None


def _nothing_taken_back(snapshot: LetterSnapshot) -> Decimal | None:
    """The customer's share when none of it was refunded provisionally, so none is taken back."""
    decision, liability = snapshot.decision, snapshot.liability
    if decision is None or liability is None or decision.customer_share_to_recover != ZERO:
        return None
    return liability.customer_total


def letter_context(*, letter_type: LetterType, snapshot: LetterSnapshot) -> dict[str, Any]:
    """Everything the letter's templates read, in the active language."""
    cancellation = snapshot.cancellation
    card_masked = (
        snapshot.case.card_masked if snapshot.case else cancellation.card_masked if cancellation else ""
    )
    return {
        "letter_type": letter_type,
        "snapshot": snapshot,
        "language": snapshot.language,
        "subject": letter_subject(letter_type=letter_type, snapshot=snapshot),
        "bank": snapshot.bank,
        "customer": snapshot.customer,
        "signatory": snapshot.signatory,
        "case": snapshot.case,
        "deadlines": snapshot.deadlines,
        "liability": snapshot.liability,
        "decision": snapshot.decision,
        "refund": snapshot.refund,
        "remaining_due": _remaining_due(snapshot),
        "refund_kept": _refund_kept(snapshot),
        "never_refunded_share": _never_refunded_share(snapshot),
        "nothing_taken_back": _nothing_taken_back(snapshot),
        "delay": snapshot.delay,
        "law_enforcement": snapshot.law_enforcement,
        "cancellation": cancellation,
        # "•••• 4821" never breaks across lines.
        "card": card_masked.replace(" ", "\u00a0"),
        "information_request": snapshot.information_request,
        "refund_promise": snapshot.refund_promise,
        "late_transactions": _late_transactions(snapshot),
        "deadline_rows": _deadline_rows(snapshot),
        "liability_rows": _liability_rows(snapshot),
        "rate_rows": _rate_rows(snapshot),
        "deemed": snapshot.deemed_acceptance,
        "payment_rows": _payment_rows(snapshot),
        "missed_deadline_basis": _missed_deadline_basis(snapshot),
        "cancellation_reason": str(CANCELLATION_REASONS[cancellation.reason]) if cancellation else "",
        "cancellation_is_loss_report": bool(cancellation and cancellation.reason in LOSS_REPORT_REASONS),
        "card_state": snapshot.case.card_state if snapshot.case else None,
        # The cap of UUP art. 46(2) as the liability rules hold it, not a copy in the wording.
        "cap_eur": str(CAP_EUR),
    }
