from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.db import transaction
from django.utils import translation

from customers.models import OtpChallenge, OtpPurpose
from customers.services import (
    OtpAlreadyUsed,
    OtpDeliveryFailed,
    OtpExpired,
    OtpInvalid,
    OtpNotFound,
    OtpNotVerified,
    OtpRateLimited,
    OtpResendTooSoon,
    OtpSendLimitReached,
    OtpVoided,
    otp_consume,
    otp_issue,
    otp_resend,
    otp_send_queued,
    otp_verify,
)
from customers.sms import HttpGatewaySmsBackend, SmsMessage, SmsSendError, read_outbox
from tests.customers.factories import CustomerFactory
from tests.customers.portal import last_code, messages_to, run_queued_texts, wrong_code

NOW = datetime(2026, 5, 20, 10, 0, 0, tzinfo=UTC)
PURPOSES = (OtpPurpose.REGISTRATION,)

pytestmark = pytest.mark.django_db


def issue(customer, now=NOW, **kwargs):
    return otp_issue(customer=customer, purpose=OtpPurpose.REGISTRATION, now=now, **kwargs)


def verify(challenge, code, now=NOW):
    return otp_verify(
        challenge_id=challenge.pk,
        customer=challenge.customer,
        purposes=PURPOSES,
        code=code,
        now=now,
        actor=None,
    )


