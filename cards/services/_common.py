"""What every card service shares: its errors, the locked card, the processor call, the history row and
the audit entry."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NotRequired, TypedDict, Unpack

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit.services import audit_diff, audit_record, audit_snapshot
from cards.models import CARD_EVENT_CHANNELS, Card, CardEvent, CardStatus, WalletToken
from cards.processor import CardProcessorRefused, CardProcessorTimeout, get_card_processor
from customers.models import Customer, NotificationKind, OtpChallenge, OtpPurpose, User
from customers.services import ServiceError, notification_send, otp_confirmation, otp_consume
from kartosfera.vocabulary import Channel, one_of


class CardCaller(TypedDict):
    """Who asks a card service for a change, and for which card: the arguments every one of them takes."""

    customer: Customer
    card_id: int
    actor: User | None
    channel: str


class CardChange(CardCaller):
    """A card change: who asks, for which card, and when."""

    now: datetime


class ConfirmedCardChange(CardChange):
    """A card change a code confirms from the portal: also the code's challenge (None from staff)."""

    confirmation: NotRequired[int | None]


class CardServiceError(ServiceError):
    """A card request refused; nothing was changed."""


class CardNotLive(CardServiceError):
    message = _("This card is cancelled or expired: it cannot be changed any more.")


class CardStatusConflict(CardServiceError):
    """The card's status does not allow this operation (the message says why)."""


class CardAlreadyCancelled(CardServiceError):
    # Every change refused on a cancelled card says this, not only a second cancellation.
    message = _(
        "This card is already cancelled. It cannot be used or changed any more, and a cancellation "
        "cannot be undone."
    )


class ConfirmationRequired(CardServiceError):
    message = _("This change must be confirmed with a code from a text message.")


class ProcessorUnavailable(CardServiceError):
    message = _(
        "The card system did not answer in time. Nothing was changed: please try again in a few minutes. "
        "If your card is lost or stolen, call 828 828 828 (from abroad +48 828 828 828) now."
    )


class ProcessorDeclined(CardServiceError):
    message = _(
        "The card system refused this change. Nothing was changed. Please call 828 828 828 "
        "(from abroad +48 828 828 828) or visit a branch."
    )


class CardOperation(models.TextChoices):
    """The card operations a bank confirms with a text-message code (from the portal)."""

    ACTIVATE = "ACTIVATE", _("Activate the card")
    CHANGE_PIN = "CHANGE_PIN", _("Change the PIN")
    UNBLOCK = "UNBLOCK", _("Unblock the card")
    CANCEL = "CANCEL", _("Cancel the card for good")
    RAISE_LIMITS = "RAISE_LIMITS", _("Raise the daily limits")
    ADD_DEVICE = "ADD_DEVICE", _("Add the card to a phone or watch")


OTP_PURPOSE = {
    CardOperation.ACTIVATE: OtpPurpose.CARD_ACTIVATE,
    CardOperation.CHANGE_PIN: OtpPurpose.CARD_PIN_CHANGE,
    CardOperation.UNBLOCK: OtpPurpose.CARD_UNBLOCK,
    CardOperation.CANCEL: OtpPurpose.CARD_CANCEL,
    CardOperation.RAISE_LIMITS: OtpPurpose.CARD_LIMITS_INCREASE,
    CardOperation.ADD_DEVICE: OtpPurpose.WALLET_PROVISION,
}


# The card changes the customer is told of, whoever made them (RULES.md: the holder hears of each).
NOTIFIED: dict[str, NotificationKind] = {
    CardEvent.Kind.BLOCKED: NotificationKind.CARD_BLOCKED,
    CardEvent.Kind.UNBLOCKED: NotificationKind.CARD_UNBLOCKED,
    CardEvent.Kind.CANCELLED: NotificationKind.CARD_CANCELLED,
    CardEvent.Kind.PIN_CHANGED: NotificationKind.PIN_CHANGED,
}


def otp_subject(card_id: int) -> str:
    """What a card's code is bound to: that card and no other."""
    return f"card:{card_id}"


