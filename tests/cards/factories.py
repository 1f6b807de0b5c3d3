"""Factories for cards and transactions. Tokens are letters only: never anything like a card number."""

from datetime import UTC, date, datetime
from decimal import Decimal

import factory

from cards.models import (
    Card,
    CardProduct,
    Scheme,
    Transaction,
    TransactionChannel,
    TransactionStatus,
    WalletToken,
)
from tests.customers.factories import CustomerFactory

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letters(n: int) -> str:
    """A short letters-only string unique per ``n``."""
    out = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = LETTERS[rest] + out
    return out


class CardProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CardProduct
        django_get_or_create = ("code",)

    code = "visa-classic-debit"
    name = "Visa Classic Debit"
    brand = Scheme.VISA
    kind = CardProduct.Kind.DEBIT
    max_daily_cash_limit = Decimal("10000.00")
    max_daily_pos_limit = Decimal("20000.00")
    max_daily_internet_limit = Decimal("20000.00")


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(CardProductFactory)
    brand = factory.SelfAttribute("product.brand")
    last4 = factory.Sequence(lambda n: f"{n % 10_000:04d}")
    processor_token = factory.Sequence(lambda n: f"tok_test_{letters(n)}")
    expires_on = date(2029, 12, 31)
    # Issued well before the test transactions (a claim's noticed date may not precede the issue).
    created_at = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    status = Card.Status.ACTIVE
    daily_cash_limit = Decimal("2000.00")
    daily_pos_limit = Decimal("5000.00")
    daily_internet_limit = Decimal("5000.00")


class WalletTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalletToken

    card = factory.SubFactory(CardFactory)
    wallet = WalletToken.Wallet.APPLE_PAY
    device_name = "iPhone"
    token_reference = factory.Sequence(lambda n: f"dnitk_test_{letters(n)}")
    token_last4 = "4321"


class TransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transaction

    card = factory.SubFactory(CardFactory)
    processor_reference = factory.Sequence(lambda n: f"test-{letters(n)}")
    channel = TransactionChannel.CONTACTLESS
    merchant_name = "Biedronka"
    mcc = "5411"
    merchant_city = "Warszawa"
    merchant_country = "PL"
    original_amount = Decimal("42.10")
    original_currency = "PLN"
    amount_pln = Decimal("42.10")
    executed_at = datetime(2026, 5, 20, 10, 15, tzinfo=UTC)
    processed_on = date(2026, 5, 21)
    debited_on = date(2026, 5, 21)
    sca_applied = False
    authorisation_code = "A1B2C3"
    status = TransactionStatus.SETTLED
