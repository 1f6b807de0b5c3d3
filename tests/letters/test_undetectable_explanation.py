"""A letter explains an undetectable line by what happened: card details taken without the card are not
a lost card, whatever wording the assessment's record kept."""

import json
from pathlib import Path

import pytest

from letters.sections import customer_explanation
from liability.record import StoredAssessment

STORED = Path(__file__).parents[1] / "liability" / "golden" / "undetectable_staff.json"
# What the record of an assessment says for such a line, worded for a lost card.
RECORDED_PL = (
    "Klient nie mógł stwierdzić utraty przed wykonaniem transakcji: klient nie ponosi "
    "odpowiedzialności, bank ponosi 10,00\xa0zł."
)
RECORDED_EN = (
    "The loss could not be detected by the payer before the payment: the customer is not liable; "
    "the bank bears PLN\xa010.00."
)


def _stored(cause: str) -> StoredAssessment:
    record = json.loads(STORED.read_text())
    record["inputs"]["cause"] = cause
    record["inputs"]["findings"].update(no_means_to_report=False, bank_staff=False)
    record["lines"][0].update(
        rule="UUP-46-UNDETECTABLE", explanation_pl=RECORDED_PL, explanation_en=RECORDED_EN
    )
    return StoredAssessment.parse(record)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "pl",
            "Klient nie mógł stwierdzić przywłaszczenia danych karty przed wykonaniem transakcji: "
            "klient nie ponosi odpowiedzialności, bank ponosi 10,00\xa0zł.",
        ),
        (
            "en",
            "The payer could not have detected that the card details had been taken before the payment: "
            "the customer is not liable; the bank bears PLN\xa010.00.",
        ),
    ],
)
def test_card_details_taken_without_the_card_are_not_called_a_loss(language, said):
    stored = _stored("MISAPPROPRIATED")

    assert customer_explanation(stored, stored.lines[0], language) == said


def test_a_lost_card_is_still_a_loss():
    stored = _stored("LOST")

    assert customer_explanation(stored, stored.lines[0], "pl") == RECORDED_PL
    assert customer_explanation(stored, stored.lines[0], "en") == RECORDED_EN