def lock_card(*, customer: Customer, card_id: int) -> Card:
    """The customer's card, locked for update until the transaction ends.

    :raises Card.DoesNotExist: no such card, or another customer's.
    """
    return (
        Card.objects.select_for_update(of=("self",))
        .select_related("product", "customer")
        .get(pk=card_id, customer=customer)
    )


def lock_live_card(*, customer: Customer, card_id: int) -> Card:
    """The customer's card, locked for update, and still live: the first step of most card changes.

    :raises Card.DoesNotExist: no such card, or another customer's.
    :raises CardAlreadyCancelled, CardNotLive: the card is cancelled or expired.
    """
    card = lock_card(customer=customer, card_id=card_id)
    require_live(card)
    return card


def require_live(card: Card) -> None:
    """:raises CardAlreadyCancelled, CardNotLive: the card is cancelled or expired."""
    if card.status == CardStatus.CANCELLED:
        raise CardAlreadyCancelled
    if card.status not in Card.LIVE_STATUSES:
        raise CardNotLive


def consume_confirmation(
    card: Card, operation: CardOperation, /, **change: Unpack[ConfirmedCardChange]
) -> Any:
    """Use up the verified code that confirms ``operation`` on ``card`` for ``change`` (portal requests only).

    Staff channels (branch, phone, the 828 line) identify the customer their own way and pass None.

    :raises ConfirmationRequired: a portal request without a confirmation.
    :raises OtpError: the code is not verified, used or void, or was for another card or operation.
    """
    confirmation = change.get("confirmation")
    if confirmation is None:
        if change["channel"] == Channel.PORTAL:
            raise ConfirmationRequired
        return None
    return otp_consume(
        challenge_id=confirmation,
        customer=card.customer,
        purposes=(OTP_PURPOSE[operation],),
        subject=otp_subject(card.pk),
        now=change["now"],
    )


@sensitive_variables("kwargs")  # a PIN change's new PIN is among them
def call_processor(method: str, /, **kwargs: Any) -> Any:
    """Call the card processor; its failure becomes the customer's message (and rolls our change back).

    :raises ProcessorUnavailable: it timed out.
    :raises ProcessorDeclined: it refused.
    """
    try:
        return getattr(get_card_processor(), method)(**kwargs)
    except CardProcessorTimeout as error:
        raise ProcessorUnavailable from error
    except CardProcessorRefused as error:
        raise ProcessorDeclined from error


