"""Money: Decimal amounts with an ISO currency, rounded only at named points. Pure, no Django."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

GROSZ = Decimal("0.01")
ZERO = Decimal("0.00")
# The digits of a stored PLN amount (two of them after the point): every money column of the disputes.
MONEY_DIGITS = 12

_ROUNDING_MODES = {"ROUND_HALF_UP": ROUND_HALF_UP}


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
