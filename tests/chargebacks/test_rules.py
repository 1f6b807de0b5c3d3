"""The fraud reason code follows the transaction's environment (channel) and the card's scheme."""

import pytest

from cards.models import TransactionChannel
from chargebacks.rules import (
    ATM_CHIP_SHIFT,
    CARD_ABSENT,
    CARD_PRESENT,
    REASON_CODE_TITLES,
    REASON_CODES,
    fraud_right,
)
from deadlines.rules import Scheme
from liability.rules import Cause

# channel, scheme -> (the codes offered, the default first; the rule id). The claim's cause never
# changes the code (chargebacks.rules: the cause-specific codes need the terminal's capability).
TABLE = [
    ("INTERNET", "VISA", ("10.4",), CARD_ABSENT),
    ("INTERNET", "MASTERCARD", ("4837",), CARD_ABSENT),
    ("CONTACTLESS", "VISA", ("10.3",), CARD_PRESENT),
    ("CONTACTLESS", "MASTERCARD", ("4837",), CARD_PRESENT),
    ("CHIP_POS", "VISA", ("10.3",), CARD_PRESENT),
    ("CHIP_POS", "MASTERCARD", ("4837",), CARD_PRESENT),
    # The chip liability shift, the one fraud chargeback at a cash machine (chargebacks.rules).
    ("ATM", "VISA", ("10.1",), ATM_CHIP_SHIFT),
    ("ATM", "MASTERCARD", ("4870",), ATM_CHIP_SHIFT),
]


@pytest.mark.parametrize("cause", [cause.value for cause in Cause])
@pytest.mark.parametrize(
    ("channel", "scheme", "codes", "rule"), TABLE, ids=[f"{c}-{s}" for c, s, *_ in TABLE]
)
def test_the_reason_code_follows_the_channel_and_the_scheme_whatever_the_cause(
    channel, scheme, codes, rule, cause
):
    right = fraud_right(scheme=scheme, channel=channel)

    assert (right.codes, right.rule, right.default) == (codes, rule, codes[0])


def test_the_table_covers_every_channel_and_scheme_and_names_every_code():
    assert {(channel, scheme) for channel, scheme, *_ in TABLE} == {
        (channel, scheme) for channel in TransactionChannel.values for scheme in Scheme.values
    }
    assert {
        "VISA": frozenset({"10.1", "10.3", "10.4"}),
        "MASTERCARD": frozenset({"4837", "4870"}),
    } == REASON_CODES
    assert set(REASON_CODE_TITLES) == {"10.1", "10.3", "10.4", "4837", "4870"}


def test_a_card_absent_code_is_never_offered_for_a_card_present_or_atm_transaction():
    for channel in ("CONTACTLESS", "CHIP_POS", "ATM"):
        assert "10.4" not in fraud_right(scheme="VISA", channel=channel).codes
    assert "10.3" not in fraud_right(scheme="VISA", channel="ATM").codes
    assert "4837" not in fraud_right(scheme="MASTERCARD", channel="ATM").codes


def test_an_unknown_channel_or_scheme_is_refused():
    with pytest.raises(ValueError, match="channel"):
        fraud_right(scheme="VISA", channel="MOTO")
    with pytest.raises(ValueError):
        fraud_right(scheme="AMEX", channel="INTERNET")
