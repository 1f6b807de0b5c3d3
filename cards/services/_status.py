"""Card status: activate, change the PIN, block, unblock, cancel for good, order a replacement."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit import actions
from audit.services import audit_snapshot
from cards.models import Card, CardEvent, CardStatus, WalletTokenStatus
from cards.rules import PinError, check_pin, expiry_date
from cards.services._common import (
    CardOperation,
    CardServiceError,
    CardStatusConflict,
    audit_card_operation,
    call_processor,
    card_state,
    consume_confirmation,
    lock_card,
    record_event,
    require_live,
    token_details,
)
from customers.models import Customer, User
from kartosfera.legaltime import warsaw_date

logger = logging.getLogger(__name__)

REPLACEMENT_VALID_YEARS = 5


class PinRefused(CardServiceError):
    field = "pin"


class ReplacementNotAllowed(CardServiceError):
    message = _("A replacement can be ordered only for a cancelled card.")


class ReplacementAlreadyOrdered(CardServiceError):
    message = _("A replacement for this card has already been ordered.")


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


def card_activate(
    *,
    customer: Customer,
    card_id: int,
    actor: User | None,
    channel: str,
    now: datetime,
    confirmation: int | None = None,
) -> Card:
    """Activate a new card (INACTIVE → ACTIVE), confirmed by a code from the portal.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardStatusConflict, CardNotLive: the card is not a new, unexpired card.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_card(customer=customer, card_id=card_id)
        check_activate(card, now=now)
        confirmed = consume_confirmation(
            card=card, operation=CardOperation.ACTIVATE, channel=channel, confirmation=confirmation, now=now
        )
        before = card_state(card)
        card.activate()
        card.save(update_fields=["status"])
        record_event(
            card,
            kind=CardEvent.Kind.ACTIVATED,
            actor=actor,
            channel=channel,
            now=now,
            from_status=CardStatus.INACTIVE,
            to_status=CardStatus.ACTIVE,
        )
        call_processor("activate", processor_token=card.processor_token)
        audit_card_operation(
            card,
            action=actions.CARD_ACTIVATED,
            before=before,
            actor=actor,
            channel=channel,
            now=now,
            confirmation=confirmed,
        )
    return card


@sensitive_variables("pin", "pin_repeated")
def card_change_pin(
    *,
    customer: Customer,
    card_id: int,
    pin: str,
    pin_repeated: str,
    actor: User | None,
    channel: str,
    now: datetime,
    confirmation: int | None = None,
) -> Card:
    """Set a new PIN: checked against the easy-to-guess ones, then handed to the processor only.

    :raises Card.DoesNotExist: not the customer's card.
    :raises PinRefused: 4 digits typed twice the same, not trivial, not the birth date.
    :raises CardNotLive, CardAlreadyCancelled: the card is cancelled or expired.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; the PIN is unchanged.
    """
    pin_check(pin=pin, pin_repeated=pin_repeated, customer=customer)
    with transaction.atomic():
        card = lock_card(customer=customer, card_id=card_id)
        check_change_pin(card)
        confirmed = consume_confirmation(
            card=card, operation=CardOperation.CHANGE_PIN, channel=channel, confirmation=confirmation, now=now
        )
        before = card_state(card)
        record_event(card, kind=CardEvent.Kind.PIN_CHANGED, actor=actor, channel=channel, now=now)
        call_processor("set_pin", processor_token=card.processor_token, pin=pin)
        # That the PIN changed, never the PIN: no card field changes, the action says it all.
        audit_card_operation(
            card,
            action=actions.CARD_PIN_CHANGED,
            before=before,
            actor=actor,
            channel=channel,
            now=now,
            confirmation=confirmed,
        )
    return card


def card_block(
    *, customer: Customer, card_id: int, actor: User | None, channel: str, now: datetime, reason: str = ""
) -> Card:
    """Block a card for now (ACTIVE → BLOCKED); reversible, so no code is asked for: speed matters.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardStatusConflict, CardNotLive, CardAlreadyCancelled: the card is not active.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_card(customer=customer, card_id=card_id)
        check_block(card)
        before = card_state(card)
        card.block()
        card.save(update_fields=["status"])
        record_event(
            card,
            kind=CardEvent.Kind.BLOCKED,
            actor=actor,
            channel=channel,
            now=now,
            from_status=CardStatus.ACTIVE,
            to_status=CardStatus.BLOCKED,
            reason=reason,
        )
        call_processor("block", processor_token=card.processor_token)
        audit_card_operation(
            card,
            action=actions.CARD_BLOCKED,
            before=before,
            actor=actor,
            channel=channel,
            now=now,
            data={"reason": reason},
        )
    return card


def card_unblock(
    *,
    customer: Customer,
    card_id: int,
    actor: User | None,
    channel: str,
    now: datetime,
    confirmation: int | None = None,
) -> Card:
    """Lift a temporary block (BLOCKED → ACTIVE), confirmed by a code from the portal.

    :raises Card.DoesNotExist: not the customer's card.
    :raises CardStatusConflict, CardNotLive, CardAlreadyCancelled: the card is not blocked.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_card(customer=customer, card_id=card_id)
        check_unblock(card)
        confirmed = consume_confirmation(
            card=card, operation=CardOperation.UNBLOCK, channel=channel, confirmation=confirmation, now=now
        )
        before = card_state(card)
        card.unblock()
        card.save(update_fields=["status"])
        record_event(
            card,
            kind=CardEvent.Kind.UNBLOCKED,
            actor=actor,
            channel=channel,
            now=now,
            from_status=CardStatus.BLOCKED,
            to_status=CardStatus.ACTIVE,
        )
        call_processor("unblock", processor_token=card.processor_token)
        audit_card_operation(
            card,
            action=actions.CARD_UNBLOCKED,
            before=before,
            actor=actor,
            channel=channel,
            now=now,
            confirmation=confirmed,
        )
    return card


