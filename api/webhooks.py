"""Webhooks: events collected from the case history and the letters, delivered signed, retried with
backoff, logged; staff can replay a delivery.

``webhook_events_collect`` reads the case transitions and letters written since its cursor (its own
outbox reader: the workflow is not changed for it) and makes one event each, with one delivery per
active endpoint that wants it. ``webhook_deliveries_send`` posts due deliveries.
"""

import json
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction

from api.models import (
    DeliveryStatus,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from api.signing import SIGNATURE_HEADER, signature_header
from audit.services import audit_record
from disputes.models import CaseTransition
from disputes.services._access import require_staff
from kartosfera.authz import VIEW_CASE
from letters.models import Letter

TRANSITION_EVENTS = {
    "submit": WebhookEventType.CLAIM_SUBMITTED,
    "refund_provisionally": WebhookEventType.CLAIM_REFUNDED,
    "request_information": WebhookEventType.CLAIM_INFORMATION_REQUESTED,
    "decide": WebhookEventType.CLAIM_DECIDED,
}
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 6 * 3600
WEBHOOK_DELIVERY_REPLAYED = "webhook.delivery_replayed"


def _event_payload(event_type: str, source: str, occurred_at: datetime, data: dict) -> dict:
    return {
        "id": f"evt_{source.replace(':', '_')}",
        "type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }


def _transition_event(row: CaseTransition) -> tuple[str, dict] | None:
    if row.chargeback_id is not None:
        return WebhookEventType.CHARGEBACK_UPDATED, {
            "chargeback_id": row.chargeback_id,
            "claim_id": row.case_id,
            "claim_number": row.case.number,
            "transition": row.name,
            "state": row.to_state,
        }
    event_type = TRANSITION_EVENTS.get(row.name)
    if event_type is None:
        return None
    data = {"claim_id": row.case_id, "claim_number": row.case.number, "state": row.to_state}
    if row.name == "decide":
        data["outcome"] = row.case.outcome
    return event_type, data


def _save_event(event_type: str, source: str, occurred_at: datetime, data: dict, now: datetime) -> int:
    event, created = WebhookEvent.objects.get_or_create(
        source=source,
        defaults={
            "event_type": event_type,
            "payload": _event_payload(event_type, source, occurred_at, data),
            "occurred_at": occurred_at,
        },
    )
    if not created:
        return 0
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(active=True)
        if event_type in endpoint.event_types
    ]
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now)
            for endpoint in endpoints
        ]
    )
    return 1


def webhook_events_collect(*, now: datetime, limit: int = 500) -> int:
    """Make the events of transitions and letters written since the last run; returns how many."""
    made = 0
    with transaction.atomic():
        cursor, _ = WebhookCursor.objects.select_for_update().get_or_create(source="transition")
        rows = list(
            CaseTransition.objects.select_related("case").filter(pk__gt=cursor.last_id).order_by("pk")[:limit]
        )
        for row in rows:
            event = _transition_event(row)
            if event is not None:
                made += _save_event(event[0], f"transition:{row.pk}", row.occurred_at, event[1], now)
        if rows:
            cursor.last_id = rows[-1].pk
            cursor.save()
        cursor, _ = WebhookCursor.objects.select_for_update().get_or_create(source="letter")
        letters = list(
            Letter.objects.select_related("case").filter(pk__gt=cursor.last_id).order_by("pk")[:limit]
        )
        for letter in letters:
            data = {
                "letter_id": letter.pk,
                "claim_id": letter.case_id,
                "claim_number": letter.case.number,
                "letter_type": letter.letter_type,
                "version": letter.version,
                "language": letter.language,
            }
            made += _save_event(
                WebhookEventType.LETTER_ISSUED, f"letter:{letter.pk}", letter.issued_at, data, now
            )
        if letters:
            cursor.last_id = letters[-1].pk
            cursor.save()
    return made


def delivery_body(event: WebhookEvent) -> bytes:
    """The exact bytes sent (and signed) for an event."""
    return json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()


def webhook_delivery_send(*, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Post one due delivery, signed; record the answer, and the next attempt after a failure."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("event", "endpoint")
            .get(pk=delivery_id)
        )
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        body = delivery_body(delivery.event)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature_header(
                secret=delivery.endpoint.secret, timestamp=int(now.timestamp()), body=body
            ),
            "Kartosfera-Event-Id": delivery.event.payload["id"],
        }
        delivery.attempts += 1
        try:
            response = httpx.post(
                delivery.endpoint.url,
                content=body,
                headers=headers,
                timeout=settings.KARTOSFERA_WEBHOOK_TIMEOUT_SECONDS,
            )
            delivery.last_status_code = response.status_code
            delivery.last_error = "" if response.is_success else response.text[:500]
            ok = response.is_success
        except httpx.HTTPError as exc:
            delivery.last_status_code = None
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
            ok = False
        if ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
        elif delivery.attempts >= WebhookDelivery.MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            wait = min(RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1), RETRY_MAX_SECONDS)
            delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.save()
    return delivery


def webhook_deliveries_send(*, now: datetime, limit: int = 100) -> dict[str, int]:
    """Send the due deliveries; returns how many ended in each status."""
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for delivery_id in due:
        status = webhook_delivery_send(delivery_id=delivery_id, now=now).status
        counts[status] = counts.get(status, 0) + 1
    return counts


def webhook_delivery_replay(*, delivery_id: int, actor, now: datetime) -> WebhookDelivery:
    """Staff send a delivery again (a given-up one, or a delivered one the receiver lost).

    :raises ActionNotPermitted: not back-office staff.
    """
    require_staff(actor, VIEW_CASE)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now
        delivery.delivered_at = None
        delivery.save(update_fields=["status", "next_attempt_at", "delivered_at"])
        audit_record(
            action=WEBHOOK_DELIVERY_REPLAYED,
            actor=actor,
            obj=delivery,
            data={"event": delivery.event_id, "endpoint": delivery.endpoint_id},
            now=now,
        )
    return delivery
