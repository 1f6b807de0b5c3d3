"""Every one-time code leaves from a task: no request waits on the SMS gateway, the answer is the same
for a customer and a stranger whatever the gateway does, and the code is in no outbox row."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from cards.models import CardStatus
from customers.models import OtpChallenge, OtpPurpose
from customers.rules import Sex, generate_pesel
from customers.services import OtpDeliveryFailed, OtpRateLimited, otp_issue, otp_resend, otp_send_queued
from customers.services._otp import SEND_TASK
from customers.sms import read_outbox
from outbox.models import OutboxMessage, OutboxOutcome
from tests.cards.factories import CardFactory
from tests.customers.factories import CustomerFactory
from tests.customers.portal import last_code, registered_customer, run_queued_texts, sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
ACCESS = (OtpPurpose.REGISTRATION, OtpPurpose.PASSWORD_RESET)


class BrokenGateway:
    def send(self, message):
        from customers.sms import SmsSendError

        raise SmsSendError("SMS gateway answered 503")


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_with_a_failing_gateway_a_customer_and_a_stranger_get_the_same_pages(settings, sms_outbox):
    settings.KARTOSFERA_SMS_BACKEND = "tests.customers.test_otp_queued.BrokenGateway"
    customer = CustomerFactory(mobile_phone="+48601000444")
    stranger = generate_pesel(birth_date=date(1970, 1, 1), serial=45, sex=Sex.MALE)
    pages = {}
    for who, identity in (
        ("customer", {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()}),
        ("stranger", {"identifier": stranger, "birth_date": "1970-01-01"}),
    ):
        browser = Client(raise_request_exception=True)  # anything raised in the request fails the test
        with time_machine.travel(NOW, tick=False):
            started = browser.post("/register/", identity, follow=True)
            run_queued_texts()  # what the worker does after the commit: the gateway fails there
        with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
            resent = browser.post("/register/code/resend/", follow=True)
            run_queued_texts()
        pages[who] = [
            (started.status_code, started.redirect_chain, _without_csrf(started.content.decode())),
            (resent.status_code, resent.redirect_chain, _without_csrf(resent.content.decode())),
        ]

    assert pages["customer"] == pages["stranger"]
    assert pages["customer"][0][:2] == (200, [("/register/code/", 302)])
    assert "Wysłaliśmy nowy kod." in pages["customer"][1][2]
    # Both texts were asked for and failed in the task, not in the request; the request said nothing.
    assert read_outbox(sms_outbox) == []
    rows = OutboxMessage.objects.filter(task=SEND_TASK).order_by("pk")
    assert [(row.kwargs["send"], row.kwargs["challenge_id"] is None, row.outcome) for row in rows] == [
        (1, False, OutboxOutcome.FAILED),
        (2, False, OutboxOutcome.FAILED),
        (1, True, OutboxOutcome.DONE),  # the stranger's start and resend: nothing to text
        (1, True, OutboxOutcome.DONE),
    ]
    assert OtpChallenge.objects.get(customer=customer).voided_at is None  # a resend can still follow


def test_the_code_arrives_when_the_task_runs_and_is_in_no_outbox_row(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000445")
    with time_machine.travel(NOW, tick=False):
        Client().post(
            "/register/", {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()}
        )

    assert read_outbox(sms_outbox) == []  # nothing left in the request
    row = OutboxMessage.objects.get(task=SEND_TASK)
    challenge = OtpChallenge.objects.get(customer=customer)
    assert row.kwargs == {"challenge_id": challenge.pk, "send": 1}

    assert run_queued_texts() == 1
    code = last_code(sms_outbox, "+48601000445")
    row.refresh_from_db()
    assert row.outcome == OutboxOutcome.DONE
    stored = OutboxMessage.objects.filter(task=SEND_TASK).values()
    assert not any(code in str(value) for message in stored for value in message.values())
    challenge.refresh_from_db()
    assert challenge.delivered_send == 1 and challenge.send_count == 1


def test_a_registration_code_texted_by_the_task_verifies_through_the_pages(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000446")
    browser = Client()
    with time_machine.travel(NOW, tick=False):
        browser.post(
            "/register/", {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()}
        )
        code = last_code(sms_outbox, "+48601000446")
        answer = browser.post("/register/code/", {"code": code})

    assert (answer.status_code, answer["Location"]) == (302, "/register/password/")


def test_a_redelivered_task_texts_nothing_more(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000447")
    challenge = otp_issue(customer=customer, purpose=OtpPurpose.REGISTRATION, subject="access", now=NOW)

    assert otp_send_queued(challenge_id=challenge.pk, send=1) is True
    assert otp_send_queued(challenge_id=challenge.pk, send=1) is False

    assert len(read_outbox(sms_outbox)) == 1


def test_a_send_a_resend_replaced_texts_nothing_and_the_resend_texts_the_code(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000448")
    challenge = otp_issue(customer=customer, purpose=OtpPurpose.PASSWORD_RESET, subject="access", now=NOW)
    otp_resend(challenge_id=challenge.pk, customer=None, purposes=ACCESS, now=NOW + timedelta(seconds=61))

    assert otp_send_queued(challenge_id=challenge.pk, send=1) is False
    assert otp_send_queued(challenge_id=challenge.pk, send=2) is True
    assert len(read_outbox(sms_outbox)) == 1


def test_a_gateway_failure_is_tried_again_with_a_new_code(settings, sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000449")
    challenge = otp_issue(customer=customer, purpose=OtpPurpose.REGISTRATION, subject="access", now=NOW)
    settings.KARTOSFERA_SMS_BACKEND = "tests.customers.test_otp_queued.BrokenGateway"

    with pytest.raises(OtpDeliveryFailed):
        otp_send_queued(challenge_id=challenge.pk, send=1)
    challenge.refresh_from_db()
    assert (challenge.delivered_send, challenge.voided_at) == (0, None)

    settings.KARTOSFERA_SMS_BACKEND = "customers.sms.FileSmsBackend"
    assert otp_send_queued(challenge_id=challenge.pk, send=1) is True
    assert len(read_outbox(sms_outbox)) == 1


def test_a_strangers_start_queues_a_send_that_texts_nothing(sms_outbox):
    stranger = generate_pesel(birth_date=date(1970, 1, 1), serial=46, sex=Sex.MALE)
    with time_machine.travel(NOW, tick=False):
        Client().post("/register/", {"identifier": stranger, "birth_date": "1970-01-01"})

    row = OutboxMessage.objects.get(task=SEND_TASK)
    assert row.kwargs == {"challenge_id": None, "send": 1}
    assert run_queued_texts() == 1
    row.refresh_from_db()
    assert (row.outcome, read_outbox(sms_outbox), OtpChallenge.objects.exists()) == (
        OutboxOutcome.DONE,
        [],
        False,
    )


def test_a_resend_past_the_phones_hourly_cap_is_refused_at_once_and_queues_no_text(settings, sms_outbox):
    settings.KARTOSFERA_OTP = {**settings.KARTOSFERA_OTP, "MAX_PER_HOUR": 1}
    customer = CustomerFactory(mobile_phone="+48601000450")
    challenge = otp_issue(customer=customer, purpose=OtpPurpose.REGISTRATION, subject="access", now=NOW)

    with pytest.raises(OtpRateLimited):
        otp_resend(challenge_id=challenge.pk, customer=None, purposes=ACCESS, now=NOW + timedelta(seconds=61))

    assert list(OutboxMessage.objects.filter(task=SEND_TASK).values_list("kwargs", flat=True)) == [
        {"challenge_id": challenge.pk, "send": 1}
    ]


def test_a_resend_past_the_cap_queues_the_same_work_for_a_customer_and_a_stranger(settings, sms_outbox):
    settings.KARTOSFERA_OTP = {**settings.KARTOSFERA_OTP, "MAX_PER_HOUR": 1}
    customer = CustomerFactory(mobile_phone="+48601000451")
    stranger = generate_pesel(birth_date=date(1970, 1, 1), serial=47, sex=Sex.MALE)
    queued = []
    for identity in (
        {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()},
        {"identifier": stranger, "birth_date": "1970-01-01"},
    ):
        browser = Client()
        with time_machine.travel(NOW, tick=False):
            browser.post("/register/", identity)
        before = OutboxMessage.objects.filter(task=SEND_TASK).count()
        with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
            browser.post("/register/code/resend/")
        queued.append(
            list(
                OutboxMessage.objects.filter(task=SEND_TASK).order_by("pk").values_list("kwargs", flat=True)
            )[before:]
        )

    assert queued == [[{"challenge_id": None, "send": 1}], [{"challenge_id": None, "send": 1}]]
    assert run_queued_texts() == 4 and len(read_outbox(sms_outbox)) == 1  # the customer's first code only


@pytest.mark.parametrize("purpose", list(OtpPurpose))
def test_every_kind_of_code_is_texted_by_the_task_only(purpose, sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000452")
    challenge = otp_issue(customer=customer, purpose=purpose, subject="kind", now=NOW)

    assert read_outbox(sms_outbox) == []  # nothing left in the request
    row = OutboxMessage.objects.get(task=SEND_TASK)
    assert row.kwargs == {"challenge_id": challenge.pk, "send": 1}
    assert run_queued_texts() == 1
    code = last_code(sms_outbox, "+48601000452", run_queued=False)
    stored = OutboxMessage.objects.filter(task=SEND_TASK).values()
    assert not any(code in str(value) for message in stored for value in message.values())
    assert otp_send_queued(challenge_id=challenge.pk, send=1) is False  # a redelivery texts nothing more
    assert len(read_outbox(sms_outbox)) == 1


def test_a_card_code_page_answers_at_once_with_a_failing_gateway_and_the_task_fails(settings, sms_outbox):
    settings.KARTOSFERA_SMS_BACKEND = "tests.customers.test_otp_queued.BrokenGateway"
    customer = registered_customer(mobile_phone="+48601000453")
    card = CardFactory(customer=customer, status=CardStatus.INACTIVE)
    browser = Client(raise_request_exception=True)
    sign_in(browser, customer)

    answer = browser.post(f"/cards/{card.pk}/activate/")

    challenge = OtpChallenge.objects.get(customer=customer, purpose=OtpPurpose.CARD_ACTIVATE)
    assert (answer.status_code, answer["Location"]) == (302, f"/cards/{card.pk}/confirm/{challenge.pk}/")
    run_queued_texts()
    assert read_outbox(sms_outbox) == []
    assert OutboxMessage.objects.get(task=SEND_TASK).outcome == OutboxOutcome.FAILED
    challenge.refresh_from_db()
    assert challenge.voided_at is None  # a resend can still follow


def test_a_phone_change_queues_one_text_to_each_number_and_texts_nothing_in_the_request(sms_outbox):
    customer = registered_customer(mobile_phone="+48601000454")
    browser = Client()
    sign_in(browser, customer)

    browser.post("/profile/phone/", {"new_phone": "512 345 678"})

    assert read_outbox(sms_outbox) == []
    challenges = OtpChallenge.objects.filter(customer=customer).order_by("pk")
    assert [row.kwargs for row in OutboxMessage.objects.filter(task=SEND_TASK).order_by("pk")] == [
        {"challenge_id": challenge.pk, "send": 1} for challenge in challenges
    ]
    assert run_queued_texts() == 2
    assert [message["to"] for message in read_outbox(sms_outbox)] == ["+48601000454", "+48512345678"]
