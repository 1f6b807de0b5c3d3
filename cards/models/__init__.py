"""Cards, their products, history, wallet tokens and transactions.

No full card number (PAN) is ever stored: a card is its last four digits plus the card processor's
opaque token; check constraints refuse anything that looks like a PAN in the text columns that
come from outside.
"""

from cards.models._base import DAILY_LIMIT_FIELDS
from cards.models._cards import Card, CardStatus
from cards.models._events import (
    CARD_CANCELLED_REASON,
    CARD_EVENT_CHANNELS,
    MOBILE_PAYMENTS_OFF_REASON,
    REPORTED_IN_CLAIM_REASON,
    SYSTEM_REASONS,
    CardEvent,
    CardEventKind,
)
from cards.models._products import CardProduct
from cards.models._transactions import Transaction, TransactionChannel, TransactionStatus
from cards.models._wallets import Wallet, WalletToken, WalletTokenStatus
from cards.rules import CancellationReason
from deadlines.rules import Scheme

__all__ = [
    "CARD_CANCELLED_REASON",
    "CARD_EVENT_CHANNELS",
    "DAILY_LIMIT_FIELDS",
    "MOBILE_PAYMENTS_OFF_REASON",
    "REPORTED_IN_CLAIM_REASON",
    "SYSTEM_REASONS",
    "CancellationReason",
    "Card",
    "CardEvent",
    "CardEventKind",
    "CardProduct",
    "CardStatus",
    "Scheme",
    "Transaction",
    "TransactionChannel",
    "TransactionStatus",
    "Wallet",
    "WalletToken",
    "WalletTokenStatus",
]
