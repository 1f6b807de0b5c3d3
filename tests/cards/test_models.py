from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django_fsm import TransitionNotAllowed

from cards.models import Card, CardStatus, Scheme, Transaction, TransactionStatus, WalletToken
from kartosfera.legaltime import NaiveDatetimeError
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory, WalletTokenFactory

pytestmark = pytest.mark.django_db

REPORTED_AT = datetime(2026, 11, 12, 20, 47, 13, tzinfo=UTC)


@pytest.mark.parametrize("last4", ["123", "12a4", "abcd", "", " 123"])
def test_card_last_four_must_be_four_digits(last4):
    with pytest.raises(IntegrityError), transaction.atomic():
        CardFactory(last4=last4)

    assert not Card.objects.exists()


@pytest.mark.parametrize("token", ["4111111111111111", "4111 1111 1111 1111", "tok-5500-0055-5555-5559", ""])
def test_card_token_can_never_hold_a_card_number(token):
    with pytest.raises(IntegrityError), transaction.atomic():
        CardFactory(processor_token=token)

    assert not Card.objects.exists()


@pytest.mark.parametrize("field", ["daily_cash_limit", "daily_pos_limit", "daily_internet_limit"])
def test_card_limits_cannot_be_negative(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        CardFactory(**{field: Decimal("-0.01")})

    assert not Card.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": CardStatus.CANCELLED},
        {"status": CardStatus.CANCELLED, "cancelled_at": REPORTED_AT},
        {"status": CardStatus.CANCELLED, "cancellation_reason": Card.CancellationReason.STOLEN},
        {"status": CardStatus.ACTIVE, "cancelled_at": REPORTED_AT},
        {"status": CardStatus.BLOCKED, "cancellation_reason": Card.CancellationReason.LOST},
        {"status": "FROZEN"},
    ],
)
def test_cancellation_is_recorded_exactly_for_cancelled_cards(overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        CardFactory(**overrides)

    assert not Card.objects.exists()


def test_card_is_shown_masked():
    card = CardFactory(last4="0042")

    assert (card.masked, str(card)) == ("•••• 0042", "Visa •••• 0042")


def test_card_validation_checks_product_maximum_brand_and_expiry_day():
    product = CardProductFactory(max_daily_cash_limit=Decimal("5000.00"))
    card = CardFactory.build(
        product=product,
        customer=CardFactory().customer,
        brand=Scheme.MASTERCARD,
        daily_cash_limit=Decimal("5000.01"),
        expires_on=date(2029, 12, 30),
    )

    with pytest.raises(ValidationError) as caught:
        card.full_clean()

    assert {name: [e.code for e in errors] for name, errors in caught.value.error_dict.items()} == {
        "brand": ["brand_differs_from_product"],
        "daily_cash_limit": ["limit_above_product_maximum"],
        "expires_on": ["expiry_not_month_end"],
    }


def test_card_within_its_product_validates():
    card = CardFactory(daily_cash_limit=Decimal("10000.00"))

    card.full_clean()


def test_status_changes_only_through_transitions():
    card = CardFactory(status=CardStatus.INACTIVE)

    with pytest.raises(AttributeError):
        card.status = CardStatus.ACTIVE

    card.activate()
    card.save()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


@pytest.mark.parametrize(
    ("status", "method", "expected"),
    [
        (CardStatus.INACTIVE, "activate", CardStatus.ACTIVE),
        (CardStatus.ACTIVE, "block", CardStatus.BLOCKED),
        (CardStatus.BLOCKED, "unblock", CardStatus.ACTIVE),
        (CardStatus.ACTIVE, "expire", CardStatus.EXPIRED),
        (CardStatus.BLOCKED, "expire", CardStatus.EXPIRED),
    ],
)
def test_allowed_transitions(status, method, expected):
    card = CardFactory(status=status)

    getattr(card, method)()
    card.save()

    assert Card.objects.get(pk=card.pk).status == expected


@pytest.mark.parametrize(
    ("status", "method"),
    [
        (CardStatus.INACTIVE, "block"),
        (CardStatus.ACTIVE, "activate"),
        (CardStatus.ACTIVE, "unblock"),
        (CardStatus.EXPIRED, "activate"),
        (CardStatus.EXPIRED, "expire"),
    ],
)
def test_forbidden_transitions_change_nothing(status, method):
    card = CardFactory(status=status)

    with pytest.raises(TransitionNotAllowed):
        getattr(card, method)()

    assert card.status == status
    assert Card.objects.get(pk=card.pk).status == status


@pytest.mark.parametrize("status", [CardStatus.INACTIVE, CardStatus.ACTIVE, CardStatus.BLOCKED])
def test_cancellation_records_reason_and_report_time_to_the_second(status):
    card = CardFactory(status=status)

    card.cancel(reason="STOLEN", reported_at=REPORTED_AT)
    card.save()

    saved = Card.objects.get(pk=card.pk)
    assert (saved.status, saved.cancellation_reason, saved.cancelled_at) == (
        CardStatus.CANCELLED,
        Card.CancellationReason.STOLEN,
        REPORTED_AT,
    )
    assert saved.is_reported_lost_or_stolen


def test_report_time_is_kept_to_the_second_rounding_down():
    card = CardFactory()

    card.cancel(reason="LOST", reported_at=REPORTED_AT.replace(microsecond=999_999))
    card.save()

    assert Card.objects.get(pk=card.pk).cancelled_at == REPORTED_AT


def test_cancellation_for_compromise_is_not_a_loss_report():
    card = CardFactory()

    card.cancel(reason=Card.CancellationReason.COMPROMISED, reported_at=REPORTED_AT)

    assert not card.is_reported_lost_or_stolen


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"reason": "STOLEN", "reported_at": datetime(2026, 11, 12, 21, 47, 13)}, NaiveDatetimeError),
        ({"reason": "MISPLACED", "reported_at": REPORTED_AT}, ValueError),
    ],
)
def test_cancellation_refuses_naive_times_and_unknown_reasons(kwargs, error):
    card = CardFactory()

    with pytest.raises(error):
        card.cancel(**kwargs)

    assert (card.status, card.cancelled_at, card.cancellation_reason) == (CardStatus.ACTIVE, None, "")
    assert Card.objects.get(pk=card.pk).status == CardStatus.ACTIVE


