"""Card rules: expiry dates, masking, limits against the product maxima, no card numbers. Pure."""

import calendar
import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from kartosfera.card_numbers import CARD_NUMBER_SHAPE, looks_like_card_number
from kartosfera.vocabulary import TextChoices, gettext_noop
from kartosfera.vocabulary import gettext_lazy as _

# Nothing we store may contain a full card number (PAN): we keep the last four digits and the
# processor's opaque token only. What has a card number's shape is refused by the forms
# (``contains_pan_like``) and by the database check constraints (``PAN_LIKE_PATTERN``); the one
# module that says what a card number is, is ``kartosfera.card_numbers``.
PAN_LIKE_PATTERN = CARD_NUMBER_SHAPE
contains_pan_like = looks_like_card_number

MASK = "•••• "


def masked_card_number(last4: str) -> str:
    """The card number as we show it: ``•••• 1234``."""
    return MASK + last4


def expiry_date(year: int, month: int) -> date:
    """The day a card expiring ``MM/YY`` stops working after: the last day of that month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def is_expiry_date(day: date) -> bool:
    """Whether ``day`` is the last day of its month, as every card expiry date is."""
    return day == expiry_date(day.year, day.month)


def limits_above_maximum(*, limits: Mapping[str, Decimal], maxima: Mapping[str, Decimal]) -> list[str]:
    """The names of the daily limits above the product maximum for the same name (RULES.md section 6)."""
    return [name for name, amount in limits.items() if amount > maxima[name]]


class CancellationReason(TextChoices):
    """Why a card was cancelled (RULES.md section 6)."""

    LOST = "LOST", _("Lost")
    STOLEN = "STOLEN", _("Stolen")
    COMPROMISED = "COMPROMISED", _("Card details compromised")
    OTHER = "OTHER", _("Other")


PIN_LENGTH = 4


class PinError(ValueError):
    """A PIN the bank refuses: ``code`` for programs, ``message`` (an English msgid) for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _is_sequence(digits: list[int]) -> bool:
    steps = {later - earlier for earlier, later in itertools.pairwise(digits)}
    return steps in ({1}, {-1})


def check_pin(pin: str, repeated: str, *, birth_date: date | None = None) -> None:
    """Refuse a new PIN that is not 4 digits, differs from its repetition or is easy to guess.

    Easy to guess: one digit repeated (1111), a run up or down (1234, 4321), two digits alternating
    or doubled (1212, 1122), or the holder's year of birth or birthday (1985, 1403 for 14 March,
    0314 for March 14). The PIN is only compared here, never kept.

    :raises PinError: codes ``pin_format``, ``pin_mismatch``, ``pin_trivial``, ``pin_birth_date``.
    """
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise PinError("pin_format", gettext_noop("A PIN consists of exactly 4 digits."))
    if pin != repeated:
        raise PinError("pin_mismatch", gettext_noop("The two PINs differ."))
    digits = [int(char) for char in pin]
    a, b, c, d = tuple(pin)
    if len(set(pin)) == 1 or _is_sequence(digits) or (a == c and b == d) or (a == b and c == d):
        raise PinError(
            "pin_trivial",
            gettext_noop("This PIN is too easy to guess (repeated digits or a sequence). Choose another."),
        )
    if birth_date is not None and pin in {
        f"{birth_date.year:04d}",
        f"{birth_date.day:02d}{birth_date.month:02d}",
        f"{birth_date.month:02d}{birth_date.day:02d}",
    }:
        raise PinError(
            "pin_birth_date",
            gettext_noop("Do not use your year of birth or birthday as a PIN. Choose another."),
        )


def limits_raised(*, current: Mapping[str, Decimal], new: Mapping[str, Decimal]) -> list[str]:
    """The names of the daily limits ``new`` sets higher than they are (a raise needs a code)."""
    return [name for name, amount in new.items() if amount > current[name]]


def settings_at(
    *,
    current: Mapping[str, object],
    changes: Iterable[tuple[datetime, Mapping[str, Mapping[str, object]]]],
    at: datetime,
) -> dict[str, object]:
    """The card's settings as they were at ``at``: the current ones with every later change undone.

    ``changes`` are the card's history in the order written, each ``(occurred_at, {name: {"from",
    "to"}})``; a change at ``at`` itself was already in effect. Names not in ``current`` are ignored.
    """
    settings = dict(current)
    later = [(when, order, change) for order, (when, change) in enumerate(changes) if when > at]
    for _when, _order, change in sorted(later, key=lambda item: (item[0], item[1]), reverse=True):
        for name, move in change.items():
            if name in settings:
                settings[name] = move["from"]
    return settings
