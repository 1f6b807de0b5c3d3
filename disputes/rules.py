"""Rules of the dispute workflow that need no database: numbering, outcomes, the money to move.

Pure: no ORM, no clock, no I/O. The services feed them what they read and write what they answer.
Money is ``Decimal`` PLN in whole grosze; every amount here is exact (no rounding happens here, the
liability engine has already rounded each share half-up to the grosz).
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from kartosfera.money import ZERO
from kartosfera.vocabulary import TextChoices
from kartosfera.vocabulary import gettext_lazy as _
from ledger.rules import LedgerKind

# The key of a disputed transaction in the money rules (its id, for the services).
K = TypeVar("K", bound=Hashable)

CASE_NUMBER_PREFIX = "RK"
# The customer is asked to answer a request for information within 14 days, never after the reply deadline.
INFORMATION_RESPONSE_DAYS = 14


def information_respond_by(*, asked_on: date, reply_due_on: date) -> date:
    """The date a customer asked for information on ``asked_on`` is asked to answer by."""
    return min(asked_on + timedelta(days=INFORMATION_RESPONSE_DAYS), reply_due_on)


class Outcome(TextChoices):
    """The decision on a claim (RULES.md section 5: upheld, upheld in part, not upheld)."""

    ACCEPTED = "ACCEPTED", _("Accepted")
    PARTIALLY_ACCEPTED = "PARTIALLY_ACCEPTED", _("Partially accepted")
    REJECTED = "REJECTED", _("Rejected")


class RefundPolicy(StrEnum):
    """Policy ``REFUND_POLICY`` (RULES.md section 3)."""

    FULL_THEN_RECOVER = "FULL_THEN_RECOVER"  # D+1 refunds everything; the customer's share comes back later
    NET_OF_CAP = "NET_OF_CAP"  # D+1 refunds the bank's share of the latest estimate only


class LetterType(TextChoices):
    """Every letter the bank sends about a card, a claim or a complaint; the letters app writes them.

    The workflow's letter requests (``CaseTransition.letter_required``, ``CaseLetterRequest``) have
    stored two of them under older names since before the letters app existed: ``request_code`` is
    that spelling and ``from_request`` reads it back. Nothing else spells a letter otherwise.
    """

    CLAIM_ACKNOWLEDGEMENT = "CLAIM_ACKNOWLEDGEMENT", _("Acknowledgement")
    INFORMATION_REQUEST = "INFORMATION_REQUEST", _("Request for information")
    DELAY_NOTICE = "DELAY_NOTICE", _("Delay notice")
    PROVISIONAL_REFUND = "PROVISIONAL_REFUND", _("Provisional refund")
    DECISION_ACCEPTED = "DECISION_ACCEPTED", _("Decision: accepted")
    DECISION_PARTIALLY_ACCEPTED = "DECISION_PARTIALLY_ACCEPTED", _("Decision: partially accepted")
    DECISION_REJECTED = "DECISION_REJECTED", _("Decision: rejected")
    REFUND_WITHHELD = "REFUND_WITHHELD", _("Refund withheld")
    CARD_CANCELLATION = "CARD_CANCELLATION", _("Card cancellation")
    # REK-8: no reply in time, the complaint is deemed resolved in the customer's favour. Not a reply
    # (its dispatch does not count for REK-6, the deadline is already over): a notice of the result.
    # The workflow requests it as an accepted decision with ``deemed`` in the request's context.
    DEEMED_ACCEPTED = "DEEMED_ACCEPTED", _("Deemed accepted (reply deadline missed)")

    @property
    def template_name(self) -> str:
        """The Django template of this letter."""
        return f"letters/{self.value.lower()}.html"

    @property
    def outcome(self) -> "Outcome | None":
        """The decision outcome a decision letter announces; None for other letters."""
        return DECISION_OUTCOMES.get(self)

    @property
    def request_code(self) -> str:
        """How the workflow's letter requests store this letter."""
        return _REQUEST_CODES.get(self, self.value)

    @classmethod
    def from_request(cls, code: str) -> "LetterType":
        """The letter a stored letter request names; ValueError for an unknown code."""
        for member in REQUESTED_LETTERS:
            if member.request_code == code:
                return member
        raise ValueError(f"{code!r} is not a letter the workflow requests")


# The two letters the workflow's requests store under their older names (no data migration).
_REQUEST_CODES = {
    LetterType.CLAIM_ACKNOWLEDGEMENT: "ACKNOWLEDGEMENT",
    LetterType.DECISION_PARTIALLY_ACCEPTED: "DECISION_PARTIAL",
}
# The letters a workflow transition can request (REK-8's notice is requested as an accepted decision).
REQUESTED_LETTERS = tuple(letter for letter in LetterType if letter is not LetterType.DEEMED_ACCEPTED)
# The choices of the columns that hold a letter request.
LETTER_REQUEST_CHOICES = [(letter.request_code, letter.label) for letter in REQUESTED_LETTERS]


