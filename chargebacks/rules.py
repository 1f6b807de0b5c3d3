"""The chargeback's rules that need no database. Pure: no ORM, no clock, no I/O.

The scheme windows themselves (CB-VISA-10.4, CB-MC-4837, CB-MC-2P) are deadlines, computed by
``deadlines.rules.chargeback_due``; the chargeback's states and transitions are its model's
(``chargebacks.models.Chargeback``).

Which fraud reason code a chargeback is filed under follows the transaction's environment, as the
card processor reports it (``cards.models.TransactionChannel``), never only the card's scheme:

| rule id | channel | Visa | Mastercard |
|---|---|---|---|
| `CB-CARD-ABSENT` | INTERNET | 10.4 | 4837 |
| `CB-CARD-PRESENT` | CONTACTLESS, CHIP_POS | 10.3 | 4837 |
| `CB-ATM-CHIP-SHIFT` | ATM | 10.1 | 4870 |

Visa 10.4 is "Other Fraud – Card-Absent Environment", Visa 10.3 "Other Fraud – Card-Present
Environment" (contactless included), Mastercard 4837 "No Cardholder Authorization", card present or
absent.

A cash machine withdrawal takes neither: 10.3 and 10.4 are not available for ATM cash, and a
Mastercard/Maestro ATM withdrawal is disputed under the ATM network's own (Single Message System)
rules, not under 4837. The one fraud chargeback at an ATM is the chip liability shift: Visa 10.1
"EMV Liability Shift Counterfeit Fraud", Mastercard 4870 "Chip Liability Shift" (SMS 70), for a
counterfeit card whose magnetic stripe a cash machine that was not chip-capable read. The PIN does
not decide it (a skimmed card's withdrawal is PIN-verified too): the chip read does, and the
transaction records neither its entry mode nor the terminal's capability. So the bank is offered the
chip liability shift code; a withdrawal the chip authorised is the issuer's loss, which the acquirer's
second presentment shows, and the bank then accepts it or records that it will not file
(``Chargeback.abandon``). "Cash not dispensed" (SMS 17) is not an unauthorised transaction and is not
a claim of this system.

A chip payment at a card terminal is card-present whether or not the PIN was entered: the schemes
leave a chip-read, PIN-verified payment with the issuer, but the transaction does not record how the
card was read, so the code offered is the card-present one and the acquirer answers a chip-and-PIN
payment with its second presentment.

The claim's cause (lost, stolen, misappropriated, other) does not change the code: the schemes'
cause-specific card-present codes (Visa 10.2, Mastercard 4871: lost or stolen card at a terminal that
was not PIN-capable) again turn on the terminal's capability that the transaction does not record.
Visa 10.5 (Visa Fraud Monitoring Program) is raised by Visa's monitoring of a merchant, not by an
issuer's claim, so it is never offered here.
"""

from typing import NamedTuple

from deadlines.rules import Scheme

CARD_ABSENT = "CB-CARD-ABSENT"
CARD_PRESENT = "CB-CARD-PRESENT"
ATM_CHIP_SHIFT = "CB-ATM-CHIP-SHIFT"

# The fraud reason codes of each environment and scheme (the table above), the default first.
_CODES: dict[str, dict[str, tuple[str, ...]]] = {
    CARD_ABSENT: {Scheme.VISA: ("10.4",), Scheme.MASTERCARD: ("4837",)},
    CARD_PRESENT: {Scheme.VISA: ("10.3",), Scheme.MASTERCARD: ("4837",)},
    ATM_CHIP_SHIFT: {Scheme.VISA: ("10.1",), Scheme.MASTERCARD: ("4870",)},
}
# The environment of each ``cards.models.TransactionChannel`` (by value: this module imports no models).
_ENVIRONMENT: dict[str, str] = {
    "INTERNET": CARD_ABSENT,
    "CONTACTLESS": CARD_PRESENT,
    "CHIP_POS": CARD_PRESENT,
    "ATM": ATM_CHIP_SHIFT,
}

# Every fraud reason code a chargeback of each scheme may carry (RULES.md section 2, the table above).
REASON_CODES: dict[str, frozenset[str]] = {
    scheme: frozenset(code for codes in _CODES.values() for code in codes[scheme]) for scheme in Scheme
}

# What each code means, for the filing form (scheme names: the same in every language).
REASON_CODE_TITLES: dict[str, str] = {
    "10.1": "Visa 10.1 EMV Liability Shift Counterfeit Fraud",
    "10.3": "Visa 10.3 Other Fraud – Card-Present Environment",
    "10.4": "Visa 10.4 Other Fraud – Card-Absent Environment",
    "4837": "Mastercard 4837 No Cardholder Authorization",
    "4870": "Mastercard 4870 Chip Liability Shift",
}


class FraudRight(NamedTuple):
    """The fraud reason codes the bank may file a transaction's chargeback under (the first is the
    default) and the rule id that says so."""

    codes: tuple[str, ...]
    rule: str

    @property
    def default(self) -> str:
        """The code a draft is opened with."""
        return self.codes[0]


def fraud_right(*, scheme: Scheme | str, channel: str) -> FraudRight:
    """The fraud reason codes of a ``scheme`` transaction made through ``channel`` (the table above).

    :raises ValueError: an unknown scheme or channel.
    """
    if channel not in _ENVIRONMENT:
        raise ValueError(f"unknown transaction channel {channel!r}")
    rule = _ENVIRONMENT[channel]
    return FraudRight(_CODES[rule][Scheme(scheme)], rule)


__all__ = [
    "ATM_CHIP_SHIFT",
    "CARD_ABSENT",
    "CARD_PRESENT",
    "REASON_CODES",
    "REASON_CODE_TITLES",
    "FraudRight",
    "fraud_right",
]
