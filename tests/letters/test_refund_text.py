"""A refund letter names the card the refunded account is linked to as a card, never as an account."""

import re
from dataclasses import replace
from html import unescape

import pytest

from demo.letter_samples import sample_snapshot
from letters.rendering import render_letter_html
from letters.rules import LetterType


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([,.;:])", r"\1", text)  # no space left where a closing tag stood


def _refund_letter(language: str, account_masked: str) -> str:
    snapshot = sample_snapshot(LetterType.PROVISIONAL_REFUND, language=language)
    snapshot = replace(snapshot, refund=replace(snapshot.refund, account_masked=account_masked))
    return _text(render_letter_html(letter_type=LetterType.PROVISIONAL_REFUND, snapshot=snapshot))


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        (
            "pl",
            "Kwota zwrotu: 2 399,99 zł, uznana 27 maja 2025 na rachunku powiązanym z kartą •••• 4757.",
            "na rachunku •••• 4757",
        ),
        (
            "en",
            "credited on 27 May 2025 to the account linked to the card •••• 4757.",
            "to the account •••• 4757",
        ),
    ],
)
def test_a_refund_credited_to_the_account_of_a_card_names_the_card(language, said, not_said):
    text = _refund_letter(language, "•••• 4757")

    assert said.replace("\u00a0", " ") in text.replace("\u00a0", " ")
    assert not_said not in text


def test_a_refund_named_by_its_account_number_still_names_the_account():
    text = _refund_letter("pl", "PL61 •••• •••• 0001")

    assert "uznana 27 maja 2025 na rachunku PL61 •••• •••• 0001." in text
