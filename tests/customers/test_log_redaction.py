"""No one-time password, PIN or card number in a log: the filter, and a whole portal flow scanned, the
audit log included (which must verify afterwards)."""

import io
import logging
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEntry
from cards.models import CardStatus
from customers.log_redaction import RedactSecretsFilter, redact
from customers.models import OtpChallenge
from kartosfera.card_numbers import card_number_spans
from tests.audit.helpers import readable_text
from tests.cards.factories import CardFactory
from tests.customers.factories import CustomerFactory
from tests.customers.portal import PASSWORD, last_code, read_outbox


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("code 123456 sent", "code [removed] sent"),
        ("pin=1234 for card", "pin=[removed] for card"),
        ("{'pin': '5829', 'pin_repeated': '5829'}", "{'pin': [removed], 'pin_repeated': [removed]}"),
        ('{"code": "004211"}', '{"code": [removed]}'),
        ("password: hunter2hunter2", "password: [removed]"),
        ("card 4111 1111 1111 1111 declined", "card [card number removed] declined"),
        ("card 4111111111111111 declined", "card [card number removed] declined"),
        ("at 10:15:02.123456+00:00", "at 10:15:02.123456+00:00"),
        ("succeeded in 0.016555837999987943s: 1", "succeeded in 0.016555837999987943s: 1"),
        ("card.4111111111111111 declined", "card.[card number removed] declined"),
        (
            "card •••• 1234, 2026-05-20, customer 42, PESEL 85031412345",
            "card •••• 1234, 2026-05-20, customer 42, PESEL 85031412345",
        ),
        # Identifiers an operator matches a line with stay whole: Celery task ids, UUIDs, digests.
        (
            "Task letters.tasks.issue_letter[3f2a1b4c-6011-4000-8123-456789012345] succeeded in 0.41s",
            "Task letters.tasks.issue_letter[3f2a1b4c-6011-4000-8123-456789012345] succeeded in 0.41s",
        ),
        (
            "request 12345678-1234-4111-1111-111111111111 done",
            "request 12345678-1234-4111-1111-111111111111 done",
        ),
        (
            "export sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 (123456 rows)",
            "export sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ([removed] rows)",
        ),
        (
            "file 66d857c541111111111111123456abababababababababababababababababab",
            "file 66d857c541111111111111123456abababababababababababababababababab",
        ),
        (
            "reference 1234567812345678 (no card: its checksum fails)",
            "reference 1234567812345678 (no card: its checksum fails)",
        ),
        ("card 4111 1111 1111 1111 exp 2027", "card [card number removed] exp 2027"),
        ("Amex 3782 822463 10005.", "Amex [card number removed]."),
    ],
)
def test_redact(message, expected):
    assert redact(message) == expected


def test_the_filter_rewrites_the_formatted_message_and_the_traceback():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "code %s for %s", ("123456", "card"), None)
    try:
        raise ValueError("pin=9876")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()

    assert RedactSecretsFilter().filter(record) is True

    assert record.getMessage() == "code [removed] for card"
    assert "9876" not in record.exc_text and "pin=[removed]" in record.exc_text


@pytest.fixture
def console_output():
    """What the configured console handler (with the redaction filter) writes, for the test's duration."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, RedactSecretsFilter) for item in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_whole_portal_flow_logs_no_code_pin_or_card_number_and_its_audit_log_verifies(
    client, caplog, console_output, sms_outbox
):
    customer = CustomerFactory(mobile_phone="+48601000111")
    card = CardFactory(customer=customer, status=CardStatus.INACTIVE)
    other = CardFactory(customer=customer)
    pin = "5829"
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # every SQL statement and its parameters go to the log too
    try:
        # Frozen time: no microseconds in timestamps that could look like a code by chance.
        with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=UTC), tick=False):
            client.post(
                "/register/", {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()}
            )
            client.post("/register/code/", {"code": last_code(sms_outbox, "+48601000111")})
            client.post("/register/password/", {"password1": PASSWORD, "password2": PASSWORD})
            confirm = client.post(f"/cards/{card.pk}/activate/")["Location"]
            client.post(confirm, {"code": last_code(sms_outbox, "+48601000111")})
            client.post(f"/cards/{card.pk}/pin/", {"action": "send_code"})
            client.post(
                f"/cards/{card.pk}/pin/",
                {"pin": pin, "pin_repeated": pin, "code": last_code(sms_outbox, "+48601000111")},
            )
            confirm = client.post(f"/cards/{other.pk}/cancel/", {"reason": "STOLEN", "understood": "on"})[
                "Location"
            ]
            client.post(
                confirm, {"code": "000000" if last_code(sms_outbox, "+48601000111") != "000000" else "111111"}
            )
            client.post(confirm, {"code": last_code(sms_outbox, "+48601000111")})
    finally:
        connection.force_debug_cursor = False

    card.refresh_from_db()
    other.refresh_from_db()
    assert (card.status, other.status) == (CardStatus.ACTIVE, CardStatus.CANCELLED)
    assert card.events.filter(kind="PIN_CHANGED").exists()
    codes = {re.search(r"\b([0-9]{6})\b", message["body"]).group(1) for message in read_outbox(sms_outbox)}
    assert len(codes) == 4
    raw = "\n".join(record.getMessage() for record in caplog.records)
    written = console_output.getvalue()
    entries = list(AuditEntry.objects.order_by("sequence"))
    audited = "\n".join(readable_text(entry) for entry in entries)
    # The scan is not vacuous: the flow logged its steps and its SQL, and audited each act.
    assert "OTP" in raw and "verified" in raw and "wrong attempt" in raw and "INSERT INTO" in raw
    assert "OTP" in written and "INSERT INTO" in written
    assert [entry.action for entry in entries] == [
        "auth.user_created",
        "auth.registration_completed",
        "auth.sign_in",
        "card.activated",
        "card.pin_changed",
        "auth.otp_failed",
        "card.cancelled",
    ]
    for text in (raw, written, audited):
        for code in codes:
            # In the audit log, as a number of its own: ids and amounts may hold its digits by chance.
            assert not re.search(rf"(?<![0-9]){code}(?![0-9])" if text is audited else code, text)
        assert not re.search(rf"(?<![0-9]){pin}(?![0-9])", text)
        # No card number (a Luhn-valid run of 13-19 digits) anywhere.
        assert card_number_spans(text) == []
        assert PASSWORD not in text
    for challenge in OtpChallenge.objects.all():
        assert challenge.code_hash not in audited and challenge.code_salt not in audited
    # And the log that holds all this is intact: every hash, every link, the head.
    report = io.StringIO()
    call_command("verify_audit", stdout=report)
    assert f"Audit log: {len(entries)} entries, sequence 1 to {len(entries)}" in report.getvalue()
