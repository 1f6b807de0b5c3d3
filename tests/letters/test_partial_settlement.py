"""A partly accepted decision says what of the bank's part was already credited, and what will be."""

import re
from dataclasses import replace
from decimal import Decimal
from html import unescape

import pytest

from demo.letter_samples import sample_snapshot
from kartosfera.money import ZERO
from letters.rendering import render_letter_html
from letters.rules import DecisionMismatch, LetterType

PARTIAL = LetterType.DECISION_PARTIALLY_ACCEPTED


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))
    return re.sub(r" ([,.;:])", r"\1", text)


def _partial_letter(language: str, refunded: str | None) -> str:
    """The sample letter (the bank bears 2 187,28 zł, D+1 refund 2 399,99 zł on 27 May 2025)."""
    snapshot = sample_snapshot(PARTIAL, language=language)
    if refunded is None:
        snapshot = replace(snapshot, refund=None)
    else:
        snapshot = replace(snapshot, refund=replace(snapshot.refund, amount=Decimal(refunded)))
    return _text(render_letter_html(letter_type=PARTIAL, snapshot=snapshot))


@pytest.mark.parametrize(
    ("language", "refunded", "said"),
    [
        (
            "en",
            "2399.99",
            "The part the bank bears, PLN 2,187.28, is yours for good: it was credited to your account on "
            "27 May 2025 with the provisional refund, so nothing more will be credited.",
        ),
        (
            "pl",
            "2399.99",
            "Część ponoszona przez Bank, 2 187,28 zł, należy do Państwa ostatecznie: została uznana na "
            "Państwa rachunku 27 maja 2025 w ramach tymczasowego zwrotu, więc nic więcej nie uznamy.",
        ),
        (
            "en",
            "1500.00",
            "The part the bank bears, PLN 2,187.28, is yours for good: PLN 1,500.00 of it is the provisional "
            "refund credited to your account on 27 May 2025, and we will credit the remaining PLN 687.28 to "
            "your account by 20 June 2025.",
        ),
        (
            "pl",
            "1500.00",
            "Część ponoszona przez Bank, 2 187,28 zł, należy do Państwa ostatecznie: 1 500,00 zł z niej to "
            "tymczasowy zwrot uznany na Państwa rachunku 27 maja 2025, a pozostałą kwotę 687,28 zł uznamy na "
            "Państwa rachunku do 20 czerwca 2025.",
        ),
        (
            "en",
            None,
            "The part the bank bears, PLN 2,187.28, is yours for good: no part of it has been credited yet, "
            "and we will credit it to your account by 20 June 2025.",
        ),
        (
            "pl",
            None,
            "Część ponoszona przez Bank, 2 187,28 zł, należy do Państwa ostatecznie: nie została jeszcze "
            "uznana w żadnej części, a uznamy ją na Państwa rachunku do 20 czerwca 2025.",
        ),
    ],
)
def test_the_bank_s_part_says_what_the_provisional_refund_credited_and_what_is_still_to_come(
    language, refunded, said
):
    text = _partial_letter(language, refunded)

    assert said in text
    assert "if it has not already" not in text and "jeśli nie została jeszcze" not in text


REJECTED = LetterType.DECISION_REJECTED


