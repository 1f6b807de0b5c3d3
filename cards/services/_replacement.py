"""A new card for a cancelled or an expired one."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit import actions
from audit.services import audit_snapshot
from cards.models import Card, CardEvent, CardStatus
from cards.rules import expiry_date
from cards.selectors import card_replacement_for
from cards.services._common import (
    CardServiceError,
    audit_card_operation,
    call_processor,
    card_state,
    lock_card,
    record_event,
)
from customers.models import Customer, User
from kartosfera.legaltime import warsaw_date

REPLACEMENT_VALID_YEARS = 5


class ReplacementNotAllowed(CardServiceError):
    message = _("A new card can be ordered only for a cancelled or an expired card.")


class ReplacementAlreadyOrdered(CardServiceError):
    message = _("A replacement for this card has already been ordered.")


def card_order_replacement(
    *, customer: Customer, card_id: int, actor: User | None, channel: str, now: datetime
) -> Card:
    """Order a new card of the same product for a cancelled or an expired one (one whose renewal did
    not reach the customer): a new, not yet activated card.

    The new card keeps the old one's limits (within the product maxima) and switches.

    :raises Card.DoesNotExist: not the customer's card.
    :raises ReplacementNotAllowed: the card is neither cancelled nor expired.
    :raises ReplacementAlreadyOrdered: it already has a replacement (an expired card: or its renewal).
    :raises ProcessorUnavailable, ProcessorDeclined: the processor failed; nothing changed.
    """
    with transaction.atomic():
        old = lock_card(customer=customer, card_id=card_id)
        if old.status not in (CardStatus.CANCELLED, CardStatus.EXPIRED):
            raise ReplacementNotAllowed
        if card_replacement_for(card=old) is not None:
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
