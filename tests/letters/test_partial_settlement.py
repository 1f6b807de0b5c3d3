"""A partly accepted decision says what of the bank's part was already credited, and what will be."""

import re
from dataclasses import replace
from decimal import Decimal
from html import unescape

import pytest

from demo.letter_samples import sample_snapshot
from letters.rendering import render_letter_html
from letters.rules import LetterType

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
