"""Locale-aware formatting of amounts and dates with babel (pl_PL first, English second)."""

import re
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, format_decimal
from num2words import CONVERTER_CLASSES, num2words

from kartosfera.legaltime import WARSAW, require_aware
from kartosfera.money import ZERO, round_grosz, to_decimal

BABEL_LOCALES = {"pl": "pl_PL", "en": "en_GB"}


def language_code(language: str | None) -> str:
    """The supported language (``pl`` or ``en``) for a Django language code; Polish when unknown."""
    code = (language or "pl").split("-")[0]
    return code if code in BABEL_LOCALES else "pl"


def babel_locale(language: str | None) -> str:
    """The babel locale for a Django language code; Polish when unknown."""
    return BABEL_LOCALES[language_code(language)]


# CLDR currency spacing, which babel does not apply: a currency code or symbol made of letters is
# separated from the digits by a no-break space ("PLN 1,234.56", not "PLN1,234.56").
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def format_money(amount: Decimal, currency: str = "PLN", *, language: str | None = "pl") -> str:
    """Format an amount, e.g. ``1 234,56 zł`` in Polish, ``PLN 1,234.56`` in English (no-break spaces)."""
    return _LETTER_THEN_DIGIT.sub("\u00a0", format_currency(amount, currency, locale=babel_locale(language)))


def format_long_date(day: date, *, language: str | None = "pl") -> str:
    """Format a date in words, e.g. ``21 listopada 2026``; an instant (an aware datetime) by its day in
    Warsaw, never its UTC day (a reply sent at 00:30 in Warsaw is sent that day, not the one before)."""
    if isinstance(day, datetime):
        require_aware(day, name="day")
        day = day.astimezone(WARSAW).date()
    return babel_format_date(day, format="long", locale=babel_locale(language))


def format_moment(instant: datetime, *, language: str | None = "pl") -> str:
    """Format an aware instant as its Warsaw day in words and time to the minute: ``21 listopada 2026,
    14:03`` (what a liability explanation says of a payment or a report)."""
    return f"{format_long_date(instant, language=language)}, {instant.astimezone(WARSAW):%H:%M}"


def format_rate(rate: Decimal, *, language: str | None = "pl") -> str:
    """Format an exchange rate with all its published decimals (at least four): ``4,2541``."""
    return format_decimal(to_decimal(rate), format="#,##0.0000###", locale=babel_locale(language))


def format_instant(instant: datetime, *, language: str | None = "pl") -> str:
    """Format an aware instant in Warsaw time to the second: ``21 listopada 2026, 14:03:27``."""
    require_aware(instant, name="instant")
    return babel_format_datetime(instant, "d MMMM y, HH:mm:ss", tzinfo=WARSAW, locale=babel_locale(language))


def format_amount_in_words(amount: Decimal, currency: str = "PLN", *, language: str | None = "pl") -> str:
    """An amount in words as banks write it: ``dwieście dwanaście złotych 71/100``.

    The whole units are spelled out by num2words with the currency noun in the grammatical number
    the language requires (złoty / złote / złotych); the minor units are written as a fraction.
    """
    value = round_grosz(to_decimal(amount))
    if value < ZERO:
        raise ValueError(f"an amount in words is never negative: {value}")
    units = int(value)
    hundredths = int((value - units) * 100)
    lang = language_code(language)
    converter = CONVERTER_CLASSES[lang]
    try:
        noun_forms = converter.CURRENCY_FORMS[currency][0]
    except KeyError as exc:
        raise ValueError(f"no words for the currency {currency} in {lang!r}") from exc
    words = num2words(units, lang=lang)
    return f"{words} {converter.pluralize(units, noun_forms)} {hundredths:02d}/100"
