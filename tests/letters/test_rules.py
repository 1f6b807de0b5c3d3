from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from demo.letter_samples import sample_snapshot
from letters.models import CustomerAddress
from letters.rules import (
    DecisionMismatch,
    DeemedAcceptanceError,
    DelayNoticeDateError,
    LetterDataError,
    LetterType,
    MissingSection,
    PaymentDateError,
    address_line,
    check_letter_data,
)
from letters.snapshot import RefundPayment, RefundPaymentKind

DELAY = LetterType.DELAY_NOTICE
PARTIAL = LetterType.DECISION_PARTIALLY_ACCEPTED


@pytest.mark.parametrize(
    ("issued_on", "expected_reply_on", "refused"),
    [
        # Deadlines of the sample: reply 2025-06-25 (REK-6), extended 2025-07-25 (REK-7).
        (date(2025, 6, 20), date(2025, 7, 18), False),
        (date(2025, 6, 20), date(2025, 7, 25), False),  # the extended deadline itself
        (date(2025, 6, 20), date(2025, 7, 26), True),  # a day after it
        (date(2025, 6, 25), date(2025, 7, 18), False),  # notice on the last day of the 30
        (date(2025, 6, 26), date(2025, 7, 18), True),  # notice after the 30 days: too late
        (date(2025, 6, 20), date(2025, 6, 19), True),  # a reply date before the notice
    ],
)
def test_delay_notice_dates_rek_7(issued_on, expected_reply_on, refused):
    snapshot = sample_snapshot(DELAY)
    snapshot = replace(
        snapshot, issued_on=issued_on, delay=replace(snapshot.delay, expected_reply_on=expected_reply_on)
    )

    if refused:
        with pytest.raises(DelayNoticeDateError):
            check_letter_data(letter_type=DELAY, snapshot=snapshot)
    else:
        check_letter_data(letter_type=DELAY, snapshot=snapshot)


@pytest.mark.parametrize(
    ("payment_due_on", "refused"),
    [
        (date(2025, 6, 16), False),  # the day of the reply
        (date(2025, 7, 16), False),  # 30 days after it
        (date(2025, 7, 17), True),  # 31 days after it
        (date(2025, 6, 15), True),  # before the reply
        (None, True),
    ],
)
def test_an_accepted_claim_is_paid_at_most_30_days_after_the_reply(payment_due_on, refused):
    snapshot = sample_snapshot(PARTIAL)  # issued 2025-06-16
    snapshot = replace(snapshot, decision=replace(snapshot.decision, payment_due_on=payment_due_on))

    if refused:
        with pytest.raises(PaymentDateError):
            check_letter_data(letter_type=PARTIAL, snapshot=snapshot)
    else:
        check_letter_data(letter_type=PARTIAL, snapshot=snapshot)


def test_a_rejection_has_no_payment_date():
    snapshot = sample_snapshot(LetterType.DECISION_REJECTED)
    snapshot = replace(snapshot, decision=replace(snapshot.decision, payment_due_on=date(2025, 6, 20)))

    with pytest.raises(PaymentDateError, match="nothing to pay"):
        check_letter_data(letter_type=LetterType.DECISION_REJECTED, snapshot=snapshot)


def test_the_letter_type_must_announce_the_decision_taken():
    snapshot = sample_snapshot(PARTIAL)

    with pytest.raises(
        DecisionMismatch, match="DECISION_ACCEPTED letter cannot announce a PARTIALLY_ACCEPTED"
    ):
        check_letter_data(letter_type=LetterType.DECISION_ACCEPTED, snapshot=snapshot)


def test_liability_lines_must_cover_exactly_the_disputed_transactions():
    snapshot = sample_snapshot(PARTIAL)
    liability = replace(
        snapshot.liability,
        lines=snapshot.liability.lines[:2],
        customer_total=Decimal("212.71"),
        bank_total=Decimal("1837.29"),
    )

    with pytest.raises(DecisionMismatch, match="one line each"):
        check_letter_data(letter_type=PARTIAL, snapshot=replace(snapshot, liability=liability))


def test_shares_must_add_up_to_the_disputed_amount():
    snapshot = sample_snapshot(PARTIAL)
    first = replace(snapshot.liability.lines[0], bank_share=Decimal("587.28"))
    lines = (first, *snapshot.liability.lines[1:])
    liability = replace(snapshot.liability, lines=lines, bank_total=Decimal("2187.27"))

    with pytest.raises(DecisionMismatch, match=r"is not the disputed 800\.00"):
        check_letter_data(letter_type=PARTIAL, snapshot=replace(snapshot, liability=liability))


def test_a_partial_decision_states_its_grounds():
    snapshot = sample_snapshot(PARTIAL)

    with pytest.raises(LetterDataError, match="factual and legal grounds"):
        check_letter_data(
            letter_type=PARTIAL,
            snapshot=replace(snapshot, decision=replace(snapshot.decision, legal_grounds="")),
        )


def test_a_letter_saying_the_share_is_recovered_needs_a_share_to_recover():
    accepted = LetterType.DECISION_ACCEPTED
    snapshot = sample_snapshot(accepted)
    decision = replace(snapshot.decision, customer_share_recovered_after_dispatch=True)

    with pytest.raises(DecisionMismatch, match="nothing to recover"):
        check_letter_data(letter_type=accepted, snapshot=replace(snapshot, decision=decision))


