"""Card status: activate, change the PIN, block, unblock, cancel for good."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit import actions
from cards.models import CARD_CANCELLED_REASON, Card, CardEvent, CardStatus, WalletTokenStatus
from cards.rules import PinError, check_pin
from cards.services._common import (
    CardChange,
    CardOperation,
    CardServiceError,
    CardStatusConflict,
    ConfirmedCardChange,
    card_state,
    consume_confirmation,
    finish_card_change,
    lock_card,
    remove_wallet_tokens,
    require_live,
    token_details,
)
from customers.models import Customer
from kartosfera.legaltime import warsaw_date

logger = logging.getLogger(__name__)


class PinRefused(CardServiceError):
    field = "pin"


def check_activate(card: Card, *, now: datetime) -> None:
    """:raises CardStatusConflict, CardNotLive: the card cannot be activated now."""
    require_live(card)
    if card.status != CardStatus.INACTIVE:
        raise CardStatusConflict(_("This card is already active."))
    if card.expires_on < warsaw_date(now):
        raise CardStatusConflict(_("This card has expired and cannot be activated."))


def check_block(card: Card) -> None:
    """:raises CardStatusConflict, CardNotLive: the card cannot be blocked now."""
    require_live(card)
    if card.status == CardStatus.BLOCKED:
        raise CardStatusConflict(_("This card is already blocked."))
    if card.status != CardStatus.ACTIVE:
        raise CardStatusConflict(
            _("Only an active card can be blocked. A card not yet activated cannot pay.")
        )


def check_unblock(card: Card) -> None:
    """:raises CardStatusConflict, CardNotLive: the card is not blocked."""
    require_live(card)
    if card.status != CardStatus.BLOCKED:
        raise CardStatusConflict(_("This card is not blocked."))


def check_change_pin(card: Card) -> None:
    """:raises CardNotLive: a cancelled or expired card has no PIN to change."""
    require_live(card)


@sensitive_variables("pin", "pin_repeated")
def pin_check(*, pin: str, pin_repeated: str, customer: Customer) -> None:
    """:raises PinRefused: not 4 digits, the two differ, easy to guess, or the holder's birth date."""
    try:
        check_pin(pin, pin_repeated, birth_date=customer.birth_date)
    except PinError as error:
        field = "pin_repeated" if error.code == "pin_mismatch" else "pin"
        raise PinRefused(_(error.message), field=field) from error


def check_cancel(card: Card) -> None:
    """:raises CardAlreadyCancelled, CardNotLive: the card is cancelled or expired."""
    require_live(card)


@dataclass(frozen=True)
class StatusChange:
    """One status transition of a card: the check it may take it, the card's transition, the history
    kind, the processor's method, the audit action, and the operation whose code confirms it (if any)."""

    check: Callable[[Card, datetime], None]
    transition: str
    kind: str
    processor_method: str
    action: str
    operation: CardOperation | None = None


ACTIVATE = StatusChange(
    check=lambda card, now: check_activate(card, now=now),
    transition="activate",
    kind=CardEvent.Kind.ACTIVATED,
    processor_method="activate",
    action=actions.CARD_ACTIVATED,
    operation=CardOperation.ACTIVATE,
)
BLOCK = StatusChange(
    check=lambda card, now: check_block(card),
    transition="block",
    kind=CardEvent.Kind.BLOCKED,
    processor_method="block",
    action=actions.CARD_BLOCKED,
)
UNBLOCK = StatusChange(
    check=lambda card, now: check_unblock(card),
    transition="unblock",
    kind=CardEvent.Kind.UNBLOCKED,
    processor_method="unblock",
    action=actions.CARD_UNBLOCKED,
    operation=CardOperation.UNBLOCK,
)


def _change_status(
    change: StatusChange,
    /,
    *,
    reason: str = "",
    audit_data: dict[str, Any] | None = None,
    **call: Unpack[ConfirmedCardChange],
) -> Card:
    """A status transition of the card: lock it, check it may take ``change``, take the code when the
    change needs one, change the status, then history, processor and audit entry."""
    with transaction.atomic():
        card = lock_card(customer=call["customer"], card_id=call["card_id"])
        change.check(card, call["now"])
        confirmed = None
        if change.operation is not None:
            confirmed = consume_confirmation(card, change.operation, **call)
        from_status = card.status
        before = card_state(card)
        getattr(card, change.transition)()
        card.save(update_fields=["status"])
        finish_card_change(
            card,
            before=before,
            kind=change.kind,
            event={"from_status": from_status, "to_status": card.status, "reason": reason},
            processor_call=(change.processor_method, {"processor_token": card.processor_token}),
            action=change.action,
            actor=call["actor"],
            channel=call["channel"],
            now=call["now"],
            confirmation=confirmed,
            audit_data=audit_data,
        )
    return card


