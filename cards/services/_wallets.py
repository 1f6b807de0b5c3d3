"""Mobile payments: the card's switch for phone and watch wallets, and adding the card to a phone or
watch: the wallet asks, the customer confirms with a texted code.

Issuers verify a wallet's provisioning request before the token pays (the "yellow path"): the token
service's request creates a PENDING token here, the portal shows it, and only the customer's code
makes it ACTIVE.
"""

from datetime import datetime
from typing import Unpack

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit import actions
from audit.services import audit_record
from cards.models import (
    MOBILE_PAYMENTS_OFF_REASON,
    Card,
    CardEvent,
    CardStatus,
    WalletToken,
    WalletTokenStatus,
)
from cards.processor import SimulatedCardProcessor, get_card_processor
from cards.services._common import (
    CardChange,
    CardOperation,
    CardServiceError,
    ConfirmedCardChange,
    card_state,
    consume_confirmation,
    finish_card_change,
    lock_card,
    lock_live_card,
    require_live,
    suspend_wallet_tokens,
    token_details,
)
from customers.models import Customer, User
from kartosfera.vocabulary import Channel


class WalletProvisioningRefused(CardServiceError):
    message = _("This card cannot be added to a phone or watch now: turn mobile payments on first.")


class WalletTokenNotPending(CardServiceError):
    message = _("This device is not waiting for a confirmation.")


class WalletCardBlocked(CardServiceError):
    message = _(
        "This card is temporarily blocked, so it cannot be added to a phone or watch. "
        "Unblock the card first, then confirm the device."
    )


def require_not_blocked(card: Card) -> None:
    """No device is added to a temporarily blocked card: it could not pay until the card is unblocked,
    and a block is often the customer's first reaction to a card they no longer hold.

    :raises WalletCardBlocked:
    """
    if card.status == CardStatus.BLOCKED:
        raise WalletCardBlocked


def check_add_device(card: Card, token: WalletToken) -> None:
    """:raises WalletTokenNotPending: the device was confirmed or removed already.
    :raises WalletCardBlocked: the card is temporarily blocked.
    """
    require_live(card)
    require_not_blocked(card)
    if token.status != WalletTokenStatus.PENDING:
        raise WalletTokenNotPending


def wallet_token_provision(
    *, card_id: int, wallet: str, device_name: str, token_reference: str, token_last4: str, now: datetime
) -> WalletToken:
    """The token service asks to add the card to a wallet: a PENDING token the customer must confirm.

    :raises Card.DoesNotExist: no such card.
    :raises CardAlreadyCancelled, CardNotLive: the card is cancelled or expired.
    :raises WalletProvisioningRefused: mobile payments are off on the card.
    :raises WalletCardBlocked: the card is temporarily blocked.
    """
    with transaction.atomic():
        owner = Card.objects.values_list("customer_id", flat=True).get(pk=card_id)
        card = lock_live_card(customer=Customer(pk=owner), card_id=card_id)
        require_not_blocked(card)
        if not card.mobile_payments_enabled:
            raise WalletProvisioningRefused
        token = WalletToken.objects.create(
            card=card,
            wallet=WalletToken.Wallet(wallet),
            device_name=device_name[:100],
            token_reference=token_reference,
            token_last4=token_last4,
            status=WalletTokenStatus.PENDING,
            created_at=now,
        )
        audit_record(
            action=actions.CARD_WALLET_TOKEN_REQUESTED,
            actor=None,
            obj=card,
            channel=Channel.SYSTEM,
            data={"device": token_details(token), "status": token.status},
            now=now,
        )
    return token


