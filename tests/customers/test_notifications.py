"""The bank writes to the customer: one function records the messages, a task delivers them after commit."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from cards import services as card_services
from customers.models import Notification
from customers.services import (
    NotificationNotSent,
    WrongPassword,
    notification_deliver,
    notification_send,
    phone_change_confirm,
    phone_change_start,
    user_change_password,
)
from customers.sms import read_outbox
from kartosfera.vocabulary import Channel
from tests.cards.factories import CardFactory
from tests.customers.factories import CustomerFactory
from tests.customers.portal import PASSWORD, last_code, registered_customer, sign_in

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, 0, tzinfo=UTC)
NEW_PASSWORD = "Czerwona-Porzeczka-77"


@pytest.fixture(autouse=True)
def _deliver_in_this_process(texts_in_this_process):
    """The delivery task runs here, also under `make test-services` (``texts_in_this_process``)."""


class BrokenGateway:
    def send(self, message):
        from customers.sms import SmsSendError

        raise SmsSendError("SMS gateway answered 503")


def test_a_password_change_is_texted_and_e_mailed_once_committed(
    sms_outbox, django_capture_on_commit_callbacks
):
    customer = registered_customer(mobile_phone="+48601000111", email="ewa.testowa@example.com")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user_change_password(user=customer.user, old_password=PASSWORD, new_password=NEW_PASSWORD, now=NOW)

    text = (
        "Hasło do portalu zostało zmienione, a inne urządzenia wylogowane. Jeśli to nie Ty, zadzwoń do nas "
        "natychmiast: 828 828 828."
    )
    assert len(callbacks) == 1  # one delivery task for the whole act
    assert [(m["to"], m["body"]) for m in read_outbox(sms_outbox)] == [
        ("+48601000111", f"Kartosfera: {text}")
    ]
    [email] = mail.outbox
    assert (email.to, email.subject, email.from_email) == (
        ["ewa.testowa@example.com"],
        "Kartosfera: Zmiana hasła",
        "Kartosfera <powiadomienia@kartosfera.example>",
    )
    assert email.body == (
        f"Dzień dobry,\n\n{text}\n\nKartosfera\n\nTa wiadomość została wysłana automatycznie; prosimy na nią "
        "nie odpowiadać. Nigdy nie prosimy e-mailem o kod, PIN ani hasło."
    )
    assert sorted(
        Notification.objects.filter(customer=customer).values_list("channel", "recipient", "attempts")
    ) == [("EMAIL", "ewa.testowa@example.com", 1), ("SMS", "+48601000111", 1)]
    assert not Notification.objects.filter(customer=customer, sent_at__isnull=True).exists()


def test_a_rolled_back_act_sends_nothing(sms_outbox, django_capture_on_commit_callbacks):
    customer = registered_customer()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WrongPassword):
        user_change_password(
            user=customer.user, old_password="Zle-Haslo-1", new_password=NEW_PASSWORD, now=NOW
        )

    assert (Notification.objects.filter(customer=customer).count(), read_outbox(sms_outbox), mail.outbox) == (
        0,
        [],
        [],
    )


def test_a_phone_change_is_texted_to_the_old_number_too(sms_outbox, django_capture_on_commit_callbacks):
    customer = registered_customer(mobile_phone="+48601000111")
    old, new = phone_change_start(customer=customer, new_phone="+48512345678", now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        phone_change_confirm(
            customer=customer,
            old_challenge_id=old.pk,
            old_code=last_code(sms_outbox, "+48601000111"),
            new_challenge_id=new.pk,
            new_code=last_code(sms_outbox, "+48512345678"),
            actor=customer.user,
            now=NOW,
        )

    body = (
        "Kartosfera: Numer telefonu do kodów został zmieniony na +48 ••• ••• 678. Jeśli to nie Ty, zadzwoń "
        "do nas natychmiast: 828 828 828."
    )
    notices = [(m["to"], m["body"]) for m in read_outbox(sms_outbox) if "zmieniony" in m["body"]]
    assert sorted(notices) == [("+48512345678", body), ("+48601000111", body)]


def test_a_card_block_is_texted_with_the_masked_card_and_no_more(
    sms_outbox, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(mobile_phone="+48601000222", preferred_language="en")
    card = CardFactory(customer=customer, last4="4821")

    with django_capture_on_commit_callbacks(execute=True):
        card_services.card_block(
            customer=customer, card_id=card.pk, actor=None, channel=Channel.LINE_828, now=NOW
        )

    [(to, body)] = [(m["to"], m["body"]) for m in read_outbox(sms_outbox)]
    assert (to, body) == (
        "+48601000222",
        "Kartosfera: Your card •••• 4821 has been blocked. If you did not do this, call us at once on "
        "828 828 828.",
    )


def test_a_message_the_gateway_refuses_waits_and_leaves_on_the_next_try(sms_outbox, settings):
    customer = CustomerFactory(mobile_phone="+48601000333", email="")
    [notification] = notification_send(
        customer=customer, kind="PIN_CHANGED", now=NOW, params={"card": "•••• 1111"}
    )
    settings.KARTOSFERA_SMS_BACKEND = "tests.customers.test_notifications.BrokenGateway"

    with pytest.raises(NotificationNotSent):
        notification_deliver(notification_id=notification.pk, now=NOW)

    notification.refresh_from_db()
    assert (notification.sent_at, notification.attempts, notification.last_error) == (
        None,
        1,
        "SmsSendError: SMS gateway answered 503",
    )
    settings.KARTOSFERA_SMS_BACKEND = "customers.sms.FileSmsBackend"
    later = datetime(2026, 5, 20, 10, 5, 0, tzinfo=UTC)
    assert notification_deliver(notification_id=notification.pk, now=later) is True
    assert notification_deliver(notification_id=notification.pk, now=later) is False  # never twice
    notification.refresh_from_db()
    assert (notification.sent_at, notification.attempts, notification.last_error) == (later, 2, "")
    assert [m["to"] for m in read_outbox(sms_outbox)] == ["+48601000333"]


def test_the_portal_lists_the_messages_sent_to_the_customer_only(client, sms_outbox):
    customer = registered_customer(mobile_phone="+48601000444", email="ewa@example.com")
    other = CustomerFactory()
    notification_send(customer=customer, kind="CARD_BLOCKED", now=NOW, params={"card": "•••• 4821"})
    notification_send(customer=other, kind="CARD_BLOCKED", now=NOW, params={"card": "•••• 9999"})
    sign_in(client, customer)

    page = client.get("/messages/").content.decode()

    assert "Twoja karta •••• 4821 została zablokowana." in page
    assert "•••• 9999" not in page
    assert "SMS do +48 ••• ••• 444" in page
    assert "E-mail do ewa@example.com" in page
    assert page.count("czeka na wysłanie") == 2  # recorded; delivered after commit