def card_activate(**call: Unpack[ConfirmedCardChange]) -> Card:
    """Activate a new card (INACTIVE → ACTIVE), confirmed by a code from the portal.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardStatusConflict, CardNotLive: the card is not a new, unexpired card.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    return _change_status(ACTIVATE, **call)


@sensitive_variables("pin", "pin_repeated")
def card_change_pin(*, pin: str, pin_repeated: str, **call: Unpack[ConfirmedCardChange]) -> Card:
    """Set a new PIN: checked against the easy-to-guess ones, then handed to the processor only.

    :raises Card.DoesNotExist: not the customer's card.
    :raises PinRefused: 4 digits typed twice the same, not trivial, not the birth date.
    :raises CardNotLive, CardAlreadyCancelled: the card is cancelled or expired.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; the PIN is unchanged.
    """
    pin_check(pin=pin, pin_repeated=pin_repeated, customer=call["customer"])
    with transaction.atomic():
        card = lock_card(customer=call["customer"], card_id=call["card_id"])
        check_change_pin(card)
        confirmed = consume_confirmation(card, CardOperation.CHANGE_PIN, **call)
        # That the PIN changed, never the PIN: no card field changes, the action says it all.
        finish_card_change(
            card,
            before=card_state(card),
            kind=CardEvent.Kind.PIN_CHANGED,
            processor_call=("set_pin", {"processor_token": card.processor_token, "pin": pin}),
            action=actions.CARD_PIN_CHANGED,
            actor=call["actor"],
            channel=call["channel"],
            now=call["now"],
            confirmation=confirmed,
        )
    return card


def card_block(*, reason: str = "", **call: Unpack[CardChange]) -> Card:
    """Block a card for now (ACTIVE → BLOCKED); reversible, so no code is asked for: speed matters.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardStatusConflict, CardNotLive, CardAlreadyCancelled: the card is not active.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    return _change_status(BLOCK, reason=reason, audit_data={"reason": reason}, **call)


def card_unblock(**call: Unpack[ConfirmedCardChange]) -> Card:
    """Lift a temporary block (BLOCKED → ACTIVE), confirmed by a code from the portal.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardStatusConflict, CardNotLive, CardAlreadyCancelled: the card is not blocked.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    return _change_status(UNBLOCK, **call)


def card_cancel(
    *, reason: str, reported_at: datetime | None = None, note: str = "", **call: Unpack[ConfirmedCardChange]
) -> Card:
    """Cancel a card for good (zastrzeżenie), removing every wallet token of it with it (RULES.md section 6).

    ``reported_at`` (default ``now``) is the report time liability runs from, kept to the second; the
    portal passes the moment the customer asked, before the code was typed.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardAlreadyCancelled: a second cancellation (nothing changes).
    :raises CardNotLive: the card has expired.
    :raises ValueError: ``reason`` is not a cancellation reason.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    reason = Card.CancellationReason(reason)
    actor, channel, now = call["actor"], call["channel"], call["now"]
    with transaction.atomic():
        card = lock_card(customer=call["customer"], card_id=call["card_id"])
        check_cancel(card)
        confirmed = consume_confirmation(card, CardOperation.CANCEL, **call)
        from_status = card.status
        # The processor's token service deletes the card's wallet tokens, active or suspended, with the
        # card; we record it.
        tokens = list(
            card.wallet_tokens.select_for_update().exclude(status=WalletTokenStatus.REMOVED).order_by("pk")
        )
        before = card_state(card, tokens)
        remove_wallet_tokens(
            card, tokens, reason=CARD_CANCELLED_REASON, actor=actor, channel=channel, now=now
        )
        reported_at = reported_at or now
        card.cancel(reason=reason, reported_at=reported_at)
        card.save(update_fields=["status", "cancellation_reason", "cancelled_at"])
        finish_card_change(
            card,
            before=before,
            kind=CardEvent.Kind.CANCELLED,
            event={
                "from_status": from_status,
                "to_status": CardStatus.CANCELLED,
                "reason": note,
                "data": {"cancellation_reason": reason, "reported_at": card.cancelled_at},
            },
            processor_call=("cancel", {"processor_token": card.processor_token, "reason": str(reason)}),
            action=actions.CARD_CANCELLED,
            actor=actor,
            channel=channel,
            now=now,
            tokens=tokens,
            confirmation=confirmed,
            audit_data={
                "cancellation_reason": reason,
                "reported_at": card.cancelled_at,
                "loss_or_theft_report": card.is_reported_lost_or_stolen,
                "note": note,
                "devices_removed": [token_details(token) for token in tokens],
            },
        )
    logger.info("Card %s cancelled (%s), reported at %s", card.pk, reason, reported_at.isoformat())
    return card
