"""Suspending, resuming and removing one phone or watch the card is on: one change driven by a table."""

from dataclasses import dataclass
from typing import Unpack

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from audit import actions
from cards.models import CardEvent, WalletToken, WalletTokenStatus
from cards.services._common import (
    CardChange,
    CardServiceError,
    card_state,
    finish_card_change,
    lock_card,
    require_live,
    token_details,
)


class WalletTokenStateConflict(CardServiceError):
    """The device's status does not allow this (the message says why)."""


@dataclass(frozen=True)
class TokenChange:
    """One change of a device: the statuses it may start from, the refusal otherwise, the token's
    transition, the processor's method, the history kind and the audit action."""

    allowed_from: tuple[str, ...]
    conflict: StrOrPromise
    transition: str
    processor_method: str
    kind: str
    action: str


SUSPEND = TokenChange(
    allowed_from=(WalletTokenStatus.ACTIVE,),
    conflict=_("This device is not active."),
    transition="suspend",
    processor_method="suspend_wallet_token",
    kind=CardEvent.Kind.WALLET_TOKEN_SUSPENDED,
    action=actions.CARD_WALLET_TOKEN_SUSPENDED,
)
RESUME = TokenChange(
    allowed_from=(WalletTokenStatus.SUSPENDED,),
    conflict=_("This device is not suspended."),
    transition="resume",
    processor_method="resume_wallet_token",
    kind=CardEvent.Kind.WALLET_TOKEN_RESUMED,
    action=actions.CARD_WALLET_TOKEN_RESUMED,
)
REMOVE = TokenChange(
    allowed_from=(WalletTokenStatus.ACTIVE, WalletTokenStatus.SUSPENDED),
    conflict=_("This device is already removed."),
    transition="remove",
    processor_method="remove_wallet_token",
    kind=CardEvent.Kind.WALLET_TOKEN_REMOVED,
    action=actions.CARD_WALLET_TOKEN_REMOVED,
)


def wallet_token_change(change: TokenChange, /, *, token_id: int, **call: Unpack[CardChange]) -> WalletToken:
    """Carry out ``change`` on one of the card's devices: lock both, check, transition, then history,
    processor and audit entry.

    :raises Card.DoesNotExist, WalletToken.DoesNotExist: not the customer's card or not its device.
    :raises WalletTokenStateConflict: the device's status does not allow it (or, to resume, mobile
        payments are off).
    :raises CardNotLive, CardAlreadyCancelled: resuming on a cancelled or expired card.
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        card = lock_card(customer=call["customer"], card_id=call["card_id"])
        token = WalletToken.objects.select_for_update().get(pk=token_id, card=card)
        if token.status not in change.allowed_from:
            raise WalletTokenStateConflict(change.conflict)
        if change is RESUME:
            require_live(card)
            if not card.mobile_payments_enabled:
                raise WalletTokenStateConflict(_("Turn mobile payments on first."))
        before = card_state(card, [token])
        getattr(token, change.transition)()
        token.save(update_fields=["status"])
        finish_card_change(
            card,
            before=before,
            kind=change.kind,
            event={"data": token_details(token)},
            processor_call=(change.processor_method, {"token_reference": token.token_reference}),
            action=change.action,
            actor=call["actor"],
            channel=call["channel"],
            now=call["now"],
            tokens=[token],
            audit_data={"device": token_details(token)},
        )
    return token


def wallet_token_suspend(*, token_id: int, **call: Unpack[CardChange]) -> WalletToken:
    """Stop payments from one phone or watch until resumed (:func:`wallet_token_change`)."""
    return wallet_token_change(SUSPEND, token_id=token_id, **call)


def wallet_token_resume(*, token_id: int, **call: Unpack[CardChange]) -> WalletToken:
    """Allow payments from a suspended device again, on a live card with mobile payments on."""
    return wallet_token_change(RESUME, token_id=token_id, **call)


def wallet_token_remove(*, token_id: int, **call: Unpack[CardChange]) -> WalletToken:
    """Remove one device from the card for good."""
    return wallet_token_change(REMOVE, token_id=token_id, **call)
