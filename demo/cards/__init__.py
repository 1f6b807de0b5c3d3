"""Demo cards, their history, wallet tokens and ~14 months of transactions at Polish merchants.

Idempotent and deterministic: every row has a stable natural key (product code, processor token,
token reference, processor reference), random choices come from generators seeded with fixed
strings, and times are Warsaw wall-clock times on days counted back from ``now``. A card's history
events are written only when the card itself is created, so a later run never adds a second copy.

The stolen card (Anna Kowalska's Mastercard) shows the dispute case: a burst of contactless, online
and ATM transactions in the two hours before it was cancelled on the 828 line, and one offline
ticket-machine payment cleared after the report.
"""

import base64
import hashlib
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import translation

from cards.models import Card, CardProduct, CardStatus, WalletToken
from cards.rules import expiry_date
from demo.cards._cards import DEMO_CARDS, STOLEN_CARD_REPORTED
from demo.cards._catalogue import PRODUCTS
from demo.cards._history import write_history
from demo.cards._spec import TOKEN_ADDED_AT, DemoCard, DemoToken, at_warsaw
from demo.cards._transactions import seed_transactions
from demo.customers import demo_customer
from kartosfera.legaltime import WARSAW, warsaw_date

__all__ = ["DEMO_CARDS", "STOLEN_CARD_REPORTED", "seed"]


def seed(*, now: datetime) -> list[str]:
    """Create the demo products, cards, wallet tokens, history and transactions; return what to look at."""
    today = warsaw_date(now)
    products = {code: _seed_product(code, *rest) for code, *rest in PRODUCTS}
    lines = ["Demo cards:"]
    for spec in DEMO_CARDS:
        card = _seed_card(spec, product=products[spec.product], today=today)
        # The console speaks English; choice labels would otherwise follow LANGUAGE_CODE (Polish).
        with translation.override("en"):
            lines.append(_describe(card))
    return lines


def _seed_product(
    code: str, name: str, brand: str, kind: str, max_cash: str, max_pos: str, max_internet: str
) -> CardProduct:
    product, _ = CardProduct.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "brand": brand,
            "kind": kind,
            "contactless_capable": True,
            "max_daily_cash_limit": Decimal(max_cash),
            "max_daily_pos_limit": Decimal(max_pos),
            "max_daily_internet_limit": Decimal(max_internet),
        },
    )
    return product


def _opaque(prefix: str, key: str) -> str:
    """A stable opaque reference: letters and the digits 2-7 only, so it never looks like a card number."""
    digest = hashlib.sha256(f"kartosfera-demo:{key}".encode()).digest()
    return prefix + base64.b32encode(digest).decode().rstrip("=").lower()[:26]


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _seed_card(spec: DemoCard, *, product: CardProduct, today: date) -> Card:
    rng = random.Random(f"kartosfera-demo:{spec.key}")  # noqa: S311 (demo data, not security)
    issued_at = at_warsaw(today, spec.issued_days_ago, time(10, 0))
    defaults = {
        "customer": demo_customer(spec.customer),
        "product": product,
        "brand": product.brand,
        "last4": f"{rng.randrange(10_000):04d}",
        "expires_on": expiry_date(*_add_months(today, spec.expires_in_months)),
        "status": spec.status,
        "daily_cash_limit": Decimal(spec.cash_limit),
        "daily_pos_limit": Decimal(spec.pos_limit),
        "daily_internet_limit": Decimal(spec.internet_limit),
        "created_at": issued_at,
        "three_ds_enabled": spec.three_ds,
        **spec.controls,
    }
    if spec.status == CardStatus.CANCELLED:
        days_ago, at, _channel, _reason = spec.status_changed(today)
        defaults["cancelled_at"] = at_warsaw(today, days_ago, at)
        defaults["cancellation_reason"] = spec.cancellation_reason
    card, created = Card.objects.get_or_create(processor_token=_opaque("tok_", spec.key), defaults=defaults)
    tokens = [
        _seed_token(card, spec.key, index, token, today=today) for index, token in enumerate(spec.tokens)
    ]
    if created:
        write_history(card, spec, tokens, today=today)
    seed_transactions(card, spec, tokens, today=today)
    return card


def _seed_token(card: Card, card_key: str, index: int, spec: DemoToken, *, today: date) -> WalletToken:
    rng = random.Random(f"kartosfera-demo:{card_key}:token:{index}")  # noqa: S311
    token, _ = WalletToken.objects.get_or_create(
        token_reference=_opaque("dnitk_", f"{card_key}:token:{index}"),
        defaults={
            "card": card,
            "wallet": spec.wallet,
            "device_name": spec.device_name,
            "token_last4": f"{rng.randrange(10_000):04d}",
            "status": spec.status,
            "created_at": at_warsaw(today, spec.days_ago, TOKEN_ADDED_AT),
        },
    )
    return token


def _describe(card: Card) -> str:
    line = f"  {card.customer.full_name}: {card.product.name} {card.masked}, {card.get_status_display()}"
    cancelled_at = card.cancelled_at
    if card.status == CardStatus.CANCELLED and cancelled_at is not None:
        reported = cancelled_at.astimezone(WARSAW)
        before = card.transactions.filter(
            executed_at__lt=cancelled_at, executed_at__gte=cancelled_at - timedelta(hours=3)
        ).count()
        line += (
            f" ({card.get_cancellation_reason_display()}, reported {reported:%Y-%m-%d %H:%M:%S} Warsaw time;"
            f" {before} transactions in the 3 hours before the report — the dispute demo)"
        )
    return line