def _taking_back(snapshot, to_recover: str | None):
    return replace(
        snapshot,
        decision=replace(
            snapshot.decision, customer_share_to_recover=None if to_recover is None else Decimal(to_recover)
        ),
    )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Of the part you bear, PLN 2,050.00, we will charge PLN 800.00 to your account not before the "
            "day after this letter is sent to you, for the reasons given below: that is the part of the "
            "provisional refund that was your share. The remaining PLN 1,250.00 was never refunded to "
            "you, so nothing more will be charged.",
        ),
        (
            "pl",
            "Z części ponoszonej przez Państwa, 2 050,00 zł, pobierzemy z rachunku 800,00 zł nie wcześniej "
            "niż następnego dnia po wysłaniu do Państwa tego pisma, z przyczyn wskazanych poniżej: tyle z "
            "tymczasowego zwrotu przypadało na Państwa część. Pozostałej kwoty 1 250,00 zł nie "
            "zwróciliśmy Państwu, więc nic więcej nie pobierzemy.",
        ),
    ],
)
def test_only_the_share_refunded_provisionally_is_said_to_be_charged(language, said):
    # Two payments the customer bears in full; only the first (800,00 zł) was refunded at D+1.
    sample = sample_snapshot(REJECTED, language=language)
    refunded_first = replace(sample, refund=replace(sample.refund, amount=Decimal("800.00")))
    snapshot = _taking_back(refunded_first, "800.00")

    text = _text(render_letter_html(letter_type=REJECTED, snapshot=snapshot))

    assert said in text
    assert "The part you bear, PLN 2,050.00" not in text and "Część ponoszoną przez Państwa" not in text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("pl", "Część ponoszoną przez Państwa, 212,71 zł, pobierzemy z rachunku nie wcześniej niż"),
        ("en", "The part you bear, PLN 212.71, will be charged to your account not before the day after"),
    ],
)
def test_a_letter_taking_back_the_whole_share_reads_as_a_letter_stored_without_the_amount(language, said):
    stored = sample_snapshot(PARTIAL, language=language)
    whole = _taking_back(stored, "212.71")

    html = render_letter_html(letter_type=PARTIAL, snapshot=stored)

    assert stored.decision.customer_share_to_recover is None
    assert render_letter_html(letter_type=PARTIAL, snapshot=whole) == html
    assert said in _text(html)


@pytest.mark.parametrize("to_recover", ["0.00", "212.72"])
def test_an_amount_to_take_back_outside_the_customer_s_share_is_refused(to_recover):
    snapshot = _taking_back(sample_snapshot(PARTIAL), to_recover)

    refusal = re.escape("to take back is not within the customer's share 212.71")
    with pytest.raises(DecisionMismatch, match=refusal):
        render_letter_html(letter_type=PARTIAL, snapshot=snapshot)


def _crediting(snapshot, refunded: str, to_credit: str | None):
    return replace(
        snapshot,
        refund=replace(snapshot.refund, amount=Decimal(refunded)),
        decision=replace(
            snapshot.decision, bank_share_to_credit=None if to_credit is None else Decimal(to_credit)
        ),
    )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "The part the bank bears, PLN 2,187.28, is yours for good: PLN 1,837.29 of it is the provisional "
            "refund credited to your account on 27 May 2025, and we will credit the remaining PLN 349.99 to "
            "your account by 20 June 2025.",
        ),
        (
            "pl",
            "Część ponoszona przez Bank, 2 187,28 zł, należy do Państwa ostatecznie: 1 837,29 zł z niej to "
            "tymczasowy zwrot uznany na Państwa rachunku 27 maja 2025, a pozostałą kwotę 349,99 zł uznamy na "
            "Państwa rachunku do 20 czerwca 2025.",
        ),
    ],
)
def test_a_payment_of_the_bank_s_part_the_refund_skipped_is_still_credited(language, said):
    # The D+1 refund (2 050,00 zł) covered the first two payments, 212,71 zł of it the customer's share;
    # the bank's 349,99 zł payment was never refunded, so it is credited now (the FINAL_REFUND move).
    snapshot = _crediting(sample_snapshot(PARTIAL, language=language), "2050.00", "349.99")

    text = _text(render_letter_html(letter_type=PARTIAL, snapshot=snapshot))

    assert said in text
    # Figured over the whole claim, the letter credited only 137,28 zł.
    assert "137.28" not in text and "137,28" not in text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "The part the bank bears, PLN 2,187.28, is yours for good: no part of it has been credited yet, "
            "and we will credit it to your account by 20 June 2025.",
        ),
        (
            "pl",
            "Część ponoszona przez Bank, 2 187,28 zł, należy do Państwa ostatecznie: nie została jeszcze "
            "uznana w żadnej części, a uznamy ją na Państwa rachunku do 20 czerwca 2025.",
        ),
    ],
)
def test_a_refund_that_credited_none_of_the_bank_s_part_says_none_was_credited(language, said):
    snapshot = _crediting(sample_snapshot(PARTIAL, language=language), "212.71", "2187.28")

    text = _text(render_letter_html(letter_type=PARTIAL, snapshot=snapshot))

    assert said in text
    assert "0.00 of it" not in text and "0,00 zł z niej" not in text


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize(("refunded", "to_credit"), [("2399.99", "0.00"), ("1500.00", "687.28")])
def test_a_letter_crediting_what_the_whole_claim_figure_gives_reads_as_one_stored_without_it(
    language, refunded, to_credit
):
    stored = _crediting(sample_snapshot(PARTIAL, language=language), refunded, None)

    html = render_letter_html(letter_type=PARTIAL, snapshot=stored)

    assert render_letter_html(letter_type=PARTIAL, snapshot=_crediting(stored, refunded, to_credit)) == html


