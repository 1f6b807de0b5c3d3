from datetime import UTC, datetime

import pytest

from cards.models import Card, CardStatus, TransactionChannel
from cards.selectors import card_get_for_customer, card_list_for_customer, transaction_list_for_card
from tests.cards.factories import CardFactory, TransactionFactory
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return CustomerFactory()


@pytest.fixture
def stranger():
    return CustomerFactory()


@pytest.fixture
def card(owner):
    return CardFactory(customer=owner)


def test_customer_gets_their_own_card(owner, card):
    assert card_get_for_customer(customer=owner, card_id=card.pk) == card


def test_another_customers_card_answers_like_a_missing_one(stranger, card):
    with pytest.raises(Card.DoesNotExist):
        card_get_for_customer(customer=stranger, card_id=card.pk)
    with pytest.raises(Card.DoesNotExist):
        card_get_for_customer(customer=stranger, card_id=card.pk + 1000)


def test_card_list_holds_only_the_customers_cards_usable_first(owner, stranger):
    expired = CardFactory(customer=owner, status=CardStatus.EXPIRED)
    blocked = CardFactory(customer=owner, status=CardStatus.BLOCKED)
    active = CardFactory(customer=owner, status=CardStatus.ACTIVE)
    new = CardFactory(customer=owner, status=CardStatus.INACTIVE)
    CardFactory(customer=stranger)

    assert list(card_list_for_customer(customer=owner)) == [active, new, blocked, expired]


def test_card_list_reads_products_in_the_same_query(owner, django_assert_num_queries):
    CardFactory.create_batch(3, customer=owner)

    with django_assert_num_queries(1):
        names = [card.product.name for card in card_list_for_customer(customer=owner)]

    assert names == ["Visa Classic Debit"] * 3


def test_another_customers_card_history_answers_like_a_missing_card(stranger, card):
    TransactionFactory(card=card)

    with pytest.raises(Card.DoesNotExist):
        transaction_list_for_card(customer=stranger, card_id=card.pk)


def test_history_is_newest_first_and_only_for_that_card(owner, card):
    other_card = CardFactory(customer=owner)
    older = TransactionFactory(card=card, executed_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    newer = TransactionFactory(card=card, executed_at=datetime(2026, 5, 2, 9, 0, tzinfo=UTC))
    TransactionFactory(card=other_card)

    assert list(transaction_list_for_card(customer=owner, card_id=card.pk)) == [newer, older]


@pytest.fixture
def history(card):
    return {
        "biedronka": TransactionFactory(card=card, merchant_name="Biedronka", merchant_city="Gdańsk"),
        "atm": TransactionFactory(
            card=card,
            channel=TransactionChannel.ATM,
            merchant_name="Euronet ATM",
            mcc="6011",
            sca_applied=True,
        ),
        "berlin": TransactionFactory(
            card=card,
            merchant_name="REWE",
            merchant_city="Berlin",
            merchant_country="DE",
            original_currency="EUR",
            original_amount="10.00",
        ),
        "netflix": TransactionFactory(
            card=card,
            channel=TransactionChannel.INTERNET,
            merchant_name="Netflix",
            mcc="4899",
            merchant_city="Amsterdam",
            merchant_country="NL",
        ),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"channel": "ATM"}, {"atm"}),
        ({"channel": TransactionChannel.CONTACTLESS}, {"biedronka", "berlin"}),
        ({"foreign": True}, {"berlin", "netflix"}),
        ({"foreign": False}, {"biedronka", "atm"}),
        ({"search": "biedr"}, {"biedronka"}),
        ({"search": "berlin"}, {"berlin"}),  # the city matches too
        ({"search": "  "}, {"biedronka", "atm", "berlin", "netflix"}),
        ({"channel": "INTERNET", "foreign": True, "search": "net"}, {"netflix"}),
        ({"channel": "ATM", "foreign": True}, set()),
    ],
)
def test_history_filters(owner, card, history, filters, expected):
    found = transaction_list_for_card(customer=owner, card_id=card.pk, **filters)

    assert {key for key, item in history.items() if item in found} == expected
    assert found.count() == len(expected)


def test_unknown_channel_is_refused(owner, card):
    with pytest.raises(ValueError):
        transaction_list_for_card(customer=owner, card_id=card.pk, channel="TELEPATHY")


def test_history_reads_card_and_wallet_in_the_same_query(owner, card, history, django_assert_num_queries):
    transactions = transaction_list_for_card(customer=owner, card_id=card.pk)

    with django_assert_num_queries(1):
        rows = [(item.card.masked, item.wallet_token) for item in transactions]

    assert len(rows) == 4
