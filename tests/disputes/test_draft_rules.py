"""The whole draft is checked when the customer sends it (disputes.rules.draft_problems)."""

from datetime import date

import pytest

from disputes.rules import DraftProblem, draft_problems

ISSUED, TODAY = date(2024, 1, 15), date(2025, 5, 26)
COMPLETE = {
    "transaction_count": 2,
    "cause": "STOLEN",
    "loss_noticed_on": date(2025, 5, 23),
    "card_issued_on": ISSUED,
    "today": TODAY,
    "card_whereabouts": "W portfelu.",
    "access_to_card_and_phone": "Nikt.",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        # Noticed before the transactions (a card is missed before it is misused): allowed.
        ({"loss_noticed_on": date(2025, 5, 1)}, []),
        ({"loss_noticed_on": TODAY}, []),
        ({"loss_noticed_on": ISSUED}, []),
        ({"loss_noticed_on": date(2025, 5, 27)}, [DraftProblem("noticed", "IN_FUTURE")]),
        ({"loss_noticed_on": date(2024, 1, 14)}, [DraftProblem("noticed", "BEFORE_CARD_ISSUED")]),
        ({"loss_noticed_on": None}, [DraftProblem("noticed", "REQUIRED")]),
        ({"card_whereabouts": "  "}, [DraftProblem("whereabouts", "REQUIRED")]),
        (
            {"transaction_count": 0, "access_to_card_and_phone": "", "loss_noticed_on": None},
            [
                DraftProblem("transactions", "NO_TRANSACTIONS"),
                DraftProblem("noticed", "REQUIRED"),
                DraftProblem("access", "REQUIRED"),
            ],
        ),
    ],
)
def test_draft_problems_in_the_wizards_order(changes, expected):
    assert draft_problems(**{**COMPLETE, **changes}) == expected
