# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""The decision's money on the claim page when the D+1 refund covered only part of the disputed amount.

The stolen card of tests/disputes/conftest.py (800,00 zł at Euronet ATM, 120,00 zł at Biedronka). Under
NET_OF_CAP the D+1 refund follows the estimate: here it puts the ATM withdrawal on the bank (refunded,
800,00 zł) and the Biedronka payment on the customer (never refunded). The page must state the same
figures as the decision letter: what of the customer's share is taken back, and what never was refunded.
"""

import pytest
import time_machine

from disputes.services import (
    case_assess_liability,
    case_decide,
    case_refund_provisionally,
    case_start_review,
)
from liability.engine import Findings
from tests.disputes.conftest import refunded_net_of_cap, submitted_case, warsaw
from tests.disputes.helpers import four_eyes
from tests.disputes.portal.test_claim_decision import page, post_the_decision, reject
from tests.disputes.portal.test_claim_pages import signed_in

# The letters tests' fixtures: letters stored in a temporary MEDIA_ROOT, a postal address for the
# customer, signing staff with their positions (the decision letter is issued and posted here).
from tests.letters.test_issue import _media, analyst, eur_rates, supervisor, theft  # noqa: F401


@pytest.fixture
def partly_refunded(theft, eur_rates, analyst, supervisor, settings):
    case = refunded_net_of_cap(theft, analyst, settings)
    reject(case, analyst, supervisor, decided_at=warsaw(2025, 6, 10, 9, 0))
    return case


def test_a_share_partly_refunded_states_the_share_what_is_taken_back_and_what_never_was_refunded(
    client, theft, partly_refunded
):
    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        polish = page(signed_in(client, theft.user), partly_refunded)
        english = page(signed_in(client, theft.user), partly_refunded, language="en")

    card = theft.card.masked
    # The refund skipped the Biedronka payment: it was not the whole disputed amount.
    assert "26 maja 2025 zwróciliśmy na Twój rachunek 800,00 zł, jak wymaga ustawa" in polish
    assert "800,00 zł, całą reklamowaną kwotę" not in polish
    assert (
        "Z części, którą ponosisz, 920,00 zł, pobierzemy 800,00 zł, obciążając rachunek powiązany z kartą "
        f"{card}, dopiero po wysłaniu Ci naszej odpowiedzi z uzasadnieniem: najwcześniej dzień po jej "
        "wysłaniu." in polish
    )
    assert (
        "Pozostałej kwoty z części, którą ponosisz, 120,00 zł, nie zwróciliśmy Ci, więc nic więcej nie "
        "zostanie pobrane." in polish
    )
    assert "Część, którą ponosisz, 800,00 zł" not in polish
    assert "On 26 May 2025 we refunded PLN 800.00 to your account, as the law requires" in english
    assert "the whole disputed amount, as the law" not in english
    assert (
        "Of the part you bear, PLN 920.00, PLN 800.00 will be taken back by a debit to the account "
        f"linked to card {card}, only after our reply" in english
    )
    assert (
        "The remaining PLN 120.00 of the part you bear was never refunded to you, so nothing more will be "
        "taken back." in english
    )
    assert "The part you bear, PLN 800.00" not in english


def test_a_share_partly_refunded_keeps_both_figures_once_the_date_has_passed_and_once_taken_back(
    client, theft, partly_refunded, analyst, supervisor
):
    post_the_decision(partly_refunded, analyst)
    card = theft.card.masked
    browser = signed_in(client, theft.user)
    with time_machine.travel(warsaw(2025, 6, 18, 10, 0), tick=False):
        text = page(browser, partly_refunded)
    assert (
        "Z części, którą ponosisz, 920,00 zł, pobierzemy wkrótce 800,00 zł, obciążając rachunek powiązany z "
        f"kartą {card}; możemy to zrobić od 11 czerwca 2025" in text
    )
    assert "Pozostałej kwoty z części, którą ponosisz, 120,00 zł, nie zwróciliśmy Ci" in text

    four_eyes(
        "RECOVERY",
        case=partly_refunded,
        proposer=analyst,
        approver=supervisor,
        now=warsaw(2025, 6, 18, 11, 0),
    )
    with time_machine.travel(warsaw(2025, 6, 18, 12, 0), tick=False):
        text = page(browser, partly_refunded)
    assert (
        "18 czerwca 2025 pobraliśmy 800,00 zł z części, którą ponosisz, 920,00 zł, obciążając rachunek "
        f"powiązany z kartą {card}." in text
    )
    assert "Pozostałej kwoty z części, którą ponosisz, 120,00 zł, nie zwróciliśmy Ci" in text
    assert "pobierzemy" not in text


def test_a_refund_that_covered_none_of_the_share_says_nothing_will_be_taken_back(
    client, theft, eur_rates, analyst, supervisor, settings
):
    # NET_OF_CAP refunds at D+1 only the bank's share of the estimate (707,29 zł): the customer's
    # 212,71 zł, which the decision confirms, was never refunded, so nothing is taken back.
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=warsaw(2025, 6, 9, 10, 0))
    case_decide(
        case_id=case.pk,
        actor=supervisor,
        now=warsaw(2025, 6, 10, 9, 0),
        reason="limit 50 EUR",
        customer_grounds="Karta została skradziona.",
    )
    case.refresh_from_db()
    assert not case.settlement_moves()

    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        polish = page(signed_in(client, theft.user), case)
        english = page(signed_in(client, theft.user), case, language="en")

    assert "26 maja 2025 zwróciliśmy na Twój rachunek 707,29 zł, jak wymaga ustawa" in polish
    assert (
        "Części, którą ponosisz, 212,71 zł, nie zwróciliśmy, więc nic nie zostanie pobrane z Twojego "
        "rachunku." in polish
    )
    assert "pobierzemy" not in polish
    assert (
        "The part you bear, PLN 212.71, was never refunded, so nothing will be taken back from your account."
        in english
    )
