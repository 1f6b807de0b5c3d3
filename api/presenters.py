"""Domain objects as the API's response bodies (what a calling system sees: no staff notes, no assignee)."""

from datetime import date, datetime
from typing import TypeVar

from pydantic import BaseModel

from api.models import WebhookDelivery, WebhookEndpoint
from api.schemas import (
    CardOut,
    ChargebackOut,
    ClaimOut,
    CustomerOut,
    DeadlineKind,
    DeadlineOut,
    DisputedTransactionOut,
    LetterOut,
    LiabilityOut,
    RefundOut,
    TransactionBatchOut,
    TransactionOutcomeOut,
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointOut,
)
from cards.models import Card
from chargebacks.models import Chargeback
from customers.models import Customer
from disputes.models import Case

_Out = TypeVar("_Out", bound=BaseModel)


def _out(schema: type[_Out], obj: object, **values: object) -> _Out:
    """``schema`` with each field read from ``obj``'s attribute of the same name (``id``: its primary key),
    except the fields given in ``values``."""
    return schema(
        **{name: values[name] if name in values else getattr(obj, name) for name in schema.model_fields}
    )


def customer_out(customer: Customer, created: bool) -> CustomerOut:
    return _out(CustomerOut, customer, created=created)


def card_out(card: Card, created: bool) -> CardOut:
    return _out(CardOut, card, created=created)


def batch_out(outcomes) -> TransactionBatchOut:
    counts = {"CREATED": 0, "AMENDED": 0, "UNCHANGED": 0, "REJECTED": 0}
    for outcome in outcomes:
        counts[outcome.outcome] += 1
    return TransactionBatchOut(
        created=counts["CREATED"],
        amended=counts["AMENDED"],
        unchanged=counts["UNCHANGED"],
        rejected=counts["REJECTED"],
        results=[_out(TransactionOutcomeOut, outcome) for outcome in outcomes],
    )


def chargeback_out(chargeback: Chargeback) -> ChargebackOut:
    return _out(ChargebackOut, chargeback, claim_id=chargeback.case_id)


def _deadlines(case: Case) -> list[DeadlineOut]:
    """The deadlines stored on a case, its transactions and its chargebacks, in that order."""
    stored: list[tuple[DeadlineKind, str, date | None, datetime | None]] = [
        ("REFUND", case.refund_rule, case.refund_due_on, case.refund_due_at),
        ("REPLY", case.reply_rule, case.reply_due_on, case.reply_due_at),
    ]
    stored += [
        ("REPORTING_WINDOW", link.window_rule, link.window_end_on, None) for link in case.disputed.all()
    ]
    for chargeback in case.chargebacks.all():
        stored += [
            ("CHARGEBACK_FILING", chargeback.filing_rule, chargeback.filing_due_on, chargeback.filing_due_at),
            (
                "CHARGEBACK_RESPONSE",
                chargeback.response_rule,
                chargeback.response_due_on,
                chargeback.response_due_at,
            ),
        ]
    return [DeadlineOut(kind=kind, due_on=on, due_at=at, rule=rule) for kind, rule, on, at in stored if rule]


def claim_out(case) -> ClaimOut:
    return _out(
        ClaimOut,
        case,
        card_token=case.card.processor_token,
        transactions=[
            DisputedTransactionOut(
                id=link.transaction_id,
                processor_reference=link.transaction.processor_reference,
                amount_pln=link.transaction.amount_pln,
                disputed_amount=link.amount,
            )
            for link in case.disputed.all()
        ],
        deadlines=_deadlines(case),
        refund=RefundOut(
            owed=case.refund_owed,
            due_at=case.refund_due_at,
            recorded_at=case.refunded_at,
            confirmed_at=case.refund_confirmed_at,
        ),
        liability=_out(LiabilityOut, case),
        letters=[_out(LetterOut, letter) for letter in case.letters.all()],
        chargebacks=[chargeback_out(chargeback) for chargeback in case.chargebacks.all()],
    )


def endpoint_out(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> WebhookEndpointOut:
    return _out(WebhookEndpointCreatedOut if with_secret else WebhookEndpointOut, endpoint)


def delivery_out(delivery: WebhookDelivery) -> WebhookDeliveryOut:
    return _out(
        WebhookDeliveryOut,
        delivery,
        event_id=delivery.event.payload["id"],
        event_type=delivery.event.event_type,
    )
