"""A decision letter's rows speak to the customer ("ponoszą Państwo", "you bear"); the record is unchanged."""

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from demo.letter_samples import sample_snapshot
from letters.rendering import render_letter_html
from letters.row_reasons import row_reason
from letters.rules import LetterType
from letters.snapshot import LetterSnapshot
from liability.record import StoredAssessment

STORED = Path(__file__).parents[1] / "liability" / "golden" / "cap_three_days.json"
GOLDEN = Path(__file__).parent / "golden"
ADDRESSED = {
    "pl": (
        "Przy karcie utraconej, skradzionej lub przywłaszczonej ponoszą Państwo najwyżej równowartość 50 EUR "
        "za całą reklamację, z czego na tę transakcję pozostało 212,71\xa0zł, dlatego ponoszą Państwo "
        "212,71\xa0zł, a bank 587,29\xa0zł.",
        "Tę transakcję wykonano w chwili zgłoszenia karty lub później, dlatego nie ponoszą Państwo żadnej "
        "części: całą kwotę 349,99\xa0zł ponosi bank.",
    ),
    "en": (
        "For a lost, stolen or misappropriated card you bear at most the equivalent of EUR 50 for the whole "
        "claim, which left PLN\xa0212.71 for this payment, so you bear PLN\xa0212.71 and the bank bears "
        "PLN\xa0587.29.",
        "This payment was made when or after you reported the card, so you bear nothing: the bank bears "
        "the whole PLN\xa0349.99.",
    ),
}


def _stored() -> StoredAssessment:
    return StoredAssessment.parse(json.loads(STORED.read_text()))


def test_a_row_tells_the_customer_what_they_bear_and_why():
    stored = _stored()
    capped, _second, no_sca, _third = stored.lines

    assert row_reason(line=capped, inputs=stored.inputs, language="pl").endswith(
        "pozostało 212,49\xa0zł, dlatego ponoszą Państwo całą kwotę 100,00\xa0zł."
    )
    assert row_reason(line=no_sca, inputs=stored.inputs, language="pl") == (
        "Nie wymagaliśmy silnego uwierzytelnienia przy tej transakcji, dlatego nie ponoszą Państwo żadnej "
        "części: całą kwotę 40,00\xa0zł ponosi bank."
    )
    assert row_reason(line=no_sca, inputs=stored.inputs, language="en") == (
        "We did not require strong authentication for this payment, so you bear nothing: the bank bears "
        "the whole PLN\xa040.00."
    )
    assert "klient nie ponosi odpowiedzialności" in no_sca.explanation_pl  # the record, unchanged


def test_a_row_of_a_rule_the_wording_does_not_know_still_says_who_bears_what():
    stored = _stored()
    line = stored.lines[1].model_copy(update={"rule": "UUP-99-FUTURE"})

    assert row_reason(line=line, inputs=stored.inputs, language="pl") == (
        "Ponoszą Państwo 112,60\xa0zł, a bank 687,40\xa0zł."
    )
    assert row_reason(line=line, inputs=stored.inputs, language="en") == (
        "You bear PLN\xa0112.60 and the bank bears PLN\xa0687.40."
    )


def _addressed(language: str) -> LetterSnapshot:
    """The partly accepted sample with its first and last rows worded for the customer (the middle not)."""
    sample = sample_snapshot(LetterType.DECISION_PARTIALLY_ACCEPTED, language=language)
    first, middle, last = sample.liability.lines
    pl, en = ADDRESSED["pl"], ADDRESSED["en"]
    lines = (
        replace(first, to_customer_pl=pl[0], to_customer_en=en[0]),
        middle,
        replace(last, to_customer_pl=pl[1], to_customer_en=en[1]),
    )
    return replace(sample, liability=replace(sample.liability, lines=lines))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_snapshot_with_addressed_rows_encodes_to_its_stored_bytes_and_back(language):
    stored = (GOLDEN / f"decision_partially_accepted.addressed.{language}.json").read_bytes()

    restored = LetterSnapshot.from_json(stored)

    assert _addressed(language).to_json().encode() == stored
    assert restored == _addressed(language)
    assert restored.to_json().encode() == stored
    assert "to_customer_pl" not in json.loads(stored)["liability"]["lines"][1]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_decision_letter_addresses_its_rows_to_the_customer(language):
    snapshot = _addressed(language)

    html = render_letter_html(letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=snapshot)

    first, middle, last = snapshot.liability.lines
    assert ADDRESSED[language][0] in html
    assert ADDRESSED[language][1] in html
    assert first.explanation_pl not in html and last.explanation_en not in html
    # A row without the addressed words (a letter stored before them) keeps its stored explanation.
    assert middle.explanation(language) in html
    assert first.customer_share == Decimal("212.71")


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_decision_letter_stored_before_the_addressed_rows_renders_as_before(language):
    stored = LetterSnapshot.from_json((GOLDEN / f"decision_partially_accepted.{language}.json").read_bytes())

    html = render_letter_html(letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=stored)

    assert all(line.to_customer_pl is None and line.to_customer_en is None for line in stored.liability.lines)
    for line in stored.liability.lines:
        assert line.explanation(language) in html
        assert (line.explanation_en if language == "en" else line.explanation_pl) in html
    assert b"to_customer" not in stored.to_json().encode()