def test_the_customer_share_is_recovered_only_after_the_decision():
    snapshot = sample_snapshot(PARTIAL)
    decision = replace(snapshot.decision, customer_share_recovered_on=date(2025, 6, 15))

    with pytest.raises(LetterDataError, match="only after the decision"):
        check_letter_data(letter_type=PARTIAL, snapshot=replace(snapshot, decision=decision))


def test_refund_may_be_withheld_only_after_law_enforcement_was_notified():
    letter_type = LetterType.REFUND_WITHHELD
    snapshot = sample_snapshot(letter_type)  # issued 2025-05-28
    notice = replace(snapshot.law_enforcement, notified_on=date(2025, 5, 29))

    with pytest.raises(LetterDataError, match="UUP-46-1-FRAUD"):
        check_letter_data(letter_type=letter_type, snapshot=replace(snapshot, law_enforcement=notice))


def test_a_letter_cannot_predate_the_complaint():
    snapshot = replace(sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT), issued_on=date(2025, 5, 25))

    with pytest.raises(LetterDataError, match="before the complaint was received"):
        check_letter_data(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot)


@pytest.mark.parametrize(
    ("letter_type", "section"),
    [
        (LetterType.CLAIM_ACKNOWLEDGEMENT, "deadlines"),
        (LetterType.INFORMATION_REQUEST, "information_request"),
        (LetterType.PROVISIONAL_REFUND, "refund"),
        (LetterType.DECISION_PARTIALLY_ACCEPTED, "liability"),
        (LetterType.REFUND_WITHHELD, "law_enforcement"),
        (LetterType.CARD_CANCELLATION, "cancellation"),
        (LetterType.DEEMED_ACCEPTED, "deemed_acceptance"),
    ],
)
def test_each_letter_names_the_section_it_misses(letter_type, section):
    snapshot = replace(sample_snapshot(letter_type), **{section: None})

    with pytest.raises(MissingSection, match=f"'{section}'"):
        check_letter_data(letter_type=letter_type, snapshot=snapshot)


@pytest.mark.parametrize("letter_type", list(LetterType))
def test_every_sample_is_a_valid_letter(letter_type):
    check_letter_data(letter_type=letter_type, snapshot=sample_snapshot(letter_type))


DEEMED = LetterType.DEEMED_ACCEPTED
FINAL = RefundPaymentKind.FINAL
PROVISIONAL = RefundPaymentKind.PROVISIONAL_MADE_FINAL


@pytest.mark.parametrize(
    ("deemed_on", "issued_on", "payments", "error"),
    [
        # The sample: complaint received 2025-05-26, reply due 2025-06-25 (REK-6), 2 399,99 zł disputed.
        (date(2025, 6, 26), date(2025, 6, 26), [(FINAL, "2399.99", date(2025, 6, 26))], None),
        # The D+1 refund made final, and nothing else owed.
        (date(2025, 6, 26), date(2025, 6, 27), [(PROVISIONAL, "2399.99", date(2025, 5, 27))], None),
        # Part refunded at D+1, the rest on acceptance, and a payment still to come (within 30 days).
        (
            date(2025, 6, 26),
            date(2025, 6, 26),
            [(PROVISIONAL, "2050.00", date(2025, 5, 27)), (FINAL, "349.99", date(2025, 7, 26))],
            None,
        ),
        # REK-8 applies only once the deadline day has ended.
        (
            date(2025, 6, 25),
            date(2025, 6, 26),
            [(FINAL, "2399.99", date(2025, 6, 26))],
            DeemedAcceptanceError,
        ),
        # The notice is not dated before the acceptance.
        (
            date(2025, 6, 27),
            date(2025, 6, 26),
            [(FINAL, "2399.99", date(2025, 6, 27))],
            DeemedAcceptanceError,
        ),
        # Deemed accepted refunds everything disputed: not a grosz less.
        (
            date(2025, 6, 26),
            date(2025, 6, 26),
            [(FINAL, "2399.98", date(2025, 6, 26))],
            DeemedAcceptanceError,
        ),
        # A payment more than 30 days after the notice, or before the complaint, is refused.
        (date(2025, 6, 26), date(2025, 6, 26), [(FINAL, "2399.99", date(2025, 7, 27))], PaymentDateError),
        (
            date(2025, 6, 26),
            date(2025, 6, 26),
            [(PROVISIONAL, "2399.99", date(2025, 5, 25))],
            PaymentDateError,
        ),
    ],
)
def test_a_complaint_deemed_accepted_rek_8(deemed_on, issued_on, payments, error):
    sample = sample_snapshot(DEEMED)
    deemed = replace(
        sample.deemed_acceptance,
        deemed_on=deemed_on,
        payments=tuple(RefundPayment(kind=k, amount=Decimal(a), paid_on=d) for k, a, d in payments),
    )
    snapshot = replace(sample, issued_on=issued_on, deemed_acceptance=deemed)

    if error is None:
        check_letter_data(letter_type=DEEMED, snapshot=snapshot)
    else:
        with pytest.raises(error):
            check_letter_data(letter_type=DEEMED, snapshot=snapshot)


@pytest.mark.parametrize(
    ("country", "line"),
    [
        ("", "ul. Długa 5 m. 2, 00-238 Warszawa"),
        ("NIEMCY", "ul. Długa 5 m. 2, 00-238 Warszawa, NIEMCY"),
    ],
)
def test_an_address_on_one_line_names_the_country_only_abroad(country, line):
    parts = {"street": "ul. Długa 5 m. 2", "postal_code": "00-238", "city": "Warszawa", "country": country}

    assert address_line(**parts) == line
    # The portal's profile and the admin show the stored address with the same line.
    assert str(CustomerAddress(**parts)) == line
