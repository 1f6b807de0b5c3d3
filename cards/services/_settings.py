"""Card settings: channel switches, daily limits, 3-D Secure (mobile payments: ``_wallets``)."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Unpack

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from audit import actions
from cards.models import DAILY_LIMIT_FIELDS, Card, CardEvent
from cards.rules import limits_above_maximum, limits_raised
from cards.services._common import (
    CardOperation,
    CardServiceError,
    ConfirmedCardChange,
    consume_confirmation,
    lock_card,
    lock_live_card,
    require_live,
    set_card_fields,
)
from customers.models import Customer, User
from kartosfera.formatting import format_money

CONTROL_FIELDS = ("contactless_enabled", "internet_enabled", "foreign_enabled", "atm_enabled")
LIMIT_FIELDS = DAILY_LIMIT_FIELDS


class ContactlessNotSupported(CardServiceError):
    field = "contactless_enabled"
    message = _("This card cannot pay contactless.")


class LimitsNotForBusiness(CardServiceError):
    message = _(
        "Daily limits of a business card are set by the bank at your company's request. Please contact "
        "your company's card administrator or a branch."
    )


class LimitAboveMaximum(CardServiceError):
    """A limit above the product maximum; ``field`` is the limit's form field."""


class LimitInvalid(CardServiceError):
    message = _("Enter an amount in złoty of 0 or more, with at most two decimal places.")


def card_set_controls(
    *,
    customer: Customer,
    card_id: int,
    controls: dict[str, bool],
    actor: User | None,
    channel: str,
    now: datetime,
) -> Card:
    """Switch contactless, internet, foreign and ATM use on or off (contactless only where the card has it).

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardNotLive, CardAlreadyCancelled: the card is cancelled or expired.
    :raises ContactlessNotSupported: contactless switched on for a card without it.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    unknown = set(controls) - set(CONTROL_FIELDS)
    if unknown:
        raise ValueError(f"not card controls: {sorted(unknown)}")
    with transaction.atomic():
        card = lock_live_card(customer=customer, card_id=card_id)
        changes = {
            name: bool(value) for name, value in controls.items() if getattr(card, name) != bool(value)
        }
        if changes.get("contactless_enabled") and not card.product.contactless_capable:
            raise ContactlessNotSupported
        if not changes:
            return card
        set_card_fields(
            card,
            changes,
            kind=CardEvent.Kind.CONTROLS_CHANGED,
            processor=("set_controls", lambda card: {"controls": changes}),
            action=actions.CARD_CONTROLS_CHANGED,
            actor=actor,
            channel=channel,
            now=now,
        )
    return card


def _parse_limits(limits: Mapping[str, Decimal | str]) -> dict[str, Decimal]:
    parsed = {}
    for name, value in limits.items():
        if name not in LIMIT_FIELDS:
            raise ValueError(f"not a daily limit: {name}")
        try:
            amount = value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation as error:
            raise LimitInvalid(field=LIMIT_FIELDS[name]) from error
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise LimitInvalid(field=LIMIT_FIELDS[name])
        parsed[name] = amount.quantize(Decimal("0.01"))
    return parsed


def check_limits(card: Card, limits: Mapping[str, Decimal | str]) -> dict[str, Decimal]:
    """The limits parsed and checked: an individual's live card, each within the product maximum.

    :raises LimitsNotForBusiness, CardNotLive, CardAlreadyCancelled, LimitInvalid, LimitAboveMaximum.
    """
    require_live(card)
    if not card.customer.is_individual:
        raise LimitsNotForBusiness
    parsed = _parse_limits(limits)
    for refusal in limits_above_maximum_refusals(card, parsed):
        raise refusal
    return parsed


def limits_above_maximum_refusals(card: Card, limits: Mapping[str, Decimal]) -> list[LimitAboveMaximum]:
    """One refusal for each of ``limits`` above this card's product maximum (none when all are within).

    The portal asks for them even when another field was mistyped, so that every error shows at once.
    """
    maxima = card.product.maximum_limits
    return [
        LimitAboveMaximum(
            _("The limit cannot be above this card's maximum of %(maximum)s.")
            % {"maximum": format_money(maxima[name], language=get_language())},
            field=LIMIT_FIELDS[name],
        )
        for name in limits_above_maximum(limits=limits, maxima={name: maxima[name] for name in limits})
    ]


def limits_need_confirmation(card: Card, limits: dict[str, Decimal]) -> bool:
    """Whether a change raises any limit (a raise is confirmed with a code; a cut is not)."""
    return bool(limits_raised(current=card.daily_limits, new=limits))


def card_set_limits(*, limits: Mapping[str, Decimal | str], **call: Unpack[ConfirmedCardChange]) -> Card:
    """Set the daily cash (ATM), cashless (POS) and internet limits; a raise needs a code from the portal.

    :raises Card.DoesNotExist: not the customer's card.
    :raises LimitsNotForBusiness: limits are for individual customers only.
    :raises LimitInvalid, LimitAboveMaximum: an amount that is not money, or above the product maximum.
    :raises CardNotLive, CardAlreadyCancelled: the card is cancelled or expired.
    :raises ConfirmationRequired, OtpError: a raise from the portal without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_card(customer=call["customer"], card_id=call["card_id"])
        parsed = check_limits(card, limits)
        changes = {
            LIMIT_FIELDS[name]: amount for name, amount in parsed.items() if card.daily_limits[name] != amount
        }
        confirmed = None
        if limits_need_confirmation(card, parsed):
            confirmed = consume_confirmation(card, CardOperation.RAISE_LIMITS, **call)
        if not changes:
            return card
        set_card_fields(
            card,
            changes,
            kind=CardEvent.Kind.LIMITS_CHANGED,
            processor=("set_limits", lambda card: {"limits": card.daily_limits}),
            action=actions.CARD_LIMITS_CHANGED,
            actor=call["actor"],
            channel=call["channel"],
            now=call["now"],
            confirmation=confirmed,
        )
    return card


def card_enable_3ds(
    *, customer: Customer, card_id: int, actor: User | None, channel: str, now: datetime
) -> Card:
    """Turn on 3-D Secure for internet payments (it cannot be turned off: strong authentication is the law).

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardNotLive, CardAlreadyCancelled: the card is cancelled or expired.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_live_card(customer=customer, card_id=card_id)
        if card.three_ds_enabled:
            return card
        set_card_fields(
            card,
            {"three_ds_enabled": True},
            kind=CardEvent.Kind.CONTROLS_CHANGED,
            processor=("enable_3ds", lambda card: {}),
            action=actions.CARD_THREE_DS_ENABLED,
            actor=actor,
            channel=channel,
            now=now,
        )
    return card
