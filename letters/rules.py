"""Which letters exist and what each must contain (RULES.md section 5, REK-7). Pure, no Django.

``check_letter_data`` refuses a snapshot that would make a letter the law does not allow (a delay
notice promising a reply after the extended deadline, a decision paying later than 30 days after the
reply) or that lacks what the letter states, before anything is rendered.
"""

import re
from datetime import timedelta

from disputes.rules import DECISION_OUTCOMES as DECISION_OUTCOMES  # the letters' names
from disputes.rules import LetterType as LetterType
from disputes.rules import Outcome as Outcome
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO
from letters.snapshot import LetterSnapshot


def address_line(*, street: str, postal_code: str, city: str, country: str = "") -> str:
    """A postal address on one line, as the envelope's window has it; the country only abroad."""
    line = f"{street}, {postal_code} {city}"
    return f"{line}, {country}" if country else line


# Complaints Act: an accepted claim is satisfied at most 30 days after the reply.
PAYMENT_AFTER_REPLY_MAX_DAYS = 30


# The snapshot sections each letter reads; a missing one is refused with its name.
REQUIRED_SECTIONS: dict[LetterType, tuple[str, ...]] = {
    LetterType.CLAIM_ACKNOWLEDGEMENT: ("case", "deadlines"),
    LetterType.INFORMATION_REQUEST: ("case", "deadlines", "information_request"),
    LetterType.DELAY_NOTICE: ("case", "deadlines", "delay"),
    LetterType.PROVISIONAL_REFUND: ("case", "deadlines", "refund"),
    LetterType.DECISION_ACCEPTED: ("case", "liability", "decision"),
    LetterType.DECISION_PARTIALLY_ACCEPTED: ("case", "liability", "decision"),
    LetterType.DECISION_REJECTED: ("case", "liability", "decision"),
    LetterType.REFUND_WITHHELD: ("case", "deadlines", "law_enforcement"),
    LetterType.CARD_CANCELLATION: ("cancellation",),
    LetterType.DEEMED_ACCEPTED: ("case", "deadlines", "deemed_acceptance"),
}


class LetterDataError(ValueError):
    """The snapshot cannot make this letter: a section is missing or a date or amount breaks a rule."""


class MissingSection(LetterDataError):
    """The letter needs a snapshot section that is empty."""


class DelayNoticeDateError(LetterDataError):
    """A delay notice's expected reply date is after the extended deadline, or it comes too late (REK-7)."""


class PaymentDateError(LetterDataError):
    """An accepted claim would be paid later than 30 days after the reply, or with no date at all."""


class DeemedAcceptanceError(LetterDataError):
    """A REK-8 notice before the deadline ended, or not refunding the whole disputed amount."""


class DecisionMismatch(LetterDataError):
    """The decision, its letter type and the liability figures do not tell the same story."""


def parse_letter_type(value: "LetterType | str") -> LetterType:
    """The LetterType for a member or its value; a clear error for anything else."""
    try:
        return LetterType(value)
    except ValueError as exc:
        known = ", ".join(member.value for member in LetterType)
        raise LetterDataError(f"unknown letter type {value!r}; known: {known}") from exc