# How each kind moves the customer's balance of a transaction: +1 credits the customer, -1 debits.
CUSTOMER_DIRECTION = {
    LedgerKind.PROVISIONAL_REFUND: 1,
    LedgerKind.FINAL_REFUND: 1,
    LedgerKind.RECOVERY: -1,
    LedgerKind.REVERSAL: -1,
    LedgerKind.CHARGEBACK_CREDIT: 0,
}

# The decision letter of each outcome, and the outcome each decision letter announces.
DECISION_LETTERS = {
    Outcome.ACCEPTED: LetterType.DECISION_ACCEPTED,
    Outcome.PARTIALLY_ACCEPTED: LetterType.DECISION_PARTIALLY_ACCEPTED,
    Outcome.REJECTED: LetterType.DECISION_REJECTED,
}
DECISION_OUTCOMES = {letter: outcome for outcome, letter in DECISION_LETTERS.items()}


def refund_needs_second_person(*, amount: Decimal, limit: Decimal) -> bool:
    """Four-eyes: a provisional refund of more than ``limit`` (``KARTOSFERA_FOUR_EYES_REFUND_ABOVE``)
    takes effect only when a second person approves it; a rejection and a recovery always do."""
    return amount > limit


def may_approve(*, approver_id: Hashable | None, proposer_id: Hashable | None, holds_approval: bool) -> bool:
    """Four-eyes: who may approve a proposal: a second person, holding the approval permission
    (``kartosfera.authz.APPROVE_DECISION``), never its proposer."""
    return holds_approval and approver_id is not None and approver_id != proposer_id


def may_make_refund(
    *,
    amount: Decimal,
    limit: Decimal,
    holds_handling: bool,
    actor_id: Hashable | None,
    proposer_id: Hashable | None = None,
    holds_approval: bool = False,
) -> bool:
    """Four-eyes on the D+1 refund, as the state machine and the services apply it: whoever handles
    cases makes a refund of up to ``limit``; above it, or when the refund runs as the approval of a
    proposal (``proposer_id``: who proposed it), only a second person who may approve it."""
    if not holds_handling:
        return False
    if proposer_id is None:
        return not refund_needs_second_person(amount=amount, limit=limit)
    return may_approve(approver_id=actor_id, proposer_id=proposer_id, holds_approval=holds_approval)


class MoneyRuleError(ValueError):
    """Amounts that cannot belong to one claim (negative, above the disputed amount, unknown key)."""


def case_number(*, year: int, sequence: int) -> str:
    """The human case number, e.g. ``RK/2026/000123``: the year received and its running number."""
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"case sequence must be 1..999999, got {sequence}")
    return f"{CASE_NUMBER_PREFIX}/{year:04d}/{sequence:06d}"


def outcome_for(*, customer_total: Decimal, bank_total: Decimal) -> Outcome:
    """The outcome a liability split means: the bank pays all (accepted), nothing (rejected), or part."""
    if customer_total < 0 or bank_total < 0:
        raise MoneyRuleError(f"shares cannot be negative: customer {customer_total}, bank {bank_total}")
    if customer_total == 0:
        return Outcome.ACCEPTED
    if bank_total == 0:
        return Outcome.REJECTED
    return Outcome.PARTIALLY_ACCEPTED


def provisional_refunds(
    *,
    policy: str,
    amounts: Mapping[K, Decimal],
    owed: Iterable[K],
    bank_shares: Mapping[K, Decimal] | None = None,
) -> dict[K, Decimal]:
    """The D+1 refund of each transaction the refund is owed for (``UUP-46-1``), zeros left out.

    ``FULL_THEN_RECOVER`` refunds the whole disputed amount; ``NET_OF_CAP`` the bank's share of the
    latest estimate (``bank_shares``, required then).
    """
    policy = RefundPolicy(policy)
    refunds: dict[K, Decimal] = {}
    for key in owed:
        amount = _amount(amounts, key)
        if policy is RefundPolicy.FULL_THEN_RECOVER:
            refund = amount
        else:
            if bank_shares is None or key not in bank_shares:
                raise MoneyRuleError(f"NET_OF_CAP needs the bank's share of transaction {key!r}")
            refund = bank_shares[key]
            if not ZERO <= refund <= amount:
                raise MoneyRuleError(f"bank share {refund} of {key!r} is outside 0..{amount}")
        if refund > 0:
            refunds[key] = refund
    return refunds


def net_to_customer(entries: Iterable[tuple[K, str, Decimal]]) -> dict[K, Decimal]:
    """What each transaction has returned to the customer so far: refunds minus recoveries and reversals."""
    net: dict[K, Decimal] = {}
    for key, kind, amount in entries:
        net[key] = net.get(key, ZERO) + CUSTOMER_DIRECTION[LedgerKind(kind)] * amount
    return net


