"""A partly accepted decision says what of the bank's part was already credited, and what will be."""

import re
from dataclasses import replace
from decimal import Decimal
from html import unescape

import pytest

from demo.letter_samples import sample_snapshot
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