def test_a_code_is_six_digits_texted_to_the_customer_and_stored_only_as_a_hash(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000111")

    challenge = issue(customer)

    code = last_code(sms_outbox, "+48601000111")
    assert len(code) == 6 and code.isdigit()
    stored = OtpChallenge.objects.filter(pk=challenge.pk).values().get()
    assert not any(code in str(value) for value in stored.values())
    assert len(stored["code_hash"]) == 64
    assert stored["expires_at"] == NOW + timedelta(minutes=5)
    assert (
        "first sign-in" in messages_to(sms_outbox, "+48601000111")[-1]
        or "pierwszego" in messages_to(sms_outbox, "+48601000111")[-1]
    )


def test_the_text_is_in_the_customers_language(sms_outbox):
    polish = CustomerFactory(mobile_phone="+48601000111", preferred_language="pl")
    english = CustomerFactory(mobile_phone="+48601000222", preferred_language="en")

    issue(polish)
    issue(english)

    assert messages_to(sms_outbox, "+48601000111")[-1].startswith("Kartosfera: Twój kod")
    assert messages_to(sms_outbox, "+48601000222")[-1].startswith("Kartosfera: your code")


def test_the_right_code_verifies_without_using_it_up(sms_outbox):
    challenge = issue(CustomerFactory())

    verified = verify(challenge, last_code(sms_outbox, challenge.phone), now=NOW + timedelta(seconds=299))

    assert verified.verified_at == NOW + timedelta(seconds=299)
    assert verified.consumed_at is None


def test_a_wrong_code_is_counted_and_says_how_many_attempts_are_left_in_polish(sms_outbox):
    challenge = issue(CustomerFactory())

    with translation.override("pl"), pytest.raises(OtpInvalid) as raised:
        verify(challenge, wrong_code(last_code(sms_outbox, challenge.phone)))

    assert str(raised.value.message) == "Kod jest błędny. Pozostałe próby: 4."
    challenge.refresh_from_db()
    assert (challenge.attempts, challenge.verified_at, challenge.voided_at) == (1, None, None)


def test_the_fifth_wrong_code_voids_it_and_then_even_the_right_one_fails(sms_outbox):
    challenge = issue(CustomerFactory())
    code = last_code(sms_outbox, challenge.phone)
    for _ in range(4):
        with pytest.raises(OtpInvalid):
            verify(challenge, wrong_code(code))

    with pytest.raises(OtpVoided):
        verify(challenge, wrong_code(code))
    with pytest.raises(OtpVoided):
        verify(challenge, code)

    challenge.refresh_from_db()
    assert challenge.attempts == 5
    assert challenge.voided_at == NOW
    assert challenge.verified_at is None


@pytest.mark.django_db(transaction=True)
def test_verifying_refuses_to_run_inside_a_callers_transaction_that_could_undo_the_count(
    sms_outbox, texts_in_this_process
):
    challenge = issue(CustomerFactory())

    # A rolled-back caller would forget the wrong attempt; the durable block makes that impossible.
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        verify(challenge, wrong_code(last_code(sms_outbox, challenge.phone)))

    challenge.refresh_from_db()
    assert challenge.attempts == 0


def test_an_expired_code_is_refused_and_not_verified(sms_outbox):
    challenge = issue(CustomerFactory())

    with translation.override("pl"):
        with pytest.raises(OtpExpired) as raised:
            verify(challenge, last_code(sms_outbox, challenge.phone), now=NOW + timedelta(minutes=5))
        # The message is lazy: read in Polish here, not in whatever language an earlier test left active.
        assert "wygasł" in str(raised.value.message)

    challenge.refresh_from_db()
    assert challenge.verified_at is None


def test_resending_too_soon_is_refused_and_sends_nothing(sms_outbox):
    challenge = issue(CustomerFactory())

    with pytest.raises(OtpResendTooSoon) as raised:
        otp_resend(
            challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW + timedelta(seconds=20)
        )

    assert raised.value.seconds == 40
    assert len(messages_to(sms_outbox, challenge.phone)) == 1


def test_a_resent_code_replaces_the_old_one_and_keeps_the_wrong_attempts(sms_outbox):
    challenge = issue(CustomerFactory())
    old = last_code(sms_outbox, challenge.phone)
    with pytest.raises(OtpInvalid):
        verify(challenge, wrong_code(old))
    later = NOW + timedelta(seconds=61)

    otp_resend(challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=later)

    new = last_code(sms_outbox, challenge.phone)
    challenge.refresh_from_db()
    assert (challenge.send_count, challenge.attempts, challenge.expires_at) == (
        2,
        1,
        later + timedelta(minutes=5),
    )
    if new != old:
        with pytest.raises(OtpInvalid):
            verify(challenge, old, now=later)
    assert verify(challenge, new, now=later).verified_at == later


def test_a_code_is_sent_at_most_three_times(sms_outbox):
    challenge = issue(CustomerFactory())
    for minute in (1, 2):
        run_queued_texts()  # each text leaves before the next resend, as from a worker
        otp_resend(
            challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW + timedelta(minutes=minute)
        )

    with pytest.raises(OtpSendLimitReached):
        otp_resend(
            challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW + timedelta(minutes=3)
        )

    assert len(messages_to(sms_outbox, challenge.phone)) == 3


def test_at_most_ten_codes_an_hour_per_customer(sms_outbox):
    customer = CustomerFactory()
    for minute in range(10):
        otp_issue(
            customer=customer,
            purpose=OtpPurpose.CARD_ACTIVATE,
            subject=f"card:{minute}",
            now=NOW + timedelta(minutes=minute),
        )

    with pytest.raises(OtpRateLimited):
        otp_issue(
            customer=customer,
            purpose=OtpPurpose.CARD_ACTIVATE,
            subject="card:99",
            now=NOW + timedelta(minutes=30),
        )

    assert otp_issue(
        customer=customer,
        purpose=OtpPurpose.CARD_ACTIVATE,
        subject="card:99",
        now=NOW + timedelta(minutes=61),
    )
    run_queued_texts()  # what the worker does after each request commits
    assert len(read_outbox(sms_outbox)) == 11


def test_the_hourly_cap_counts_texts_to_the_phone_resends_included(sms_outbox):
    # Someone who knows a PESEL starts and resends over and over: ten texts reach the phone, no more.
    customer = CustomerFactory(mobile_phone="+48601000555")
    sent_at = NOW
    refused = 0
    for _ in range(4):
        challenge = otp_issue(
            customer=customer, purpose=OtpPurpose.REGISTRATION, subject="access", now=sent_at
        )
        for _resend in range(2):
            run_queued_texts()  # each text leaves before the next resend, as from a worker
            sent_at += timedelta(seconds=61)
            try:
                otp_resend(challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=sent_at)
            except OtpRateLimited:
                refused += 1
        run_queued_texts()
        sent_at += timedelta(seconds=61)
    with pytest.raises(OtpRateLimited):
        otp_issue(customer=customer, purpose=OtpPurpose.REGISTRATION, subject="access", now=sent_at)

    assert len(messages_to(sms_outbox, "+48601000555")) == 10
    assert refused == 2  # the eleventh and twelfth texts, both resends
    assert sent_at < NOW + timedelta(minutes=31)


def test_the_hourly_cap_is_the_phone_numbers_whoever_asks(sms_outbox, settings):
    # Two customers asking for texts to one number (a phone change to someone else's phone).
    settings.KARTOSFERA_OTP = {**settings.KARTOSFERA_OTP, "MAX_PER_HOUR": 3}
    first, second = CustomerFactory(mobile_phone="+48601000666"), CustomerFactory(mobile_phone="+48601000777")
    for minute in range(3):
        otp_issue(
            customer=first,
            purpose=OtpPurpose.PHONE_CHANGE_NEW,
            subject=f"phone:{minute}",
            phone="+48601000999",
            now=NOW + timedelta(minutes=minute),
        )

    with pytest.raises(OtpRateLimited):
        otp_issue(
            customer=second,
            purpose=OtpPurpose.PHONE_CHANGE_NEW,
            subject="phone",
            phone="+48601000999",
            now=NOW + timedelta(minutes=5),
        )
    assert otp_issue(customer=second, purpose=OtpPurpose.CARD_ACTIVATE, subject="card:1", now=NOW)
    assert len(messages_to(sms_outbox, "+48601000999")) == 3
    assert not OtpChallenge.objects.filter(customer=second, purpose=OtpPurpose.PHONE_CHANGE_NEW).exists()


def test_a_new_code_for_the_same_request_voids_the_previous_one(sms_outbox):
    customer = CustomerFactory()
    first = issue(customer)
    first_code = last_code(sms_outbox, customer.mobile_phone)

    issue(customer, now=NOW + timedelta(seconds=5))

    with pytest.raises(OtpVoided):
        verify(first, first_code, now=NOW + timedelta(seconds=6))


def test_consuming_needs_a_verified_code_and_works_once(sms_outbox):
    challenge = issue(CustomerFactory())
    with pytest.raises(OtpNotVerified):
        otp_consume(challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW)
    verify(challenge, last_code(sms_outbox, challenge.phone))

    otp_consume(challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW)

    with pytest.raises(OtpAlreadyUsed):
        otp_consume(challenge_id=challenge.pk, customer=None, purposes=PURPOSES, now=NOW)
    with pytest.raises(OtpAlreadyUsed):
        verify(challenge, last_code(sms_outbox, challenge.phone))


def test_a_code_for_another_purpose_or_customer_is_not_found(sms_outbox):
    challenge = issue(CustomerFactory())
    code = last_code(sms_outbox, challenge.phone)

    with pytest.raises(OtpNotFound):
        otp_verify(
            challenge_id=challenge.pk,
            customer=None,
            purposes=(OtpPurpose.CARD_CANCEL,),
            code=code,
            now=NOW,
            actor=None,
        )
    with pytest.raises(OtpNotFound):
        otp_verify(
            challenge_id=challenge.pk,
            customer=CustomerFactory(),
            purposes=PURPOSES,
            code=code,
            now=NOW,
            actor=None,
        )


def test_a_failed_text_message_fails_in_the_task_not_in_the_request(settings):
    # A signed-in customer's confirmation code (here: activating a card) leaves from the task too: the
    # request records it whatever the gateway does, and the failed send leaves it open for a resend.
    settings.KARTOSFERA_SMS_BACKEND = "customers.sms.HttpGatewaySmsBackend"
    settings.KARTOSFERA_SMS_GATEWAY_URL = ""
    customer = CustomerFactory()

    challenge = otp_issue(customer=customer, purpose=OtpPurpose.CARD_ACTIVATE, subject="card:1", now=NOW)
    with pytest.raises(OtpDeliveryFailed):
        otp_send_queued(challenge_id=challenge.pk, send=1)

    challenge.refresh_from_db()
    assert (challenge.voided_at, challenge.delivered_send) == (None, 0)


def test_the_http_gateway_posts_the_message_with_the_token():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"id": "msg-1"})

    backend = HttpGatewaySmsBackend(
        url="https://sms.example.test/v1/messages",
        token="t0k",
        sender="Kartosfera",
        transport=httpx.MockTransport(handler),
    )

    backend.send(SmsMessage(to="+48601000111", body="Kartosfera: hello"))

    assert seen[0].headers["Authorization"] == "Bearer t0k"
    assert seen[0].read() == b'{"to":"+48601000111","text":"Kartosfera: hello","sender":"Kartosfera"}'


