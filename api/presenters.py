"""Domain objects as the API's response bodies (what a calling system sees: no staff notes, no assignee)."""

from api.schemas import (
    CardOut,
    ChargebackOut,
    ClaimOut,
    CustomerOut,
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


def customer_out(customer, created: bool) -> CustomerOut:
    return CustomerOut(
        id=customer.pk,
        pesel=customer.pesel,
        bank_id=customer.bank_id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        created=created,
    )


def card_out(card, created: bool) -> CardOut:
    return CardOut(
        id=card.pk,
        customer_id=card.customer_id,
        processor_token=card.processor_token,
        last4=card.last4,
        status=card.status,
        expires_on=card.expires_on,
        created=created,
    )


def batch_out(outcomes) -> TransactionBatchOut:
    counts = {"CREATED": 0, "AMENDED": 0, "UNCHANGED": 0, "REJECTED": 0}
    for outcome in outcomes:
        counts[outcome.outcome] += 1
    return TransactionBatchOut(
        created=counts["CREATED"],
        amended=counts["AMENDED"],
        unchanged=counts["UNCHANGED"],
        rejected=counts["REJECTED"],
        results=[
            TransactionOutcomeOut(
                processor_reference=o.processor_reference,
                outcome=o.outcome,
                transaction_id=o.transaction_id,
                code=o.code,
            )
            for o in outcomes
        ],
    )


def chargeback_out(chargeback) -> ChargebackOut:
    return ChargebackOut(
        id=chargeback.pk,
        claim_id=chargeback.case_id,
        state=chargeback.state,
        scheme=chargeback.scheme,
        reason_code=chargeback.reason_code,
        amount=chargeback.amount,
    )


def _deadlines(case) -> list[DeadlineOut]:
    deadlines = []
    if case.refund_rule:
        deadlines.append(
            DeadlineOut(
                kind="REFUND", due_on=case.refund_due_on, due_at=case.refund_due_at, rule=case.refund_rule
            )
        )
    if case.reply_rule:
        deadlines.append(
            DeadlineOut(
                kind="REPLY", due_on=case.reply_due_on, due_at=case.reply_due_at, rule=case.reply_rule
            )
        )
    for link in case.disputed.all():
        if link.window_rule:
            deadlines.append(
                DeadlineOut(
                    kind="REPORTING_WINDOW", due_on=link.window_end_on, due_at=None, rule=link.window_rule
                )
            )
    for chargeback in case.chargebacks.all():
        if chargeback.filing_rule:
            deadlines.append(
                DeadlineOut(
                    kind="CHARGEBACK_FILING",
                    due_on=chargeback.filing_due_on,
                    due_at=chargeback.filing_due_at,
                    rule=chargeback.filing_rule,
                )
            )
        if chargeback.response_rule:
            deadlines.append(
                DeadlineOut(
                    kind="CHARGEBACK_RESPONSE",
                    due_on=chargeback.response_due_on,
                    due_at=chargeback.response_due_at,
                    rule=chargeback.response_rule,
                )
            )
    return deadlines


def claim_out(case) -> ClaimOut:
    return ClaimOut(
        id=case.pk,
        number=case.number,
        state=case.state,
        outcome=case.outcome,
        channel=case.channel,
        cause=case.cause,
        customer_id=case.customer_id,
        card_token=case.card.processor_token,
        received_at=case.received_at,
        submitted_at=case.submitted_at,
        decided_at=case.decided_at,
        updated_at=case.updated_at,
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
        liability=LiabilityOut(
            disputed_amount=case.disputed_amount,
            customer_share=case.customer_share,
            bank_share=case.bank_share,
        ),
        letters=[
            LetterOut(
                id=letter.pk,
                letter_type=letter.letter_type,
                version=letter.version,
                language=letter.language,
                issued_at=letter.issued_at,
            )
            for letter in case.letters.all()
        ],
        chargebacks=[chargeback_out(chargeback) for chargeback in case.chargebacks.all()],
    )


def endpoint_out(endpoint, *, with_secret: bool = False) -> WebhookEndpointOut:
    fields = {
        "id": endpoint.pk,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "active": endpoint.active,
        "created_at": endpoint.created_at,
    }
    if with_secret:
        return WebhookEndpointCreatedOut(**fields, secret=endpoint.secret)
    return WebhookEndpointOut(**fields)


def delivery_out(delivery) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(
        id=delivery.pk,
        event_id=delivery.event.payload["id"],
        event_type=delivery.event.event_type,
        endpoint_id=delivery.endpoint_id,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
    )
