"""A wallet asks to add the card; it pays only once the customer confirms with a texted code."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from cards import services
from cards.models import WalletToken
from customers.models import OtpChallenge
from tests.cards.factories import CardFactory, WalletTokenFactory
from tests.customers.portal import last_code, registered_customer, sign_in

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def test_a_wallet_request_waits_for_the_customers_code(sms_outbox):
    card = CardFactory(mobile_payments_enabled=True, customer__mobile_phone="+48601000777")

    token = services.wallet_token_simulate_request(
        card_id=card.pk, wallet="GOOGLE_PAY", device_name="Pixel 9", now=NOW
    )
    assert (token.status, token.device_name, token.token_reference[:4]) == ("PENDING", "Pixel 9", "wtk_")
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="ADD_DEVICE", now=NOW, token_id=token.pk
    )
    assert challenge.operation["device"] == "Google Pay — Pixel 9"
    services.card_operation_confirm(
        customer=card.customer,
        card_id=card.pk,
        challenge_id=challenge.pk,
        code=last_code(sms_outbox, "+48601000777"),
        actor=None,
        now=NOW + timedelta(seconds=20),
    )

    token.refresh_from_db()
    assert token.status == "ACTIVE"
    assert list(card.events.values_list("kind", flat=True)) == ["WALLET_TOKEN_ADDED"]


def test_a_card_with_mobile_payments_off_refuses_the_wallet():
    card = CardFactory(mobile_payments_enabled=False)

    with pytest.raises(services.WalletProvisioningRefused):
        services.wallet_token_simulate_request(
            card_id=card.pk, wallet="APPLE_PAY", device_name="iPhone", now=NOW
        )

    assert not WalletToken.objects.filter(card=card).exists()


def test_the_portal_shows_the_pending_device_and_confirms_it_with_a_code(client, sms_outbox):
    customer = registered_customer(mobile_phone="+48601000888")
    card = CardFactory(customer=customer, mobile_payments_enabled=True)
    call_command("simulate_wallet_request", card=card.pk, wallet="GARMIN_PAY", device="Forerunner 965")
    token = WalletToken.objects.get(card=card)
    sign_in(client, customer)

    page = client.get(f"/cards/{card.pk}/").content.decode()
    assert "Forerunner 965" in page and "Czeka na Twoje potwierdzenie" in page
    assert (
        "Dodaj kartę do telefonu lub zegarka" in client.get(f"/cards/{card.pk}/devices/add/").content.decode()
    )
    asked = client.post(f"/cards/{card.pk}/devices/{token.pk}/confirm/")
    challenge = OtpChallenge.objects.get(purpose="WALLET_PROVISION")
    assert asked["Location"] == f"/cards/{card.pk}/confirm/{challenge.pk}/"
    # The customer sees which device they let pay before typing the code.
    assert (
        "<dt>Urządzenie</dt><dd>Garmin Pay — Forerunner 965</dd>"
        in client.get(asked["Location"]).content.decode()
    )
    client.post(asked["Location"], {"code": last_code(sms_outbox, "+48601000888")})

    token.refresh_from_db()
    assert token.status == "ACTIVE"


def test_a_temporarily_blocked_card_refuses_a_new_device_and_its_confirmation(sms_outbox):
    card = CardFactory(mobile_payments_enabled=True, customer__mobile_phone="+48601000999")
    token = services.wallet_token_simulate_request(
        card_id=card.pk, wallet="GOOGLE_PAY", device_name="Galaxy Tab S9", now=NOW
    )
    services.card_block(customer=card.customer, card_id=card.pk, actor=None, channel="PORTAL", now=NOW)

    with pytest.raises(services.WalletCardBlocked):
        services.card_operation_request(
            customer=card.customer, card_id=card.pk, operation="ADD_DEVICE", now=NOW, token_id=token.pk
        )
    with pytest.raises(services.WalletCardBlocked):
        services.wallet_token_simulate_request(
            card_id=card.pk, wallet="APPLE_PAY", device_name="iPad", now=NOW
        )

    token.refresh_from_db()
    assert token.status == "PENDING"
    assert WalletToken.objects.filter(card=card).count() == 1


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        (
            "pl",
            [
                "Płatności mobilne są włączone, ale dopóki karta jest czasowo zablokowana, nie zapłacisz nią "
                "telefonem ani zegarkiem.",
                "Apple Pay, •••• 1111 — wstrzymany do odblokowania karty",
                "To urządzenie potwierdzisz, gdy odblokujesz kartę.",
                "Karta jest czasowo zablokowana, więc nie można dodać jej do telefonu ani zegarka.",
            ],
            ["Płatności mobilne są włączone.", "Potwierdź Galaxy Tab S9"],
        ),
        (
            "en",
            [
                "Mobile payments are on, but no phone or watch can pay with the card while it is temporarily "
                "blocked.",
                "Apple Pay, •••• 1111 — paused until the card is unblocked",
                "You can confirm this device once the card is unblocked.",
                "This card is temporarily blocked, so it cannot be added to a phone or watch.",
            ],
            ["Mobile payments are on.", "Confirm Galaxy Tab S9"],
        ),
    ],
)
def test_the_page_of_a_blocked_card_shows_its_devices_cannot_pay_and_offers_no_confirmation(
    client, language, said, not_said
):
    customer = registered_customer()
    card = CardFactory(customer=customer, mobile_payments_enabled=True)
    WalletTokenFactory(card=card, wallet="APPLE_PAY", device_name="iPhone 15", token_last4="1111")
    pending = services.wallet_token_simulate_request(
        card_id=card.pk, wallet="GOOGLE_PAY", device_name="Galaxy Tab S9", now=NOW
    )
    services.card_block(customer=customer, card_id=card.pk, actor=None, channel="PORTAL", now=NOW)
    sign_in(client, customer)
    client.cookies["django_language"] = language

    refused = client.post(f"/cards/{card.pk}/devices/{pending.pk}/confirm/", follow=True)
    page = " ".join(refused.content.decode().replace("\xa0", " ").split())
    devices = " ".join(client.get(f"/cards/{card.pk}/devices/add/").content.decode().split())

    for text in said:
        assert text in page
    for text in not_said:
        assert text not in page and text not in devices
    assert not OtpChallenge.objects.filter(purpose="WALLET_PROVISION").exists()
