"""An accepted decision promises a further credit only when something remains to be credited."""

import re
from dataclasses import replace
from decimal import Decimal
from html import unescape

import pytest

from demo.letter_samples import sample_snapshot
from letters.rendering import render_letter_html
from letters.rules import LetterType


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))
    return re.sub(r" ([,.;:])", r"\1", text)


def _accepted_letter(language: str, refunded: str | None = None) -> str:
    snapshot = sample_snapshot(LetterType.DECISION_ACCEPTED, language=language)
    if refunded is not None:
        snapshot = replace(snapshot, refund=replace(snapshot.refund, amount=Decimal(refunded)))
    return _text(render_letter_html(letter_type=LetterType.DECISION_ACCEPTED, snapshot=snapshot))


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        (
            "en",
            "The provisional refund of PLN 2,399.99 credited to your account on 27 May 2025 "
            "is now final: it is the whole amount due to you",
            "remaining",
        ),
        (
            "pl",
            "Tymczasowy zwrot kwoty 2 399,99 zł, uznany na Państwa rachunku 27 maja 2025, "
            "jest teraz ostateczny: to cała należna Państwu kwota",
            "pozostał",
        ),
    ],
)
def test_a_refund_of_the_whole_amount_is_made_final_and_nothing_more_is_promised(language, said, not_said):
    text = _accepted_letter(language)

    assert said in text
    assert not_said not in text.lower()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "We will credit the remaining PLN 1,599.99 to your account by 20 June 2025."),
        ("pl", "Pozostałą kwotę 1 599,99 zł uznamy na Państwa rachunku do 20 czerwca 2025."),
    ],
)
def test_a_partial_refund_names_the_amount_still_to_be_credited(language, said):
    text = _accepted_letter(language, refunded="800.00")

    assert said in text
