"""Money: Decimal amounts with an ISO currency, rounded only at named points. Pure, no Django."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

GROSZ = Decimal("0.01")
ZERO = Decimal("0.00")
# The digits of a stored PLN amount (two of them after the point): every money column of the disputes.
MONEY_DIGITS = 12

_ROUNDING_MODES = {"ROUND_HALF_UP": ROUND_HALF_UP}

# The minor units of a currency (the digits after the point of an amount in it): ISO 4217's list, not
# CLDR's. CLDR (and babel's ``get_currency_precision``, which reads it) gives the digits a currency is
# displayed or paid in cash with, which drop some that exist: 0 for RSD, ALL, IQD and others whose
# ISO 4217 minor units are 2 or 3, so an amount written with them would lose money digits.
DEFAULT_MINOR_UNITS = 2
_ZERO_DECIMALS = (
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "UYI",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
)
_THREE_DECIMALS = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
_FOUR_DECIMALS = ("CLF", "UYW")
OTHER_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_ZERO_DECIMALS, 0),
    **dict.fromkeys(_THREE_DECIMALS, 3),
    **dict.fromkeys(_FOUR_DECIMALS, 4),
}


class MoneyError(ValueError):
    """An amount that is not a valid money value (a float, not a number, not finite)."""


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Turn an int, a str or a Decimal into a finite Decimal; floats are refused (they are inexact)."""
    if isinstance(value, (bool, float)):
        raise MoneyError(f"money must not be a float or bool: {value!r}; pass a Decimal or a str")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return result


def round_grosz(amount: Decimal, *, rounding: str = "ROUND_HALF_UP") -> Decimal:
    """Round to the grosz (0.01) with the named rounding policy (RULES.md: ROUNDING = ROUND_HALF_UP)."""
    try:
        mode = _ROUNDING_MODES[rounding]
    except KeyError as exc:
        raise MoneyError(f"unknown rounding policy {rounding!r}") from exc
    return to_decimal(amount).quantize(GROSZ, rounding=mode)


def minor_units(currency: str) -> int:
    """The digits after the point of an amount in ``currency`` (ISO 4217; 2 for a code it does not list)."""
    return OTHER_MINOR_UNITS.get(currency, DEFAULT_MINOR_UNITS)


def decimals_to_write(amount: Decimal, currency: str) -> int:
    """The decimals to write ``amount`` in ``currency`` with: its minor units, or more if the amount has more.

    An amount is never written with fewer digits than it carries, so an unexpected value (1.2345 in a
    currency of two) is written as it is, never rounded without a word.
    """
    exponent = to_decimal(amount).normalize().as_tuple().exponent
    carried = -exponent if isinstance(exponent, int) else 0
    return max(minor_units(currency), carried)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency. Arithmetic only between equal currencies."""

    amount: Decimal
    currency: str = "PLN"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise MoneyError(f"currency must be an ISO 4217 code such as PLN: {self.currency!r}")

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other!r}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def rounded(self, *, rounding: str = "ROUND_HALF_UP") -> "Money":
        """The amount rounded to the grosz (or cent) with the named policy."""
        return Money(round_grosz(self.amount, rounding=rounding), self.currency)
