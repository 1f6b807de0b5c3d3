import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from cards.models import Card, CardEvent, CardProduct, Transaction, WalletToken
from demo import cards as cards_demo
from demo import customers as customers_demo
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

PAN_SHAPE = re.compile(r"\d(?:[ -]?\d){12,}")
READ_ONLY = [Card, CardEvent, WalletToken, Transaction]


@pytest.fixture
def seeded():
    now = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    customers_demo.seed(now=now)
    cards_demo.seed(now=now)


@pytest.fixture
def staff_client(client, django_user_model, seeded):
    sign_in_staff(client, django_user_model.objects.get(username="admin"))
    return client


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [CardProduct, Card, CardEvent, WalletToken, Transaction])
def test_every_list_and_detail_page_shows(staff_client, model):
    listing = staff_client.get(url(model, "changelist"))
    detail = staff_client.get(url(model, "change", model.objects.order_by("pk").first().pk))

    assert (listing.status_code, detail.status_code) == (200, 200)


def test_card_page_shows_last_four_and_token_and_nothing_like_a_card_number(staff_client):
    card = Card.objects.filter(status="CANCELLED").order_by("pk").first()

    page = staff_client.get(url(Card, "change", card.pk)).content.decode()

    assert card.masked in page
    assert card.processor_token in page
    # Outside the page's markup (CSRF tokens, ids), no text may look like a card number.
    visible = re.sub(r"<[^>]+>", " ", page)
    assert PAN_SHAPE.findall(visible) == []


@pytest.mark.parametrize("model", READ_ONLY)
def test_cards_and_transactions_cannot_be_added_changed_or_deleted_in_the_admin(staff_client, model):
    row = model.objects.order_by("pk").first()

    assert staff_client.get(url(model, "add")).status_code == 403
    assert staff_client.get(url(model, "delete", row.pk)).status_code == 403
    assert staff_client.post(url(model, "change", row.pk), {}).status_code == 403


def test_card_status_cannot_be_edited_through_the_admin(staff_client):
    card = Card.objects.get(status="ACTIVE", customer__last_name="Nowak")

    staff_client.post(url(Card, "change", card.pk), {"status": "CANCELLED"})

    assert Card.objects.get(pk=card.pk).status == "ACTIVE"
