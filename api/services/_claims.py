"""Claims filed and chargeback events reported by the bank's systems, through the dispute workflow."""

from dataclasses import dataclass
from datetime import datetime

from api.errors import ResourceNotFound
from api.models import ApiClient
from api.selectors import card_by_token
from cards.models import Transaction
from chargebacks.models import Chargeback
from disputes.backoffice.services import claim_register_on_behalf
from disputes.models import Case
from disputes.services import (
    chargeback_escalate,
    chargeback_propose_result,
    chargeback_record_representment,
)


@dataclass(frozen=True, slots=True)
class ClaimData:
    customer_id: int
    card_token: str
    processor_references: list[str]
    channel: str
    cause: str
    received_at: datetime
    account: str


def claim_file(*, client: ApiClient, data: ClaimData, now: datetime) -> Case:
    """File a claim the customer made at a branch, by phone or on the 828 line, through the back office's
    service for a claim taken on a customer's behalf (``claim_register_on_behalf``).

    :raises ResourceNotFound: no such card or transaction.
    :raises DisputeError: as ``claim_register_on_behalf``.
    """
    card = card_by_token(processor_token=data.card_token)
    if card is None or card.customer_id != data.customer_id:
        raise ResourceNotFound(f"card {data.card_token}", resource="card")
    references = list(dict.fromkeys(data.processor_references))
    ids = dict(
        Transaction.objects.filter(card=card, processor_reference__in=references).values_list(
            "processor_reference", "pk"
        )
    )
    missing = [ref for ref in references if ref not in ids]
    if missing:
        raise ResourceNotFound(f"transactions {missing}", resource="transaction")
    return claim_register_on_behalf(
        customer_id=data.customer_id,
        card_id=card.pk,
        transaction_ids=[ids[ref] for ref in references],
        channel=data.channel,
        cause=data.cause,
        received_at=data.received_at,
        account=data.account,
        actor=client.user,
        now=now,
    )


CHARGEBACK_EVENTS = ("REPRESENTMENT_RECEIVED", "PRE_ARBITRATION", "ARBITRATION", "WON", "LOST")


def chargeback_event_apply(
    *, client: ApiClient, chargeback_id: int, event: str, reason: str, now: datetime
) -> Chargeback:
    """A chargeback event from the scheme or the issuer-processor, through the chargeback services.

    An outcome (WON, LOST) moves money, so it becomes the result's proposal, which a supervisor
    approves in the back office (four-eyes), as an analyst's proposal does.

    :raises DisputeError: as the chargeback service the event calls (a state that does not allow it).
    """
    actor = client.user
    if event == "REPRESENTMENT_RECEIVED":
        return chargeback_record_representment(chargeback_id=chargeback_id, actor=actor, now=now)
    if event in ("PRE_ARBITRATION", "ARBITRATION"):
        return chargeback_escalate(chargeback_id=chargeback_id, actor=actor, now=now, reason=reason)
    chargeback_propose_result(
        chargeback_id=chargeback_id,
        won=event == "WON",
        reason=reason.strip() or f"{event} reported by the card scheme",
        actor=actor,
        now=now,
    )
    return Chargeback.objects.get(pk=chargeback_id)
