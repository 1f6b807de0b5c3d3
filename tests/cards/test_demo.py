import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from cards.models import (
    Card,
    CardEvent,
    CardStatus,
    Transaction,
    TransactionChannel,
    TransactionStatus,
    WalletToken,
)
from customers.models import Customer, User
from demo import SEEDERS
from demo import cards as cards_demo
from demo import customers as customers_demo
from kartosfera.legaltime import WARSAW

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)  # Saturday 10:30 in Warsaw
SEEDED_APPS = ("customers", "cards")
# Thirteen or more digits, possibly split by spaces or dashes: the shape of any card number.
PAN_SHAPE = re.compile(r"\d(?:[ -]?\d){12,}")


def seed(now: datetime = NOW) -> list[str]:
    return customers_demo.seed(now=now) + cards_demo.seed(now=now)


def snapshot() -> dict[str, list[dict]]:
    """Every row of the seeded apps, all fields, in primary-key order."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in SEEDED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def test_seeders_are_registered_customers_before_cards():
    assert SEEDERS.index("demo.customers.seed") < SEEDERS.index("demo.cards.seed")


def test_running_the_seeders_again_changes_nothing():
    first_lines = seed()
    first = snapshot()

    later_lines = seed(NOW + timedelta(hours=3))
    assert snapshot() == first
    assert later_lines == first_lines

    seed(NOW + timedelta(days=40))
    assert snapshot() == first


def test_seeded_data_covers_every_status_and_channel():
    seed()

    assert set(Card.objects.values_list("status", flat=True)) == set(CardStatus.values)
    assert set(Transaction.objects.values_list("channel", flat=True)) == set(TransactionChannel.values)
    assert set(Transaction.objects.values_list("status", flat=True)) == set(TransactionStatus.values)
    assert set(WalletToken.objects.values_list("status", flat=True)) == set(WalletToken.Status.values)
    assert {"APPLE_PAY", "GOOGLE_PAY"} <= set(WalletToken.objects.values_list("wallet", flat=True))


def test_seeded_customers_include_a_non_resident_and_a_business_and_all_validate():
    seed()

    customers = list(Customer.objects.all())
    for customer in customers:
        customer.validate_identity(today=NOW.date())
    assert len(customers) == 8
    assert [c.full_name for c in customers if c.pesel is None] == ["Olena Shevchenko"]
    assert [c.company_name for c in customers if c.kind == Customer.Kind.BUSINESS] == [
        "Zieliński Transport sp. z o.o."
    ]


def test_seeded_cards_respect_product_maxima_and_expiry_rules():
    seed()

    for card in Card.objects.select_related("product"):
        card.full_clean()
        if card.status == CardStatus.EXPIRED:
            assert card.expires_on < NOW.date()
        else:
            assert card.expires_on > NOW.date()


def test_transactions_span_fourteen_months_with_foreign_ones_converted_to_pln():
    seed()

    thirteen_months_ago = datetime(2025, 10, 21, tzinfo=WARSAW)
    assert Transaction.objects.filter(executed_at__lt=thirteen_months_ago).exists()
    assert Transaction.objects.filter(executed_at__gte=thirteen_months_ago).exists()
    assert not Transaction.objects.filter(executed_at__gte=NOW).exists()
    assert not Transaction.objects.filter(executed_at__lt=NOW - timedelta(days=426)).exists()
    foreign = Transaction.objects.filter(is_foreign=True)
    assert {"EUR", "CZK", "PLN"} <= set(foreign.values_list("original_currency", flat=True))
    assert {"Berlin", "Praha", "Lisboa"} <= set(foreign.values_list("merchant_city", flat=True))
    for item in foreign.exclude(original_currency="PLN"):
        assert item.amount_pln > 0 and item.amount_pln != item.original_amount
    for item in Transaction.objects.filter(status=TransactionStatus.SETTLED):
        assert item.executed_at.astimezone(WARSAW).date() < item.processed_on <= item.debited_on < NOW.date()


def test_stolen_card_shows_a_burst_before_the_report_and_an_offline_payment_after():
    seed()

    stolen = Card.objects.get(status=CardStatus.CANCELLED, cancellation_reason=Card.CancellationReason.STOLEN)
    reported_at = datetime(2026, 11, 12, 21, 47, 13, tzinfo=WARSAW)
    burst = stolen.transactions.filter(
        executed_at__gte=reported_at - timedelta(hours=2), executed_at__lt=reported_at
    )
    after = stolen.transactions.filter(executed_at__gte=reported_at)

    assert (stolen.customer.full_name, stolen.cancellation_reason, stolen.cancelled_at) == (
        "Anna Kowalska",
        Card.CancellationReason.STOLEN,
        reported_at,
    )
    assert sorted(burst.values_list("amount_pln", flat=True)) == [
        Decimal(v) for v in ("38.47", "89.90", "94.99", "99.00", "800.00", "1249.00")
    ]
    assert list(after.values_list("merchant_name", "authorisation_code", "amount_pln")) == [
        ("ZTM Warszawa automat biletowy", "", Decimal("4.40"))
    ]
    assert set(stolen.wallet_tokens.values_list("status", flat=True)) == {WalletToken.Status.REMOVED}
    cancelled = stolen.events.get(kind=CardEvent.Kind.CANCELLED)
    assert (cancelled.channel, cancelled.occurred_at, cancelled.to_status) == (
        "LINE_828",
        reported_at,
        "CANCELLED",
    )
    assert (
        stolen.events.filter(kind=CardEvent.Kind.WALLET_TOKEN_REMOVED, occurred_at=reported_at).count() == 1
    )


def test_admin_is_created_with_the_printed_password_and_never_reset():
    lines = seed()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.check_password("kartosfera-demo")
    assert any("admin" in line and "kartosfera-demo" in line for line in lines)
    admin.set_password("changed-by-the-admin-1")
    admin.save()

    seed()

    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-admin-1")


def test_printed_sign_ins_name_every_customer_and_identifier():
    text = "\n".join(seed())

    for customer in Customer.objects.all():
        assert customer.full_name in text
        assert (customer.pesel or customer.bank_id) in text
    assert "portal" in text


def _texts(row: models.Model, model: type[models.Model]):
    for field in model._meta.concrete_fields:
        if model is User and field.name in {"password", "security_stamp"}:
            # A salted hash and a random hex token: not data we hold about a card, and random hex
            # can contain a long run of digits by chance.
            continue
        value = getattr(row, field.attname)
        if isinstance(field, models.JSONField):
            yield field.name, json.dumps(value, cls=DjangoJSONEncoder)
        elif isinstance(field, models.CharField | models.TextField):
            yield field.name, value or ""


def test_no_seeded_text_looks_like_a_card_number():
    seed()

    offending = [
        (model._meta.label, row.pk, name, text)
        for app in SEEDED_APPS
        for model in apps.get_app_config(app).get_models()
        for row in model.objects.all()
        for name, text in _texts(row, model)
        if PAN_SHAPE.search(text)
    ]

    assert offending == []
    assert Transaction.objects.count() > 400


def test_the_scan_would_find_a_card_number():
    assert PAN_SHAPE.search("Zakup 4111 1111 1111 1111")
    assert PAN_SHAPE.search('{"pan": "5500-0055-5555-5559"}')
    assert not PAN_SHAPE.search("PESEL 44051401359, tel. +48601234567")


def test_the_demo_shows_a_card_without_3d_secure_and_a_device_waiting_for_its_code():
    seed()

    assert list(
        Card.objects.filter(three_ds_enabled=False).values_list("customer__first_name", flat=True)
    ) == ["Piotr"]
    [pending] = WalletToken.objects.filter(status="PENDING")
    assert (pending.card.customer.first_name, pending.wallet, pending.device_name) == (
        "Anna",
        "GOOGLE_PAY",
        "Galaxy Tab S9 (Anna)",
    )
    assert not pending.transactions.exists()
    assert not CardEvent.objects.filter(
        kind="WALLET_TOKEN_ADDED", data__device_name=pending.device_name
    ).exists()
