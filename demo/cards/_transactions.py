"""A demo card's transactions: everyday spending drawn from its profile plus the scripted ones."""

import functools
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import holidays

from cards.models import (
    Card,
    CardStatus,
    Transaction,
    TransactionChannel,
    TransactionStatus,
    WalletToken,
    WalletTokenStatus,
)
from demo.cards._catalogue import CONTACTLESS_WITHOUT_PIN_PLN, FX_RATES, HISTORY_DAYS
from demo.cards._spec import TOKEN_ADDED_AT, DemoCard, Scripted, at_warsaw
from kartosfera.legaltime import warsaw_date
from kartosfera.money import round_grosz


def _active_window(card: Card, spec: DemoCard, today: date) -> tuple[int, int]:
    """The range of days ago in which the card was in use: (newest, oldest)."""
    oldest = min(HISTORY_DAYS, spec.issued_days_ago - 4)
    newest = 1
    if spec.status == CardStatus.EXPIRED:
        newest = (today - card.expires_on).days + 1
    elif spec.status_change is not None:
        newest = spec.status_changed(today)[0] + 1
    return newest, oldest


def seed_transactions(card: Card, spec: DemoCard, tokens: list[WalletToken], *, today: date) -> None:
    """The card's history; rows already there (same processor reference) are left as they are."""
    rng = random.Random(f"kartosfera-demo:{spec.key}:transactions")  # noqa: S311
    newest, oldest = _active_window(card, spec, today) if spec.everyday_count else (0, 0)
    planned = [_everyday(rng, spec, newest=newest, oldest=oldest) for _ in range(spec.everyday_count)]
    planned += spec.scripted
    rows = []
    # Every row is drawn, stored or not, so that the random sequence and the references never shift.
    for number, plan in enumerate(planned):
        executed_at = at_warsaw(today, plan.days_ago, plan.at)
        # Only everyday payments use a phone or watch: the thief, for one, had the plastic card.
        wallet_token = (
            _paying_token(rng, plan, spec, tokens, executed_at, today=today)
            if number < spec.everyday_count
            else None
        )
        original_amount = Decimal(plan.amount)
        amount_pln = _in_pln(rng, original_amount, plan.currency)
        status, processed_on, debited_on = _settlement(plan, executed_at, today)
        rows.append(
            Transaction(
                processor_reference=f"demo-{spec.key}-{number:03d}",
                card=card,
                wallet_token=wallet_token,
                channel=plan.channel,
                merchant_name=plan.merchant.name,
                mcc=plan.merchant.mcc,
                merchant_city=plan.merchant.city or spec.home_city,
                merchant_country=plan.merchant.country,
                original_amount=original_amount,
                original_currency=plan.currency,
                amount_pln=amount_pln,
                executed_at=executed_at,
                processed_on=processed_on,
                debited_on=debited_on,
                sca_applied=plan.sca_applied or wallet_token is not None,
                authorisation_code="" if plan.offline else _authorisation_code(rng),
                status=status,
            )
        )
    stored = set(
        Transaction.objects.filter(
            processor_reference__in=[row.processor_reference for row in rows]
        ).values_list("processor_reference", flat=True)
    )
    Transaction.objects.bulk_create([row for row in rows if row.processor_reference not in stored])


def _everyday(rng: random.Random, spec: DemoCard, *, newest: int, oldest: int) -> Scripted:
    """One ordinary purchase or withdrawal drawn from the card's profile."""
    merchant = rng.choice(spec.profile)
    low, high = (int(Decimal(bound) * 100) for bound in (merchant.low, merchant.high))
    amount = Decimal(rng.randint(low, high)) / 100
    # Shops open 07:00-22:00; the hour is drawn so that no time falls in a DST gap.
    at = time(rng.randint(7, 21), rng.randrange(60), rng.randrange(60))
    days_ago = rng.randint(newest, oldest)
    contactless = spec.controls.get("contactless_enabled", True)
    match merchant.kind:
        case "ATM":
            channel, sca = TransactionChannel.ATM, True
        case "ONLINE":
            channel, sca = (
                TransactionChannel.INTERNET,
                rng.random() < 0.85,
            )  # some exemptions (TRA, low value)
        case "RECURRING":
            channel, sca = TransactionChannel.INTERNET, False  # merchant-initiated, no customer present
        case _:
            if contactless and rng.random() < 0.8:
                channel, sca = TransactionChannel.CONTACTLESS, amount > CONTACTLESS_WITHOUT_PIN_PLN
            else:
                channel, sca = TransactionChannel.CHIP_POS, True
    return Scripted(days_ago, at, merchant, channel, f"{amount:.2f}", sca_applied=sca)


def _paying_token(
    rng: random.Random,
    plan: Scripted,
    spec: DemoCard,
    tokens: list[WalletToken],
    executed_at: datetime,
    *,
    today: date,
) -> WalletToken | None:
    """Half of the contactless payments made while a device was usable were made with it."""
    usable = [
        token
        for token, spec_token in zip(tokens, spec.tokens, strict=True)
        if spec_token.status != WalletTokenStatus.PENDING  # a device not yet confirmed never pays
        and at_warsaw(today, spec_token.days_ago, TOKEN_ADDED_AT) < executed_at
        and (
            spec_token.suspended_days_ago is None
            or executed_at < at_warsaw(today, spec_token.suspended_days_ago, time(8))
        )
    ]
    if plan.channel != TransactionChannel.CONTACTLESS or not usable:
        return None
    return rng.choice(usable) if rng.random() < 0.5 else None


def _in_pln(rng: random.Random, amount: Decimal, currency: str) -> Decimal:
    """The PLN amount debited for an amount in ``currency``."""
    if currency == "PLN":
        return amount
    spread = Decimal(rng.randint(-250, 250)) / Decimal(100_000)
    return round_grosz(amount * (FX_RATES[currency] + spread))


def _settlement(plan: Scripted, executed_at: datetime, today: date) -> tuple[str, date | None, date | None]:
    """Status and dates: cleared the next day, debited on the next Polish banking day from then."""
    if plan.status == TransactionStatus.REVERSED:
        return TransactionStatus.REVERSED, None, None
    processed_on = warsaw_date(executed_at) + timedelta(days=1)
    debited_on = next(_banking_days_from(processed_on))
    # The account is booked at the end of the banking day: anything to be debited today or later is
    # still only authorised (held).
    if debited_on >= today:
        return TransactionStatus.AUTHORISED, None, None
    return TransactionStatus.SETTLED, processed_on, debited_on


def _banking_days_from(day: date) -> Iterator[date]:
    while True:
        if day.weekday() < 5 and day not in _polish_holidays(day.year):
            yield day
        day += timedelta(days=1)


@functools.cache
def _polish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.Poland(years=year)


def _authorisation_code(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))
