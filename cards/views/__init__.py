"""Portal pages for cards. Every page finds the card through the owner-scoped selectors (another
customer's card answers 404, like a missing one), makes one service call and turns a refusal into a
clear message that says nothing was changed.
"""

from cards.views._pages import card_add_device, card_detail, card_list, card_transactions
from cards.views._settings import (
    card_3ds,
    card_controls,
    card_limits,
    card_mobile_payments,
    card_pin,
    wallet_token_action,
    wallet_token_confirm,
)
from cards.views._status import (
    card_activate,
    card_block,
    card_cancel,
    card_cancelled,
    card_confirm,
    card_confirm_resend,
    card_replacement,
    card_unblock,
)

__all__ = [
    "card_3ds",
    "card_activate",
    "card_add_device",
    "card_block",
    "card_cancel",
    "card_cancelled",
    "card_confirm",
    "card_confirm_resend",
    "card_controls",
    "card_detail",
    "card_limits",
    "card_list",
    "card_mobile_payments",
    "card_pin",
    "card_replacement",
    "card_transactions",
    "card_unblock",
    "wallet_token_action",
    "wallet_token_confirm",
]
