"""Webhooks: endpoints managed through the API; events signed (HMAC-SHA256 over timestamp and body),
verified by a receiver, retried with backoff, logged, replayed by staff."""

from datetime import timedelta

import pytest
import time_machine

from api.models import WebhookDelivery, WebhookEvent
from api.signing import SignatureInvalid, signature_header, signature_verify
from api.webhooks import webhook_deliveries_send, webhook_delivery_replay, webhook_events_collect
from disputes.services import ActionNotPermitted, case_refund_provisionally
from tests.api.conftest import make_caller
from tests.api.receiver import WebhookReceiver
from tests.disputes.conftest import warsaw

BODY = b'{"type":"claim.submitted"}'


@pytest.mark.parametrize(
    ("header_time", "now", "secret", "body", "valid"),
    [
        (1_764_000_000, 1_764_000_000, "whsec_a", BODY, True),
        (1_764_000_000, 1_764_000_300, "whsec_a", BODY, True),  # at the edge of the window
        (1_764_000_000, 1_764_000_301, "whsec_a", BODY, False),  # a replay after the window
        (1_764_000_000, 1_764_000_000, "whsec_b", BODY, False),  # another secret
        (1_764_000_000, 1_764_000_000, "whsec_a", BODY + b" ", False),  # a changed body
    ],
)
def test_signature_verification(header_time, now, secret, body, valid):
    header = signature_header(secret="whsec_a", timestamp=header_time, body=BODY)

    if valid:
        assert (
            signature_verify(secret=secret, header=header, body=body, now=now, tolerance=300) == header_time
        )
    else:
        with pytest.raises(SignatureInvalid):
            signature_verify(secret=secret, header=header, body=body, now=now, tolerance=300)


def test_a_signature_is_hmac_sha256_of_timestamp_dot_body():
    assert signature_header(secret="whsec_a", timestamp=1_764_000_000, body=BODY) == (
        "t=1764000000,v1=" + __import__("hmac").new(b"whsec_a", b"1764000000." + BODY, "sha256").hexdigest()
    )


def test_events_of_a_claim_reach_the_endpoint_signed_retried_and_logged(case, analyst, supervisor):
    with (
        time_machine.travel(warsaw(2025, 5, 26, 11, 0), tick=True),
        WebhookReceiver(fail_first=1) as receiver,
    ):
        crm = make_caller("branch-crm", ["webhooks:manage"])
        created = crm.post(
            "/api/v1/webhooks/endpoints",
            {"url": receiver.url, "event_types": ["claim.submitted", "claim.refunded"]},
        ).json()
        receiver.secret = created["secret"]
        case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
        first_run = warsaw(2025, 5, 26, 11, 1)

        made = webhook_events_collect(now=first_run)
        first = webhook_deliveries_send(now=first_run)
        too_early = webhook_deliveries_send(now=first_run + timedelta(seconds=29))
        retried = webhook_deliveries_send(now=first_run + timedelta(seconds=30))
        listed = crm.get("/api/v1/webhooks/deliveries").json()

    # The submission's delivery met a 503 and was retried 30 s later; the refund's went through at once.
    assert made == 2
    assert first == {"PENDING": 1, "DELIVERED": 1}
    assert too_early == {}
    assert retried == {"DELIVERED": 1}
    assert receiver.refused == []
    assert [
        (event["type"], event["data"]["claim_id"], event["data"]["state"]) for event in receiver.received
    ] == [
        ("claim.refunded", case.pk, "PROVISIONALLY_REFUNDED"),
        ("claim.submitted", case.pk, "SUBMITTED"),
    ]
    assert sorted((d["event_type"], d["status"], d["attempts"]) for d in listed) == [
        ("claim.refunded", "DELIVERED", 1),
        ("claim.submitted", "DELIVERED", 2),
    ]


def test_a_receiver_refuses_a_delivery_signed_with_another_secret(case):
    with (
        time_machine.travel(warsaw(2025, 5, 26, 11, 0), tick=True),
        WebhookReceiver("whsec_wrong") as receiver,
    ):
        crm = make_caller("branch-crm", ["webhooks:manage"])
        crm.post("/api/v1/webhooks/endpoints", {"url": receiver.url, "event_types": ["claim.submitted"]})
        webhook_events_collect(now=warsaw(2025, 5, 26, 11, 1))
        webhook_deliveries_send(now=warsaw(2025, 5, 26, 11, 1))

    assert receiver.received == []
    assert receiver.refused == ["signature does not match"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.attempts) == ("PENDING", 400, 1)


def test_staff_replay_a_delivery_and_other_clients_never_see_it(case, analyst):
    with time_machine.travel(warsaw(2025, 5, 26, 11, 0), tick=True), WebhookReceiver() as receiver:
        crm = make_caller("branch-crm", ["webhooks:manage"])
        other = make_caller("reporting", ["webhooks:manage"])
        receiver.secret = crm.post(
            "/api/v1/webhooks/endpoints", {"url": receiver.url, "event_types": ["claim.submitted"]}
        ).json()["secret"]
        webhook_events_collect(now=warsaw(2025, 5, 26, 11, 1))
        webhook_deliveries_send(now=warsaw(2025, 5, 26, 11, 1))
        delivery = WebhookDelivery.objects.get()
        with pytest.raises(ActionNotPermitted):
            webhook_delivery_replay(
                delivery_id=delivery.pk, actor=crm.client.user, now=warsaw(2025, 5, 26, 11, 2)
            )
        webhook_delivery_replay(delivery_id=delivery.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 2))
        webhook_deliveries_send(now=warsaw(2025, 5, 26, 11, 2))
        others = other.get("/api/v1/webhooks/deliveries").json()
        deleted = other.delete(f"/api/v1/webhooks/endpoints/{delivery.endpoint_id}")

    assert [e["type"] for e in receiver.received] == ["claim.submitted", "claim.submitted"]
    assert WebhookEvent.objects.count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("DELIVERED", 2)
    assert others == []
    assert deleted.status_code == 404
