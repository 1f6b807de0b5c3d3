"""Failed one-time codes and the portal's account acts are recorded in the audit log, with no secret."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from audit.models import AuditEntry
from cards import services as card_services
from customers.models import OtpChallenge, OtpPurpose
from customers.services import (
    OtpAlreadyUsed,
    OtpExpired,
    OtpInvalid,
    OtpNotFound,
    OtpVoided,
    WrongPassword,
    otp_consume,
    otp_issue,
    otp_verify,
    phone_change_confirm,
    phone_change_start,
    registration_complete,
    registration_start,
    registration_verify_code,
    user_change_password,
)
from tests.audit.helpers import readable_text
from tests.cards.factories import CardFactory
from tests.customers.factories import CustomerFactory
from tests.customers.portal import PASSWORD, last_code, registered_customer, wrong_code

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, 0, tzinfo=UTC)
NEW_PASSWORD = "Czerwona-Porzeczka-77"
PURPOSES = (OtpPurpose.REGISTRATION,)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


def issue(customer, now=NOW):
    return otp_issue(customer=customer, purpose=OtpPurpose.REGISTRATION, subject="access", now=now)


def verify(challenge, code, *, now=NOW, actor=None, customer=None):
    return otp_verify(
        challenge_id=challenge.pk,
        customer=customer or challenge.customer,
        purposes=PURPOSES,
        code=code,
        now=now,
        actor=actor,
    )


def assert_no_secret(entry: AuditEntry, challenge: OtpChallenge, *codes: str) -> None:
    text = readable_text(entry)
    challenge.refresh_from_db()
    for secret in (*codes, challenge.code_hash, challenge.code_salt):
        assert secret not in text


# --- one-time codes ------------------------------------------------------------------------------------


def test_a_wrong_code_is_recorded_with_the_attempt_counted_and_without_any_code(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000111")
    challenge = issue(customer)
    code = last_code(sms_outbox, "+48601000111")

    with pytest.raises(OtpInvalid):
        verify(challenge, wrong_code(code))

    [entry] = entries("auth.otp_failed")
    assert (entry.object_label, entry.object_id, entry.actor, entry.role, entry.recorded_at) == (
        "customers.otpchallenge",
        str(challenge.pk),
        None,
        "SYSTEM",
        NOW,
    )
    assert (entry.before, entry.after) == ({"attempts": 0}, {"attempts": 1})
    assert entry.data == {
        "reason": "WRONG_CODE",
        "customer_id": customer.pk,
        "purpose": "REGISTRATION",
        "subject": "access",
        "attempts": 1,
        "attempts_left": 4,
    }
    assert_no_secret(entry, challenge, code, wrong_code(code))


def test_the_fifth_wrong_code_voids_the_request_and_every_later_try_is_recorded_too(sms_outbox):
    challenge = issue(CustomerFactory())
    code = last_code(sms_outbox, challenge.phone)
    for attempt in range(4):
        with pytest.raises(OtpInvalid):
            verify(challenge, wrong_code(code), now=NOW + timedelta(seconds=attempt))

    with pytest.raises(OtpVoided):
        verify(challenge, wrong_code(code), now=NOW + timedelta(seconds=10))
    with pytest.raises(OtpVoided):
        verify(challenge, code, now=NOW + timedelta(seconds=20))

    recorded = entries("auth.otp_failed")
    assert [entry.data["reason"] for entry in recorded] == ["WRONG_CODE"] * 4 + [
        "TOO_MANY_ATTEMPTS",
        "VOIDED",
    ]
    voiding, after_void = recorded[-2:]
    assert (voiding.before, voiding.after) == (
        {"attempts": 4, "voided_at": None},
        {"attempts": 5, "voided_at": "2026-05-20T10:00:10.000000Z"},
    )
    assert (voiding.data["attempts"], voiding.data["attempts_left"]) == (5, 0)
    # The right code after the request is void: refused, recorded, nothing counted.
    assert (after_void.before, after_void.after, after_void.data["attempts"]) == ({}, {}, 5)
    for entry in recorded:
        assert_no_secret(entry, challenge, code, wrong_code(code))


def test_an_expired_code_is_recorded_and_not_counted(sms_outbox):
    challenge = issue(CustomerFactory())
    code = last_code(sms_outbox, challenge.phone)

    with pytest.raises(OtpExpired):
        verify(challenge, code, now=NOW + timedelta(minutes=5))

    [entry] = entries("auth.otp_failed")
    assert (entry.data["reason"], entry.data["attempts"], entry.before, entry.after) == ("EXPIRED", 0, {}, {})
    assert_no_secret(entry, challenge, code)


def test_a_used_code_tried_again_is_recorded(sms_outbox):
    challenge = issue(CustomerFactory())
    code = last_code(sms_outbox, challenge.phone)
    verify(challenge, code)
    otp_consume(challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW)

    with pytest.raises(OtpAlreadyUsed):
        verify(challenge, code, now=NOW + timedelta(seconds=5))

    [entry] = entries("auth.otp_failed")
    assert entry.data["reason"] == "ALREADY_USED"


def test_the_right_code_records_no_failure(sms_outbox):
    challenge = issue(CustomerFactory())

    verify(challenge, last_code(sms_outbox, challenge.phone))

    assert entries("auth.otp_failed") == []


def test_a_card_code_typed_for_another_card_is_recorded_against_the_customer_who_typed_it(sms_outbox):
    customer = registered_customer()
    first = CardFactory(customer=customer, status="INACTIVE")
    second = CardFactory(customer=customer, status="INACTIVE")
    challenge = card_services.card_operation_request(
        customer=customer, card_id=first.pk, operation="ACTIVATE", now=NOW
    )
    code = last_code(sms_outbox, customer.mobile_phone)

    with pytest.raises(OtpNotFound):
        card_services.card_operation_confirm(
            customer=customer,
            card_id=second.pk,
            challenge_id=challenge.pk,
            code=code,
            actor=customer.user,
            now=NOW,
        )

    [entry] = entries("auth.otp_failed")
    assert (entry.actor, entry.role, entry.object_id, entry.before, entry.after) == (
        customer.user,
        "CUSTOMER",
        "",
        None,
        None,
    )
    assert entry.data == {
        "reason": "NOT_FOUND",
        "challenge_id": str(challenge.pk),
        "customer_id": customer.pk,
        "purposes": [
            "CARD_ACTIVATE",
            "CARD_UNBLOCK",
            "CARD_CANCEL",
            "CARD_LIMITS_INCREASE",
            "WALLET_PROVISION",
        ],
        "subject": f"card:{second.pk}",
    }
    assert_no_secret(entry, challenge, code)
    assert entries("card.activated") == []


def test_a_wrong_card_code_is_recorded_with_the_customer_as_actor(sms_outbox):
    customer = registered_customer()
    card = CardFactory(customer=customer, status="INACTIVE")
    challenge = card_services.card_operation_request(
        customer=customer, card_id=card.pk, operation="ACTIVATE", now=NOW
    )

    with pytest.raises(OtpInvalid):
        card_services.card_operation_confirm(
            customer=customer,
            card_id=card.pk,
            challenge_id=challenge.pk,
            code=wrong_code(last_code(sms_outbox, customer.mobile_phone)),
            actor=customer.user,
            now=NOW,
        )

    [entry] = entries("auth.otp_failed")
    assert (entry.actor, entry.role, entry.object_id, entry.data["subject"], entry.data["purpose"]) == (
        customer.user,
        "CUSTOMER",
        str(challenge.pk),
        f"card:{card.pk}",
        "CARD_ACTIVATE",
    )


def test_a_wrong_registration_code_on_the_portal_is_recorded_as_anonymous_with_the_address(
    client, sms_outbox
):
    customer = CustomerFactory(mobile_phone="+48601000111")
    client.post("/register/", {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()})
    code = last_code(sms_outbox, "+48601000111")

    response = client.post("/register/code/", {"code": wrong_code(code)}, REMOTE_ADDR="198.51.100.23")

    assert response.status_code == 200
    [entry] = entries("auth.otp_failed")
    assert (entry.actor, entry.role, entry.channel, entry.ip_address) == (
        None,
        "ANONYMOUS",
        "PORTAL",
        "198.51.100.23",
    )
    assert_no_secret(entry, OtpChallenge.objects.get(customer=customer), code, wrong_code(code))


# The request commits, so its code text runs after the commit: here, not in a worker whose SMS outbox
# is not this test's (under `make test-services` a worker that took it first left none here).
@pytest.mark.usefixtures("texts_in_this_process")
@pytest.mark.django_db(transaction=True)
def test_the_failure_entry_is_committed_although_the_operation_is_refused(sms_outbox):
    customer = registered_customer()
    card = CardFactory(customer=customer, status="INACTIVE")
    challenge = card_services.card_operation_request(
        customer=customer, card_id=card.pk, operation="ACTIVATE", now=NOW
    )

    with pytest.raises(OtpInvalid):
        card_services.card_operation_confirm(
            customer=customer,
            card_id=card.pk,
            challenge_id=challenge.pk,
            code=wrong_code(last_code(sms_outbox, customer.mobile_phone)),
            actor=customer.user,
            now=NOW,
        )

    # No transaction is open: what is read now was committed.
    assert not connection.in_atomic_block
    [entry] = entries("auth.otp_failed")
    challenge.refresh_from_db()
    assert (challenge.attempts, entry.after) == (1, {"attempts": 1})


# --- registration, passwords, the phone number ---------------------------------------------------------


def register(customer, sms_outbox, *, now=NOW):
    challenge = registration_start(
        identifier=customer.pesel, birth_date=customer.birth_date, address="198.51.100.7", now=now
    )
    registration_verify_code(
        challenge_id=challenge.pk, code=last_code(sms_outbox, customer.mobile_phone), now=now
    )
    return challenge, registration_complete(challenge_id=challenge.pk, password=PASSWORD, now=now)


def test_registration_links_the_customer_to_the_new_sign_in(sms_outbox):
    customer = CustomerFactory()

    challenge, user = register(customer, sms_outbox)

    [created] = entries("auth.user_created")
    [entry] = entries("auth.registration_completed")
    assert created.object_id == str(user.pk)
    assert (entry.actor, entry.role, entry.object_label, entry.object_id, entry.recorded_at) == (
        user,
        "CUSTOMER",
        "customers.customer",
        str(customer.pk),
        NOW,
    )
    assert (entry.before, entry.after) == ({"user": None}, {"user": user.pk})
    assert entry.data == {"confirmation": {"method": "SMS_CODE", "challenge_ids": [challenge.pk]}}
    assert entry.sequence > created.sequence
    assert PASSWORD not in readable_text(entry)


def test_a_password_reset_is_recorded_once_as_a_reset(sms_outbox):
    customer = CustomerFactory()
    register(customer, sms_outbox)
    old_hash = customer.__class__.objects.get(pk=customer.pk).user.password

    challenge = registration_start(
        identifier=customer.pesel, birth_date=customer.birth_date, address="198.51.100.7", now=NOW
    )
    registration_verify_code(
        challenge_id=challenge.pk, code=last_code(sms_outbox, customer.mobile_phone), now=NOW
    )
    user = registration_complete(challenge_id=challenge.pk, password=NEW_PASSWORD, now=NOW)

    [entry] = entries("auth.password_reset")
    assert entries("auth.password_changed") == []
    assert (entry.actor, entry.object_label, entry.object_id, entry.before, entry.after) == (
        user,
        "customers.user",
        str(user.pk),
        None,
        None,
    )
    assert entry.data == {
        "customer_id": customer.pk,
        "other_sessions_signed_out": True,
        "sign_in_lockout_lifted": True,
        "confirmation": {"method": "SMS_CODE", "challenge_ids": [challenge.pk]},
    }
    text = readable_text(entry)
    for secret in (NEW_PASSWORD, PASSWORD, user.password, old_hash):
        assert secret not in text


def test_a_password_change_is_recorded_once_with_who_changed_it():
    customer = registered_customer()

    user = user_change_password(user=customer.user, old_password=PASSWORD, new_password=NEW_PASSWORD, now=NOW)

    [entry] = entries("auth.password_changed")
    assert (entry.actor, entry.role, entry.object_id, entry.recorded_at) == (
        user,
        "CUSTOMER",
        str(user.pk),
        NOW,
    )
    assert entry.data == {
        "customer_id": customer.pk,
        "confirmation": {"method": "CURRENT_PASSWORD"},
        "other_sessions_signed_out": True,
    }
    assert NEW_PASSWORD not in readable_text(entry) and user.password not in readable_text(entry)


def test_a_wrong_current_password_records_no_change():
    customer = registered_customer()

    with pytest.raises(WrongPassword):
        user_change_password(
            user=customer.user, old_password="Zle-Haslo-123", new_password=NEW_PASSWORD, now=NOW
        )

    assert entries("auth.password_changed") == []


def test_a_phone_change_is_recorded_with_both_numbers_masked_to_the_last_three_digits(sms_outbox):
    customer = registered_customer(mobile_phone="+48601000111")
    old, new = phone_change_start(customer=customer, new_phone="+48512345678", now=NOW)

    phone_change_confirm(
        customer=customer,
        old_challenge_id=old.pk,
        old_code=last_code(sms_outbox, "+48601000111"),
        new_challenge_id=new.pk,
        new_code=last_code(sms_outbox, "+48512345678"),
        actor=customer.user,
        now=NOW,
    )

    [entry] = entries("auth.phone_changed")
    assert (entry.actor, entry.object_label, entry.object_id) == (
        customer.user,
        "customers.customer",
        str(customer.pk),
    )
    assert (entry.before, entry.after) == (
        {"mobile_phone": "+48 ••• ••• 111"},
        {"mobile_phone": "+48 ••• ••• 678"},
    )
    assert entry.data == {
        "other_sessions_signed_out": True,
        "confirmation": {"method": "SMS_CODE", "challenge_ids": [old.pk, new.pk]},
    }
    text = readable_text(entry)
    assert "601000111" not in text and "512345678" not in text


def test_a_wrong_code_for_the_new_number_records_the_failure_and_no_change(sms_outbox):
    customer = registered_customer(mobile_phone="+48601000111")
    old, new = phone_change_start(customer=customer, new_phone="+48512345678", now=NOW)

    with pytest.raises(OtpInvalid):
        phone_change_confirm(
            customer=customer,
            old_challenge_id=old.pk,
            old_code=last_code(sms_outbox, "+48601000111"),
            new_challenge_id=new.pk,
            new_code=wrong_code(last_code(sms_outbox, "+48512345678")),
            actor=customer.user,
            now=NOW,
        )

    assert entries("auth.phone_changed") == []
    [failure] = entries("auth.otp_failed")
    assert (failure.object_id, failure.data["purpose"], failure.actor) == (
        str(new.pk),
        "PHONE_CHANGE_NEW",
        customer.user,
    )