def test_cancelled_card_cannot_be_cancelled_again_or_reactivated():
    card = CardFactory()
    card.cancel(reason="LOST", reported_at=REPORTED_AT)
    card.save()

    for method, kwargs in [("cancel", {"reason": "LOST", "reported_at": REPORTED_AT}), ("unblock", {})]:
        with pytest.raises(TransitionNotAllowed):
            getattr(card, method)(**kwargs)

    assert Card.objects.get(pk=card.pk).cancelled_at == REPORTED_AT


def test_wallet_token_transitions():
    token = WalletTokenFactory()

    token.suspend()
    token.resume()
    token.remove()
    token.save()

    assert WalletToken.objects.get(pk=token.pk).status == WalletToken.Status.REMOVED
    with pytest.raises(TransitionNotAllowed):
        token.resume()


@pytest.mark.parametrize("last4", ["123", "12a4", "abcd"])
def test_wallet_token_last_four_must_be_four_digits(last4):
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletTokenFactory(token_last4=last4)

    assert not WalletToken.objects.exists()


def test_wallet_token_reference_can_never_hold_a_card_number():
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletTokenFactory(token_reference="5500005555555559")

    assert not WalletToken.objects.exists()


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-10.00")])
def test_transaction_amount_in_pln_must_be_positive(amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        TransactionFactory(amount_pln=amount)

    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": TransactionStatus.SETTLED, "debited_on": None},
        {"status": TransactionStatus.SETTLED, "processed_on": None},
        {"status": TransactionStatus.AUTHORISED},
        {"status": TransactionStatus.REVERSED},
        {"mcc": "541"},
        {"merchant_country": "pl"},
        {"original_currency": "zł"},
        {"original_amount": Decimal("0")},
        {"channel": "PHONE"},
        {"merchant_name": "Shop 4111 1111 1111 1111"},
    ],
)
def test_database_refuses_inconsistent_transactions(overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        TransactionFactory(**overrides)

    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    ("country", "currency", "foreign"),
    [("PL", "PLN", False), ("DE", "EUR", True), ("NL", "PLN", True), ("CZ", "CZK", True)],
)
def test_transaction_is_foreign_exactly_when_the_merchant_is_outside_poland(country, currency, foreign):
    created = TransactionFactory(merchant_country=country, original_currency=currency)

    assert Transaction.objects.get(pk=created.pk).is_foreign is foreign
    assert Transaction.objects.filter(pk=created.pk, is_foreign=foreign).exists()


def test_pending_transaction_has_no_debit_yet():
    pending = TransactionFactory(status=TransactionStatus.AUTHORISED, debited_on=None, processed_on=None)

    assert Transaction.objects.get(pk=pending.pk).debited_on is None


def test_status_labels_are_polish_and_agree_in_gender():
    card = CardFactory(status=CardStatus.ACTIVE)
    token = WalletTokenFactory(card=card)

    with translation.override("pl"):
        assert (card.get_status_display(), token.get_status_display()) == ("Aktywna", "Aktywny")
        assert str(Card.CancellationReason.STOLEN.label) == "Skradziona"
        assert str(CardStatus.CANCELLED.label) == "Zastrzeżona"