@pytest.mark.parametrize(
    "response", [httpx.Response(500), httpx.Response(401)], ids=["server error", "unauthorised"]
)
def test_the_http_gateway_raises_on_a_refusal(response):
    backend = HttpGatewaySmsBackend(
        url="https://sms.example.test/v1/messages",
        token="t",
        transport=httpx.MockTransport(lambda request: response),
    )

    with pytest.raises(SmsSendError):
        backend.send(SmsMessage(to="+48601000111", body="x"))


def test_the_http_gateway_raises_on_a_timeout():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    backend = HttpGatewaySmsBackend(
        url="https://sms.example.test/", token="t", transport=httpx.MockTransport(handler)
    )

    with pytest.raises(SmsSendError, match="ReadTimeout"):
        backend.send(SmsMessage(to="+48601000111", body="x"))


@pytest.mark.parametrize(
    ("language", "seconds", "expected"),
    [
        ("en", 1, "A new code can be sent in 1 second."),
        ("en", 40, "A new code can be sent in 40 seconds."),
        ("pl", 1, "Nowy kod można wysłać za 1 s."),
        ("pl", 22, "Nowy kod można wysłać za 22 s."),
    ],
)
def test_the_wait_before_a_new_code_is_said_in_good_grammar(language, seconds, expected):
    with translation.override(language):
        assert str(OtpResendTooSoon(seconds=seconds).message) == expected