def card_cancel(
    *,
    customer: Customer,
    card_id: int,
    reason: str,
    actor: User | None,
    channel: str,
    now: datetime,
    reported_at: datetime | None = None,
    confirmation: int | None = None,
    note: str = "",
) -> Card:
    """Cancel a card for good (zastrzeżenie), suspending every wallet token of it with it.

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
    with transaction.atomic():
        card = lock_card(customer=customer, card_id=card_id)
        check_cancel(card)
        confirmed = consume_confirmation(
            card=card, operation=CardOperation.CANCEL, channel=channel, confirmation=confirmation, now=now
        )
        from_status = card.status
        # The processor's token service suspends the card's wallet tokens with the card; we record it.
        tokens = list(card.wallet_tokens.select_for_update().filter(status=WalletTokenStatus.ACTIVE))
        before = card_state(card, tokens)
        for token in tokens:
            token.suspend()
            token.save(update_fields=["status"])
            record_event(
                card,
                kind=CardEvent.Kind.WALLET_TOKEN_SUSPENDED,
                actor=actor,
                channel=channel,
                now=now,
                reason="Card cancelled.",
                data=token_details(token),
            )
        card.cancel(reason=reason, reported_at=reported_at or now)
        card.save(update_fields=["status", "cancellation_reason", "cancelled_at"])
        record_event(
            card,
            kind=CardEvent.Kind.CANCELLED,
            actor=actor,
            channel=channel,
            now=now,
            from_status=from_status,
            to_status=CardStatus.CANCELLED,
            reason=note,
            data={"cancellation_reason": reason, "reported_at": card.cancelled_at},
        )
        call_processor("cancel", processor_token=card.processor_token, reason=str(reason))
        audit_card_operation(
            card,
            action=actions.CARD_CANCELLED,
            before=before,
            actor=actor,
            channel=channel,
            now=now,
            tokens=tokens,
            confirmation=confirmed,
            data={
                "cancellation_reason": reason,
                "reported_at": card.cancelled_at,
                "loss_or_theft_report": card.is_reported_lost_or_stolen,
                "note": note,
                "devices_suspended": [token_details(token) for token in tokens],
            },
        )
    logger.info("Card %s cancelled (%s), reported at %s", card.pk, reason, card.cancelled_at.isoformat())
    return card


def card_order_replacement(
    *, customer: Customer, card_id: int, actor: User | None, channel: str, now: datetime
) -> Card:
    """Order a new card of the same product for a cancelled one: a new, not yet activated card.

    The new card keeps the old one's limits (within the product maxima) and switches.

    :raises Card.DoesNotExist: not the customer's card.
    :raises ReplacementNotAllowed: the card is not cancelled.
    :raises ReplacementAlreadyOrdered: it already has a replacement.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        old = lock_card(customer=customer, card_id=card_id)
        if old.status != CardStatus.CANCELLED:
            raise ReplacementNotAllowed
        if Card.objects.filter(replaces=old).exists():
            raise ReplacementAlreadyOrdered
        today = warsaw_date(now)
        expires_on = expiry_date(today.year + REPLACEMENT_VALID_YEARS, today.month)
        issued = call_processor(
            "issue_replacement", processor_token=old.processor_token, expires_on=expires_on
        )
        maxima = old.product.maximum_limits
        new = Card.objects.create(
            customer=old.customer,
            product=old.product,
            brand=old.product.brand,
            last4=issued.last4,
            processor_token=issued.processor_token,
            expires_on=issued.expires_on,
            replaces=old,
            three_ds_enabled=True,
            contactless_enabled=old.contactless_enabled and old.product.contactless_capable,
            internet_enabled=old.internet_enabled,
            foreign_enabled=old.foreign_enabled,
            atm_enabled=old.atm_enabled,
            mobile_payments_enabled=old.mobile_payments_enabled,
            daily_cash_limit=min(old.daily_cash_limit, maxima["cash"]),
            daily_pos_limit=min(old.daily_pos_limit, maxima["pos"]),
            daily_internet_limit=min(old.daily_internet_limit, maxima["internet"]),
            created_at=now,
        )
        record_event(
            old,
            kind=CardEvent.Kind.REPLACEMENT_ORDERED,
            actor=actor,
            channel=channel,
            now=now,
            data={"replacement_card_id": new.pk, "replacement_last4": new.last4},
        )
        record_event(
            new,
            kind=CardEvent.Kind.ISSUED,
            actor=actor,
            channel=channel,
            now=now,
            to_status=CardStatus.INACTIVE,
            data={
                "product": new.product.code,
                "expires_on": new.expires_on,
                "replaces_card_id": old.pk,
                "replaces_last4": old.last4,
            },
        )
        # The old card is unchanged; the entry names the new one and what it was issued with.
        audit_card_operation(
            old,
            action=actions.CARD_REPLACEMENT_ORDERED,
            before=card_state(old),
            actor=actor,
            channel=channel,
            now=now,
            data={
                "replacement_card_id": new.pk,
                "replacement": audit_snapshot(new, exclude=("id", "processor_token")),
            },
        )
    return new
