"""A wallet asks to add the card; it pays only once the customer confirms with a texted code."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from cards import services
from cards.models import WalletToken
from customers.models import OtpChallenge
from tests.cards.factories import CardFactory
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
    client.post(asked["Location"], {"code": last_code(sms_outbox, "+48601000888")})

    token.refresh_from_db()
    assert token.status == "ACTIVE"
