"""Template filters: money and dates formatted with babel in the active language, phones as links."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.timezone import is_aware
from django.utils.translation import get_language

from kartosfera.formatting import (
    format_amount_in_words,
    format_instant,
    format_long_date,
    format_moment,
    format_money,
    format_rate,
)

register = template.Library()


def _formatted(format_value: Callable[..., str], value: object, *args: object) -> str:
    """``value`` formatted in the active language, or blank when there is none."""
    if value is None:
        return ""
    return format_value(value, *args, language=get_language())


@register.filter
def money(amount: Decimal | None, currency: str = "PLN") -> str:
    """``{{ amount|money }}`` → ``1 234,56 zł`` (Polish) or ``PLN 1,234.56`` (English)."""
    return _formatted(format_money, amount, currency)


@register.filter
def longdate(day: date | None) -> str:
    """``{{ day|longdate }}`` → ``21 listopada 2026`` (Polish) or ``21 November 2026`` (English)."""
    return _formatted(format_long_date, day)


@register.filter
def amount_words(amount: Decimal | None, currency: str = "PLN") -> str:
    """``{{ amount|amount_words }}`` → ``dwieście dwanaście złotych 71/100``."""
    return _formatted(format_amount_in_words, amount, currency)


@register.filter
def rate(value: Decimal | None) -> str:
    """``{{ line.eur_rate|rate }}`` → ``4,2541``."""
    return _formatted(format_rate, value)


@register.filter
def instant(value: datetime | None) -> str:
    """``{{ reported_at|instant }}`` → ``21 listopada 2026, 14:03:27`` (Warsaw time)."""
    return _formatted(format_instant, value)


def _as_instant(value: object) -> datetime | None:
    """``value`` as an aware instant: a datetime without a zone (as a database or a JSON result may
    give it back) is UTC, as the database stores instants; an ISO string is read first. ``None`` when it
    is no instant at all."""
    try:
        instant = parse_datetime(value) if isinstance(value, str) else value
    except ValueError:  # shaped like an ISO instant but no real one (month 13)
        return None
    if not isinstance(instant, datetime):
        return None
    return instant if is_aware(instant) else instant.replace(tzinfo=UTC)


@register.filter
def moment(value: datetime | str | None, precision: str = "minutes") -> str:
    """``{{ executed_at|moment }}`` → ``6 grudnia 2026, 17:42`` or ``6 December 2026, 17:42`` (Warsaw);
    ``|moment:"seconds"`` → ``6 grudnia 2026, 17:42:08``. An ISO string (as a JSON result stores an
    instant) is read first. Never fails a page: a value that is no instant is written as it is."""
    if value is None or value == "":
        return ""
    instant = _as_instant(value)
    if instant is None:
        return str(value)
    return _formatted(format_instant if precision == "seconds" else format_moment, instant)


@register.filter
def tel_link(number: str) -> str:
    """``{{ emergency_line|tel_link }}`` → a ``tel:`` link a phone can call (``828 828 828`` is +48)."""
    digits = "".join(character for character in str(number) if character.isdigit() or character == "+")
    target = digits if digits.startswith("+") else f"+48{digits}"
    return format_html('<a href="tel:{}" class="tel">{}</a>', target, number)