def check_letter_data(*, letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    """Refuse a snapshot that cannot make this letter.

    :raises MissingSection: a section the letter reads is empty.
    :raises DelayNoticeDateError: REK-7: expected reply after the extended deadline, or a notice
        issued after the original reply deadline, or an expected reply date in the past.
    :raises PaymentDateError: an (partly) accepted decision without a payment date, or paying
        before the reply or more than 30 days after it.
    :raises DecisionMismatch: the outcome does not match the letter type, the liability lines do
        not cover the disputed transactions exactly, or the shares contradict the outcome.
    :raises DeemedAcceptanceError: REK-8: a notice before the deadline ended, or not refunding all.
    :raises LetterDataError: any other inconsistency (a date before the complaint was received...).
    """
    for section in REQUIRED_SECTIONS[letter_type]:
        if getattr(snapshot, section) is None:
            raise MissingSection(f"a {letter_type.value} letter needs the snapshot's {section!r} section")
    case = snapshot.case
    if case is not None and snapshot.issued_on < case.received_on:
        raise LetterDataError(
            f"the letter is dated {snapshot.issued_on}, before the complaint was received "
            f"({case.received_on})"
        )
    check = _CHECKS.get(letter_type)
    if check is not None:
        check(letter_type, snapshot)


# A letter's reference ends with its version: "…/L12/v2", a preview's "…/L12/v1/PREVIEW"
# (``letters.builders.letter_reference``). The letter prints it, so the snapshot itself says it is a reissue.
_REFERENCE_VERSION = re.compile(r"/v(\d+)(?:/PREVIEW)?$")


def reference_version(reference: str) -> int:
    """The version a letter's reference names (1 for a reference without one)."""
    match = _REFERENCE_VERSION.search(reference)
    return int(match.group(1)) if match else 1


def _check_information_request(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    """The first letter of a request must leave the customer time to answer. A reissue (version 2 and
    later: a corrected address, a lost letter) is a corrected copy of that letter and states the same
    facts, the answer-by date as first given, even once that date has passed; a new date for the
    customer is a new request for information, never a reissue."""
    request = snapshot.information_request
    assert request is not None  # noqa: S101 (REQUIRED_SECTIONS guarantees it)
    if reference_version(snapshot.reference) > 1:
        return
    if request.respond_by <= snapshot.issued_on:
        raise LetterDataError(
            f"the customer cannot respond by {request.respond_by}: the letter is dated {snapshot.issued_on}"
        )


def _check_delay_notice(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    delay, deadlines = snapshot.delay, snapshot.deadlines
    assert delay is not None and deadlines is not None  # noqa: S101
    if delay.expected_reply_on > deadlines.extended_reply_due_on:
        raise DelayNoticeDateError(
            f"the expected reply date {delay.expected_reply_on} is later than the extended deadline "
            f"{deadlines.extended_reply_due_on} ({deadlines.extended_reply_rule_id}); "
            "a delay notice may not promise a reply after it"
        )
    if snapshot.issued_on > deadlines.reply_due_on:
        raise DelayNoticeDateError(
            f"a delay notice must go out before the reply deadline {deadlines.reply_due_on} "
            f"({deadlines.reply_rule_id}); this one is dated {snapshot.issued_on}"
        )
    if delay.expected_reply_on < snapshot.issued_on:
        raise DelayNoticeDateError(
            f"the expected reply date {delay.expected_reply_on} is before the notice ({snapshot.issued_on})"
        )


def _check_provisional_refund(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    refund, case = snapshot.refund, snapshot.case
    assert refund is not None and case is not None  # noqa: S101
    if not ZERO < refund.amount <= case.total_disputed:
        raise LetterDataError(
            f"a refund of {refund.amount} PLN is not between 0 and the disputed {case.total_disputed} PLN"
        )
    if refund.credited_on < case.received_on:
        raise LetterDataError("the refund cannot be credited before the claim was received")


def _check_decision(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    decision, liability, case = snapshot.decision, snapshot.liability, snapshot.case
    assert decision is not None and liability is not None and case is not None  # noqa: S101
    if decision.outcome is not letter_type.outcome:
        raise DecisionMismatch(
            f"a {letter_type.value} letter cannot announce a {decision.outcome.value} decision"
        )

    amounts = {t.reference: t.amount for t in case.transactions}
    covered = [line.transaction_reference for line in liability.lines]
    if sorted(covered) != sorted(amounts):
        raise DecisionMismatch(
            f"the liability lines cover {sorted(covered)}, the case disputes {sorted(amounts)}: one line each"
        )
    for line in liability.lines:
        if line.customer_share + line.bank_share != amounts[line.transaction_reference]:
            raise DecisionMismatch(
                f"{line.transaction_reference}: customer {line.customer_share} + bank {line.bank_share} "
                f"is not the disputed {amounts[line.transaction_reference]}"
            )
    expected_shares = {
        Outcome.ACCEPTED: liability.customer_total == ZERO,
        Outcome.PARTIALLY_ACCEPTED: liability.customer_total > ZERO and liability.bank_total > ZERO,
        Outcome.REJECTED: liability.bank_total == ZERO,
    }
    if not expected_shares[decision.outcome]:
        raise DecisionMismatch(
            f"a {decision.outcome.value} decision with customer {liability.customer_total} "
            f"and bank {liability.bank_total} PLN"
        )

    if decision.outcome is not Outcome.ACCEPTED and not (
        decision.factual_grounds.strip() and decision.legal_grounds.strip()
    ):
        raise LetterDataError(
            "a decision not fully accepting the complaint states its factual and legal grounds"
        )

    if decision.outcome is Outcome.REJECTED:
        if decision.payment_due_on is not None:
            raise PaymentDateError("a rejected complaint has nothing to pay: payment_due_on must be empty")
    else:
        latest = snapshot.issued_on + timedelta(days=PAYMENT_AFTER_REPLY_MAX_DAYS)
        if decision.payment_due_on is None:
            raise PaymentDateError("an accepted claim states the date by which it is paid")
        if not snapshot.issued_on <= decision.payment_due_on <= latest:
            raise PaymentDateError(
                f"the claim must be paid between the reply ({snapshot.issued_on}) and "
                f"{PAYMENT_AFTER_REPLY_MAX_DAYS} days after it ({latest}), not on {decision.payment_due_on}"
            )
    recovered_on = decision.customer_share_recovered_on
    if decision.customer_share_recovered_after_dispatch and liability.customer_total == ZERO:
        raise DecisionMismatch("nothing to recover from the customer, yet the letter says it is recovered")
    to_recover = decision.customer_share_to_recover
    if to_recover is not None:
        recovers = decision.customer_share_recovered_after_dispatch
        if to_recover and not recovers:
            raise DecisionMismatch("an amount to take back is given, yet the letter recovers nothing")
        # "Nothing is taken back" (0) is said only of a share the customer bears, in a letter recovering none.
        low = to_recover > ZERO if recovers else to_recover == ZERO < liability.customer_total
        if not (low and to_recover <= liability.customer_total):
            raise DecisionMismatch(
                f"{to_recover} to take back is not within the customer's share {liability.customer_total}"
            )
    _check_bank_share_to_credit(snapshot)
    if recovered_on is not None:
        if liability.customer_total == ZERO:
            raise DecisionMismatch("nothing to recover from the customer, yet a recovery date is given")
        if recovered_on < snapshot.issued_on:
            # FULL_THEN_RECOVER: the customer's share is recovered only after the final decision.
            raise LetterDataError("the customer's share is recovered only after the decision, not before it")


def _check_bank_share_to_credit(snapshot: LetterSnapshot) -> None:
    """What is still credited of the bank's part, plus what the D+1 refund credited of it, is that part."""
    decision, liability = snapshot.decision, snapshot.liability
    assert decision is not None and liability is not None  # noqa: S101
    to_credit = decision.bank_share_to_credit
    if to_credit is None:
        return
    if decision.outcome is Outcome.REJECTED or not ZERO <= to_credit <= liability.bank_total:
        raise DecisionMismatch(f"{to_credit} to credit is not within the bank's part {liability.bank_total}")
    refunded = snapshot.refund.amount if snapshot.refund is not None else ZERO
    if liability.bank_total - to_credit > refunded:
        raise DecisionMismatch(
            f"{liability.bank_total - to_credit} of the bank's part credited before the decision, "
            f"more than the provisional refund {refunded}"
        )


def _check_refund_withheld(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    notice = snapshot.law_enforcement
    assert notice is not None  # noqa: S101
    if notice.notified_on > snapshot.issued_on:
        raise LetterDataError(
            "UUP-46-1-FRAUD: the refund may be withheld only once law enforcement has been notified; "
            f"the notice is dated {notice.notified_on}, after this letter ({snapshot.issued_on})"
        )


def _check_card_cancellation(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    cancellation = snapshot.cancellation
    assert cancellation is not None  # noqa: S101
    if warsaw_date(cancellation.reported_at) > snapshot.issued_on:
        raise LetterDataError("the confirmation cannot be dated before the cancellation")


def _check_deemed_accepted(letter_type: LetterType, snapshot: LetterSnapshot) -> None:
    deemed, case = snapshot.deemed_acceptance, snapshot.case
    assert deemed is not None and case is not None  # noqa: S101
    if deemed.deemed_on <= deemed.missed_deadline_on:
        raise DeemedAcceptanceError(
            f"REK-8 applies only after the reply deadline {deemed.missed_deadline_on} has ended, "
            f"not on {deemed.deemed_on}"
        )
    if snapshot.issued_on < deemed.deemed_on:
        raise DeemedAcceptanceError("the notice cannot be dated before the complaint was deemed accepted")
    if deemed.refunded_total != case.total_disputed:
        # Deemed accepted means the customer gets back everything disputed, and nothing is recovered.
        raise DeemedAcceptanceError(
            f"a complaint deemed accepted refunds the whole disputed {case.total_disputed} PLN, "
            f"not {deemed.refunded_total} PLN"
        )
    latest = snapshot.issued_on + timedelta(days=PAYMENT_AFTER_REPLY_MAX_DAYS)
    for payment in deemed.payments:
        if not case.received_on <= payment.paid_on <= latest:
            raise PaymentDateError(
                f"a refund paid on {payment.paid_on} is not between the complaint ({case.received_on}) "
                f"and {PAYMENT_AFTER_REPLY_MAX_DAYS} days after this notice ({latest})"
            )


_CHECKS = {
    LetterType.INFORMATION_REQUEST: _check_information_request,
    LetterType.DELAY_NOTICE: _check_delay_notice,
    LetterType.PROVISIONAL_REFUND: _check_provisional_refund,
    LetterType.DECISION_ACCEPTED: _check_decision,
    LetterType.DECISION_PARTIALLY_ACCEPTED: _check_decision,
    LetterType.DECISION_REJECTED: _check_decision,
    LetterType.REFUND_WITHHELD: _check_refund_withheld,
    LetterType.CARD_CANCELLATION: _check_card_cancellation,
    LetterType.DEEMED_ACCEPTED: _check_deemed_accepted,
}