def wallet_token_confirm(*, token_id: int, **call: Unpack[ConfirmedCardChange]) -> WalletToken:
    """The customer confirms the wallet's request with the texted code: the device can pay.

    :raises Card.DoesNotExist, WalletToken.DoesNotExist: not the customer's card or not its device.
    :raises WalletTokenNotPending: :raises CardNotLive, CardAlreadyCancelled:
    :raises WalletCardBlocked: the card is temporarily blocked.
    :raises ConfirmationRequired, OtpError: a portal request without a valid code.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_card(customer=call["customer"], card_id=call["card_id"])
        token = WalletToken.objects.select_for_update().get(pk=token_id, card=card)
        check_add_device(card, token)
        confirmed = consume_confirmation(card, CardOperation.ADD_DEVICE, **call)
        before = card_state(card, [token])
        token.confirm()
        token.save(update_fields=["status"])
        finish_card_change(
            card,
            before=before,
            kind=CardEvent.Kind.WALLET_TOKEN_ADDED,
            event={"data": token_details(token)},
            processor_call=("activate_wallet_token", {"token_reference": token.token_reference}),
            action=actions.CARD_WALLET_TOKEN_ADDED,
            actor=call["actor"],
            channel=call["channel"],
            now=call["now"],
            tokens=[token],
            confirmation=confirmed,
            audit_data={"device": token_details(token)},
        )
    return token


def wallet_token_simulate_request(
    *, card_id: int, wallet: str, device_name: str, now: datetime
) -> WalletToken:
    """The card processor's simulator plays a wallet asking to add the card (demo and tests).

    :raises AttributeError: the configured processor is not the simulator.
    :raises Card.DoesNotExist, CardNotLive, CardAlreadyCancelled, WalletProvisioningRefused:
    """
    card = Card.objects.get(pk=card_id)
    processor = get_card_processor()
    if not isinstance(processor, SimulatedCardProcessor):
        raise AttributeError(f"{type(processor).__name__} is not the simulator: no wallet asks it")
    reference, last4 = processor.wallet_request(processor_token=card.processor_token)
    return wallet_token_provision(
        card_id=card_id,
        wallet=wallet,
        device_name=device_name,
        token_reference=reference,
        token_last4=last4,
        now=now,
    )


def _set_mobile_payments(
    *, customer: Customer, card_id: int, enabled: bool, actor: User | None, channel: str, now: datetime
) -> Card:
    with transaction.atomic():
        card = lock_live_card(customer=customer, card_id=card_id)
        if card.mobile_payments_enabled == enabled:
            return card
        # Turning mobile payments off stops every device; the processor does it with the switch.
        tokens = (
            []
            if enabled
            else list(card.wallet_tokens.select_for_update().filter(status=WalletTokenStatus.ACTIVE))
        )
        before = card_state(card, tokens)
        card.mobile_payments_enabled = enabled
        card.save(update_fields=["mobile_payments_enabled"])
        suspend_wallet_tokens(
            card, tokens, reason=MOBILE_PAYMENTS_OFF_REASON, actor=actor, channel=channel, now=now
        )
        finish_card_change(
            card,
            before=before,
            kind=CardEvent.Kind.CONTROLS_CHANGED,
            event={"data": {"mobile_payments_enabled": {"from": not enabled, "to": enabled}}},
            processor_call=(
                "set_mobile_payments",
                {"processor_token": card.processor_token, "enabled": enabled},
            ),
            action=actions.CARD_MOBILE_PAYMENTS_ENABLED if enabled else actions.CARD_MOBILE_PAYMENTS_DISABLED,
            actor=actor,
            channel=channel,
            now=now,
            tokens=tokens,
            audit_data=None if enabled else {"devices_suspended": [token_details(token) for token in tokens]},
        )
    return card


def card_enable_mobile_payments(**call: Unpack[CardChange]) -> Card:
    """Allow the card in phone and watch wallets (devices suspended earlier stay suspended until resumed).

    :raises Card.DoesNotExist, CardNotLive, CardAlreadyCancelled, ProcessorUnavailable, ProcessorDeclined.
    """
    return _set_mobile_payments(enabled=True, **call)


def card_disable_mobile_payments(**call: Unpack[CardChange]) -> Card:
    """Stop the card in every wallet: the switch goes off and every active device is suspended.

    :raises Card.DoesNotExist, CardNotLive, CardAlreadyCancelled, ProcessorUnavailable, ProcessorDeclined.
    """
    return _set_mobile_payments(enabled=False, **call)