@dataclass(frozen=True, slots=True)
class MoneyMove(Generic[K]):
    """One ledger entry to write so that a transaction ends where the decision says."""

    key: K
    kind: LedgerKind
    amount: Decimal


def settlement_moves(
    *,
    amounts: Mapping[K, Decimal],
    targets: Mapping[K, Decimal],
    net: Mapping[K, Decimal],
) -> list[MoneyMove[K]]:
    """The refunds and recoveries that bring each transaction from ``net`` to its ``target``.

    ``targets`` is what the customer finally gets back per transaction (the bank's share, or the whole
    amount when the claim is deemed accepted); the difference is a FINAL_REFUND when positive and a
    RECOVERY when negative. Every figure must lie within 0..amount.
    """
    moves: list[MoneyMove[K]] = []
    for key, amount in amounts.items():
        target = targets.get(key, ZERO)
        have = net.get(key, ZERO)
        for name, value in (("target", target), ("net refunded", have)):
            if not ZERO <= value <= amount:
                raise MoneyRuleError(f"{name} {value} of transaction {key!r} is outside 0..{amount}")
        if target > have:
            moves.append(MoneyMove(key, LedgerKind.FINAL_REFUND, target - have))
        elif target < have:
            moves.append(MoneyMove(key, LedgerKind.RECOVERY, have - target))
    unknown = set(targets) - set(amounts)
    if unknown:
        raise MoneyRuleError(f"targets for transactions not in the claim: {sorted(map(str, unknown))}")
    return moves


def withdrawal_reversals(net: Mapping[K, Decimal]) -> list[MoneyMove[K]]:
    """What withdrawing a claim takes back: each transaction's refund still on the customer's account
    (its ``net_to_customer``, when positive), whole. The withdrawal writes these moves and the withdraw
    page states their total."""
    return [MoneyMove(key, LedgerKind.REVERSAL, amount) for key, amount in net.items() if amount > ZERO]


def moves_total(moves: Iterable[MoneyMove[K]], kind: LedgerKind) -> Decimal:
    """What ``moves`` of one ``kind`` come to: the final refund still credited, or the recovery taken back.

    The decision stores both in its context and the letter states them from there, so the letter names
    what the ledger posts from the very same moves.
    """
    return sum((move.amount for move in moves if move.kind == kind), ZERO)


def expected_reply_date_problem(*, expected_on: date, today: date, extended_due_on: date) -> str | None:
    """Why an expected reply date of a delay notice is not allowed (``REK-7``), or None when it is.

    It may not be in the past nor later than the extended deadline.
    """
    if expected_on < today:
        return "PAST"
    if expected_on > extended_due_on:
        return "AFTER_EXTENDED_DEADLINE"
    return None


def _amount(amounts: Mapping[K, Decimal], key: K) -> Decimal:
    try:
        amount = amounts[key]
    except KeyError:
        raise MoneyRuleError(f"transaction {key!r} is not in the claim") from None
    if amount <= 0:
        raise MoneyRuleError(f"disputed amount of {key!r} must be positive, got {amount}")
    return amount


@dataclass(frozen=True, slots=True)
class DraftProblem:
    """Why a draft claim cannot be sent yet: the wizard step to go back to and what is wrong there."""

    step: str
    code: str


# The wizard's questions a customer must answer before sending, in the order the wizard asks them.
DRAFT_STEPS = ("transactions", "cause", "noticed", "whereabouts", "access")


def draft_problems(
    *,
    transaction_count: int,
    cause: str,
    loss_noticed_on: date | None,
    card_issued_on: date,
    today: date,
    card_whereabouts: str,
    access_to_card_and_phone: str,
) -> list[DraftProblem]:
    """Every problem of a draft claim the customer sends themselves, in the wizard's order.

    The day the loss was noticed may not be in the future nor before the card was issued; it may be
    before the disputed transactions (a card is often missed before it is misused).
    """
    problems = []
    if transaction_count == 0:
        problems.append(DraftProblem("transactions", "NO_TRANSACTIONS"))
    if not cause:
        problems.append(DraftProblem("cause", "REQUIRED"))
    if loss_noticed_on is None:
        problems.append(DraftProblem("noticed", "REQUIRED"))
    elif loss_noticed_on > today:
        problems.append(DraftProblem("noticed", "IN_FUTURE"))
    elif loss_noticed_on < card_issued_on:
        problems.append(DraftProblem("noticed", "BEFORE_CARD_ISSUED"))
    if not card_whereabouts.strip():
        problems.append(DraftProblem("whereabouts", "REQUIRED"))
    if not access_to_card_and_phone.strip():
        problems.append(DraftProblem("access", "REQUIRED"))
    return problems
