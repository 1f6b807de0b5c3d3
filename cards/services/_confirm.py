"""Portal requests confirmed by a text-message code: ask for the code, then carry out what it names.

The code is bound to the card and to the operation with its details (reason, new limits), stored with
the code's challenge: the confirmation carries out exactly that, whatever is posted with the code.
"""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Unpack

from django.views.decorators.debug import sensitive_variables

from cards.models import CancellationReason, Card
from cards.selectors import card_get_for_customer, wallet_token_list_for_card
from cards.services._common import OTP_PURPOSE, CardOperation, ConfirmedCardChange, otp_subject
from cards.services._settings import card_set_limits, check_limits, limits_need_confirmation
from cards.services._status import (
    card_activate,
    card_cancel,
    card_change_pin,
    card_unblock,
    check_activate,
    check_cancel,
    check_change_pin,
    check_unblock,
    pin_check,
)
from cards.services._wallets import check_add_device, wallet_token_confirm
from customers.models import Customer, OtpChallenge
from customers.services import EnteredCode, otp_issue, otp_verify
from kartosfera.vocabulary import Channel

CONFIRMED_BY_CODE_PAGE = (
    CardOperation.ACTIVATE,
    CardOperation.UNBLOCK,
    CardOperation.CANCEL,
    CardOperation.RAISE_LIMITS,
    CardOperation.ADD_DEVICE,
)


def card_operation_request(
    *,
    customer: Customer,
    card_id: int,
    operation: str,
    now: datetime,
    reason: str | None = None,
    limits: Mapping[str, Decimal | str] | None = None,
    token_id: int | None = None,
) -> OtpChallenge:
    """Check that the operation can be done now, then text the customer a code that confirms it.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardServiceError: the operation is not possible (the same checks as the service itself).
    :raises ValueError: an unknown operation or cancellation reason, or limits that raise nothing.
    :raises OtpRateLimited: from asking for the code.
    """
    operation = CardOperation(operation)
    card = card_get_for_customer(customer=customer, card_id=card_id)
    payload: dict[str, object] = {"operation": operation, "card": f"{card.get_brand_display()} {card.masked}"}
    match operation:
        case CardOperation.ACTIVATE:
            check_activate(card, now=now)
        case CardOperation.CHANGE_PIN:
            check_change_pin(card)
        case CardOperation.UNBLOCK:
            check_unblock(card)
        case CardOperation.CANCEL:
            check_cancel(card)
            if reason is None:
                raise ValueError("a cancellation names its reason")
            payload["reason"] = CancellationReason(reason)
        case CardOperation.RAISE_LIMITS:
            parsed = check_limits(card, limits or {})
            if not limits_need_confirmation(card, parsed):
                raise ValueError("these limits raise nothing: set them without a code")
            payload["limits"] = {name: str(amount) for name, amount in parsed.items()}
        case CardOperation.ADD_DEVICE:
            if token_id is None:
                raise ValueError("adding a device names the device")
            token = wallet_token_list_for_card(card=card).get(pk=token_id)
            check_add_device(card, token)
            payload |= {"token": token.pk, "device": f"{token.get_wallet_display()} — {token.device_name}"}
    return otp_issue(
        customer=customer,
        purpose=OTP_PURPOSE[operation],
        subject=otp_subject(card.pk),
        operation=payload,
        now=now,
    )


@sensitive_variables("entered")
def _code_checked(
    purposes: tuple[str, ...], /, *, card_id: int, **entered: Unpack[EnteredCode]
) -> tuple[OtpChallenge, ConfirmedCardChange]:
    """Check the code typed for the card (for one of ``purposes``): its challenge, and the portal
    change it confirms.

    :raises OtpError: the code is wrong, expired, void or used (a wrong one is counted).
    """
    challenge = otp_verify(purposes=purposes, subject=otp_subject(card_id), **entered)
    change = ConfirmedCardChange(
        customer=entered["customer"],
        card_id=card_id,
        actor=entered["actor"],
        channel=Channel.PORTAL,
        now=entered["now"],
        confirmation=challenge.pk,
    )
    return challenge, change


@sensitive_variables("entered")
def card_operation_confirm(*, card_id: int, **entered: Unpack[EnteredCode]) -> tuple[CardOperation, Card]:
    """Check the code and carry out the operation it was sent for (activate, unblock, cancel, raise limits).

    A cancellation's report time is when the customer asked for it (the challenge's creation), to the
    second: the code only proves it was them.

    :raises OtpError: the code is wrong, expired, void or used (a wrong one is counted).
    :raises CardServiceError: the operation is no longer possible; nothing changed.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed, the code
        stays valid for a retry.
    """
    challenge, common = _code_checked(
        tuple(OTP_PURPOSE[operation] for operation in CONFIRMED_BY_CODE_PAGE), card_id=card_id, **entered
    )
    operation = CardOperation(challenge.operation["operation"])
    match operation:
        case CardOperation.ACTIVATE:
            card = card_activate(**common)
        case CardOperation.UNBLOCK:
            card = card_unblock(**common)
        case CardOperation.CANCEL:
            card = card_cancel(
                reason=challenge.operation["reason"], reported_at=challenge.created_at, **common
            )
        case CardOperation.RAISE_LIMITS:
            card = card_set_limits(limits=challenge.operation["limits"], **common)
        case CardOperation.ADD_DEVICE:
            card = wallet_token_confirm(token_id=challenge.operation["token"], **common).card
        case _:
            raise ValueError(f"{operation} is not confirmed on the code page")
    return operation, card


@sensitive_variables("pin", "pin_repeated", "entered")
def card_change_pin_with_code(
    *, card_id: int, pin: str, pin_repeated: str, **entered: Unpack[EnteredCode]
) -> Card:
    """Change the PIN from the portal: the PIN twice and the code in one request (the PIN is kept nowhere).

    :raises PinRefused: checked first, so a refused PIN costs no code attempt.
    :raises OtpError: the code is wrong, expired, void or used.
    :raises CardServiceError, ProcessorUnavailable, ProcessorDeclined: see ``card_change_pin``.
    """
    pin_check(pin=pin, pin_repeated=pin_repeated, customer=entered["customer"])
    _, change = _code_checked((OTP_PURPOSE[CardOperation.CHANGE_PIN],), card_id=card_id, **entered)
    return card_change_pin(pin=pin, pin_repeated=pin_repeated, **change)
