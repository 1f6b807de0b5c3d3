"""Writes for cards. Every one is keyword-only, takes the actor and the channel, runs in one
transaction with the card locked, writes a CardEvent, calls the card processor, and appends its audit
entry (``card.<operation>``) as the last write once the processor has agreed: a processor failure
leaves our records and the audit log unchanged, and the audit chain's lock is never held while the
processor is waited for. Operations a bank confirms with a text-message code (activation, PIN change,
unblocking, cancellation, raising a limit) need one from the portal.
"""

from cards.services._common import (
    OTP_PURPOSE,
    CardAlreadyCancelled,
    CardCaller,
    CardNotLive,
    CardOperation,
    CardServiceError,
    CardStatusConflict,
    ConfirmationRequired,
    ProcessorDeclined,
    ProcessorUnavailable,
    otp_subject,
)
from cards.services._confirm import card_change_pin_with_code, card_operation_confirm, card_operation_request
from cards.services._replacement import (
    ReplacementAlreadyOrdered,
    ReplacementNotAllowed,
    card_order_replacement,
)
from cards.services._settings import (
    CONTROL_FIELDS,
    LIMIT_FIELDS,
    ContactlessNotSupported,
    LimitAboveMaximum,
    LimitInvalid,
    LimitsNotForBusiness,
    card_enable_3ds,
    card_set_controls,
    card_set_limits,
    limits_above_maximum_refusals,
)
from cards.services._status import (
    PinRefused,
    card_activate,
    card_block,
    card_cancel,
    card_change_pin,
    card_unblock,
)
from cards.services._tokens import (
    WalletTokenStateConflict,
    wallet_token_remove,
    wallet_token_resume,
    wallet_token_suspend,
)
from cards.services._wallets import (
    WalletCardBlocked,
    WalletProvisioningRefused,
    WalletTokenNotPending,
    card_disable_mobile_payments,
    card_enable_mobile_payments,
    wallet_token_confirm,
    wallet_token_provision,
    wallet_token_simulate_request,
)

__all__ = [
    "CONTROL_FIELDS",
    "LIMIT_FIELDS",
    "OTP_PURPOSE",
    "CardAlreadyCancelled",
    "CardCaller",
    "CardNotLive",
    "CardOperation",
    "CardServiceError",
    "CardStatusConflict",
    "ConfirmationRequired",
    "ContactlessNotSupported",
    "LimitAboveMaximum",
    "LimitInvalid",
    "LimitsNotForBusiness",
    "PinRefused",
    "ProcessorDeclined",
    "ProcessorUnavailable",
    "ReplacementAlreadyOrdered",
    "ReplacementNotAllowed",
    "WalletCardBlocked",
    "WalletProvisioningRefused",
    "WalletTokenNotPending",
    "WalletTokenStateConflict",
    "card_activate",
    "card_block",
    "card_cancel",
    "card_change_pin",
    "card_change_pin_with_code",
    "card_disable_mobile_payments",
    "card_enable_3ds",
    "card_enable_mobile_payments",
    "card_operation_confirm",
    "card_operation_request",
    "card_order_replacement",
    "card_set_controls",
    "card_set_limits",
    "card_unblock",
    "limits_above_maximum_refusals",
    "otp_subject",
    "wallet_token_confirm",
    "wallet_token_provision",
    "wallet_token_remove",
    "wallet_token_resume",
    "wallet_token_simulate_request",
    "wallet_token_suspend",
]