@pytest.mark.parametrize(
    ("refunded", "to_credit", "refusal"),
    [
        ("2399.99", "2187.29", "2187.29 to credit is not within the bank's part 2187.28"),
        ("1500.00", "0.00", "2187.28 of the bank's part credited before the decision, more than the "),
    ],
)
def test_an_amount_to_credit_the_refund_cannot_account_for_is_refused(refunded, to_credit, refusal):
    snapshot = _crediting(sample_snapshot(PARTIAL), refunded, to_credit)

    with pytest.raises(DecisionMismatch, match=re.escape(refusal)):
        render_letter_html(letter_type=PARTIAL, snapshot=snapshot)


def _nothing_refunded_of_the_share(snapshot):
    return replace(
        snapshot,
        decision=replace(
            snapshot.decision, customer_share_recovered_after_dispatch=False, customer_share_to_recover=ZERO
        ),
    )


NOTHING_TAKEN_BACK = {
    "en": "The part you bear, PLN 212.71, was never refunded, so nothing will be taken back from your "
    "account.",
    "pl": "Części ponoszonej przez Państwa, 212,71 zł, nie zwróciliśmy Państwu, więc nic nie pobierzemy z "
    "Państwa rachunku.",
}


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("refunded", ["2187.28", None])
def test_a_share_never_refunded_is_said_not_to_be_taken_back(language, refunded):
    # The D+1 refund (if any) covered only the bank's part: the recovery takes back nothing.
    sample = sample_snapshot(PARTIAL, language=language)
    refund = None if refunded is None else replace(sample.refund, amount=Decimal(refunded))
    snapshot = _nothing_refunded_of_the_share(replace(sample, refund=refund))

    text = _text(render_letter_html(letter_type=PARTIAL, snapshot=snapshot))

    assert NOTHING_TAKEN_BACK[language] in text
    assert "will be charged" not in text and "pobierzemy z rachunku" not in text


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_letter_stored_without_the_amount_to_take_back_says_nothing_of_taking_back(language):
    sample = sample_snapshot(PARTIAL, language=language)
    stored = replace(sample, decision=replace(sample.decision, customer_share_recovered_after_dispatch=False))

    text = _text(render_letter_html(letter_type=PARTIAL, snapshot=stored))

    assert NOTHING_TAKEN_BACK[language] not in text


def test_nothing_taken_back_is_refused_when_the_customer_bears_nothing():
    sample = sample_snapshot(LetterType.DECISION_ACCEPTED)
    snapshot = replace(sample, decision=replace(sample.decision, customer_share_to_recover=ZERO))

    with pytest.raises(DecisionMismatch, match="to take back is not within the customer's share 0"):
        render_letter_html(letter_type=LetterType.DECISION_ACCEPTED, snapshot=snapshot)