def record_event(
    card: Card,
    *,
    kind: str,
    actor: User | None,
    channel: str,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> CardEvent:
    """Write one row of the card's history."""
    return CardEvent.objects.create(
        card=card,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        channel=one_of(CARD_EVENT_CHANNELS, channel),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
        occurred_at=now,
    )


def card_state(card: Card, tokens: Sequence[WalletToken] = ()) -> dict[str, Any]:
    """A card as the audit log shows it, with the status of each wallet token an operation touches.

    Every stored field but the processor's token (a reference for the processor, of no use to a reader
    of the log); ``audit_diff`` of two states keeps only what the operation changed.
    """
    state = audit_snapshot(card, exclude=("processor_token",))
    state["wallet_token_status"] = {str(token.pk): token.status for token in tokens}
    return state


def token_details(token: WalletToken) -> dict[str, Any]:
    """What identifies a wallet token in a card's history and the audit log (never its reference)."""
    return {
        "wallet_token_id": token.pk,
        "wallet": token.wallet,
        "device_name": token.device_name,
        "token_last4": token.token_last4,
    }


def audit_card_operation(
    card: Card,
    *,
    action: str,
    before: dict[str, Any],
    actor: User | None,
    channel: str,
    now: datetime,
    tokens: Sequence[WalletToken] = (),
    confirmation: OtpChallenge | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append the operation's entry to the audit log: the card, its fields before and after, the channel.

    Call it as the last write of the operation's transaction, after the processor has agreed: a
    refusal rolls the change back with no entry, and the lock on the chain head the entry takes is not
    held while the processor is waited for. ``before`` is ``card_state`` taken when the card was
    locked (with the same ``tokens``); ``confirmation`` the code challenge that confirmed it, if any.
    """
    details = dict(data or {})
    if confirmation is not None:
        details |= otp_confirmation(confirmation)
    audit_record(
        action=action,
        actor=actor,
        obj=card,
        channel=one_of(CARD_EVENT_CHANNELS, channel),
        data=details,
        now=now,
        **audit_diff(before, card_state(card, tokens)),
    )


# The processor's arguments hold a new PIN for a PIN change: kept out of error reports' locals.
@sensitive_variables("processor_call", "arguments")
def finish_card_change(
    card: Card,
    *,
    before: dict[str, Any],
    kind: str,
    processor_call: tuple[str, dict[str, Any]],
    action: str,
    actor: User | None,
    channel: str,
    now: datetime,
    event: dict[str, Any] | None = None,
    tokens: Sequence[WalletToken] = (),
    confirmation: OtpChallenge | None = None,
    audit_data: dict[str, Any] | None = None,
) -> None:
    """The last steps of every card change, in this order, inside the change's transaction.

    The row of the card's history (``event``: its from/to status, reason and data), then the processor
    (``processor_call``: the method and its arguments; a timeout or refusal raises and rolls the whole
    change back), then the audit entry, after the processor agreed (``audit_card_operation``), then the
    customer's text message and e-mail for a block, unblock, cancellation or new PIN.
    """
    record_event(card, kind=kind, actor=actor, channel=channel, now=now, **(event or {}))
    method, arguments = processor_call
    call_processor(method, **arguments)
    audit_card_operation(
        card,
        action=action,
        before=before,
        actor=actor,
        channel=channel,
        now=now,
        tokens=tokens,
        confirmation=confirmation,
        data=audit_data,
    )
    if kind in NOTIFIED:
        notification_send(customer=card.customer, kind=NOTIFIED[kind], now=now, params={"card": card.masked})


def suspend_wallet_tokens(
    card: Card, tokens: Sequence[WalletToken], *, reason: str, actor: User | None, channel: str, now: datetime
) -> None:
    """Suspend each of the card's (locked) wallet tokens and write a history row for each.

    The processor's token service suspends them with the card operation that calls this (mobile
    payments off); this records it on our side.
    """
    _end_wallet_tokens(card, tokens, remove=False, reason=reason, actor=actor, channel=channel, now=now)


def remove_wallet_tokens(
    card: Card, tokens: Sequence[WalletToken], *, reason: str, actor: User | None, channel: str, now: datetime
) -> None:
    """Remove each of the card's (locked) wallet tokens for good, with a history row for each.

    The processor's token service deletes them with the card's cancellation (RULES.md section 6).
    """
    _end_wallet_tokens(card, tokens, remove=True, reason=reason, actor=actor, channel=channel, now=now)


def _end_wallet_tokens(
    card: Card,
    tokens: Sequence[WalletToken],
    *,
    remove: bool,
    reason: str,
    actor: User | None,
    channel: str,
    now: datetime,
) -> None:
    for token in tokens:
        token.remove() if remove else token.suspend()
        token.save(update_fields=["status"])
        record_event(
            card,
            kind=CardEvent.Kind.WALLET_TOKEN_REMOVED if remove else CardEvent.Kind.WALLET_TOKEN_SUSPENDED,
            actor=actor,
            channel=channel,
            now=now,
            reason=reason,
            data=token_details(token),
        )


def set_card_fields(
    card: Card,
    changes: Mapping[str, object],
    *,
    kind: str,
    processor: tuple[str, Callable[[Card], dict[str, Any]]],
    action: str,
    actor: User | None,
    channel: str,
    now: datetime,
    confirmation: OtpChallenge | None = None,
) -> None:
    """A change that only sets the card's own fields, in one place for every such change: save
    ``changes`` to the card's fields, then the history row (each field from and to), the processor
    (``processor``: its method, and its arguments from the changed card) and the audit entry."""
    data = {name: {"from": getattr(card, name), "to": value} for name, value in changes.items()}
    before = card_state(card)
    for name, value in changes.items():
        setattr(card, name, value)
    card.save(update_fields=list(changes))
    method, arguments = processor
    finish_card_change(
        card,
        before=before,
        kind=kind,
        event={"data": data},
        processor_call=(method, {"processor_token": card.processor_token, **arguments(card)}),
        action=action,
        actor=actor,
        channel=channel,
        now=now,
        confirmation=confirmation,
    )
