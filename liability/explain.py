"""Human explanations of liability lines, in Polish and in English. Pure: no Django, no clock.

They are built here, not with gettext, because the engine is pure and an assessment stores both
texts: the letter to the customer (Polish) and the analyst's screen (either language) show the very
words computed with the figures.
"""

import math
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal

from kartosfera.formatting import babel_locale, format_long_date, format_moment, format_money
from kartosfera.legaltime import WARSAW
from liability import rules

SYNTHETIC_TABLE_PREFIX = "SYNTHETIC-"
_CAP_EUR = str(rules.CAP_EUR)  # "50": the cap of UUP art. 46(2), as the rules hold it
_EUR_SHOWN = Decimal("0.000001")

_CAUSE: dict[str, dict[str, str]] = {
    "pl": {
        rules.Cause.LOST: "utracony",
        rules.Cause.STOLEN: "skradziony",
        rules.Cause.MISAPPROPRIATED: "przywłaszczony",
    },
    "en": {
        rules.Cause.LOST: "lost",
        rules.Cause.STOLEN: "stolen",
        rules.Cause.MISAPPROPRIATED: "misappropriated",
    },
}


def is_synthetic_table(table: str | None) -> bool:
    """True for a rate that is not an NBP table (demo data): its label starts with ``SYNTHETIC-``."""
    return table is not None and table.startswith(SYNTHETIC_TABLE_PREFIX)


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFigures:
    """One transaction's decision in figures: what its explanation states and its ``Line`` keeps."""

    rule: str
    amount: Decimal
    customer: Decimal
    bank: Decimal
    executed_at: datetime
    debited_on: date
    window_end: date
    rate: Decimal | None = None
    table: str | None = None
    cap: Decimal | None = None
    remaining_eur_before: Fraction | Decimal | None = None
    remaining_eur_after: Fraction | Decimal | None = None

    def figures(self) -> dict[str, Any]:
        """The ``LineFigures`` fields alone, as keywords (to build a ``Line`` from a ``LineContext``)."""
        return {field.name: getattr(self, field.name) for field in fields(LineFigures)}


@dataclass(frozen=True, slots=True, kw_only=True)
class LineContext(LineFigures):
    """Everything an explanation mentions about one transaction: its figures and the claim's facts."""

    reported_at: datetime
    cause: str
    undetectable: bool
    bank_staff: bool


def _pln(amount: Decimal, lang: str) -> str:
    return format_money(amount, "PLN", language=lang)


def _eur(amount: Fraction | Decimal, lang: str) -> str:
    """An EUR amount of the cap: exact up to 6 decimals, else marked approximate; used up shows 0."""
    exact = max(Fraction(amount), Fraction(0))
    millionths = exact * 1_000_000
    shown = Decimal(math.floor(millionths + Fraction(1, 2))) * _EUR_SHOWN  # half-up
    text = format_decimal(shown, format="#,##0.######", locale=babel_locale(lang))
    prefix = "" if Fraction(shown) == exact else "≈ "
    return f"{prefix}{text} EUR" if lang == "pl" else f"{prefix}EUR {text}"


def _eur_cents(amount: Fraction | Decimal, lang: str) -> str:
    """An EUR amount of the cap as the customer reads it: to the cent, half up, marked approximate when
    the cent is not exact (so '≈ 26,47 EUR × 4,2541 = 112,60 zł' does not read as a wrong product);
    used up shows 0,00."""
    exact = max(Fraction(amount), Fraction(0))
    shown = Decimal(math.floor(exact * 100 + Fraction(1, 2))) / 100  # half-up
    text = format_decimal(shown, format="#,##0.00", locale=babel_locale(lang))
    prefix = "" if Fraction(shown) == exact else "≈ "
    return f"{prefix}{text} EUR" if lang == "pl" else f"{prefix}EUR {text}"


def _rate_source(rate: Decimal, table: str, lang: str) -> str:
    mid = format_decimal(rate, format="0.0000##", locale=babel_locale(lang))
    if is_synthetic_table(table):
        if lang == "pl":
            return f"{mid} (kurs SYNTETYCZNY {table}, nie pochodzi z tabeli NBP)"
        return f"{mid} (SYNTHETIC rate {table}, not an NBP table)"
    return f"{mid} (tabela {table})" if lang == "pl" else f"{mid} (table {table})"


def _cap(ctx: LineContext, lang: str, *, eur_to_cents: bool = False, capped_after: int | None = None) -> str:
    remaining_after = ctx.remaining_eur_after
    if (
        ctx.rate is None
        or ctx.table is None
        or ctx.cap is None
        or ctx.remaining_eur_before is None
        or remaining_after is None
    ):
        raise ValueError("a cap line needs its rate, table, cap and remaining EUR")
    eur = _eur_cents if eur_to_cents else _eur
    before = eur(ctx.remaining_eur_before, lang)
    after = eur(remaining_after, lang)
    rate = _rate_source(ctx.rate, ctx.table, lang)
    amount, cap, customer, bank = (_pln(x, lang) for x in (ctx.amount, ctx.cap, ctx.customer, ctx.bank))
    cause = _CAUSE[lang][ctx.cause]
    figures = _cap_figures(before, rate, amount, cap, customer, bank, cause, lang)
    if capped_after is not None:
        return f"{figures}{_cap_left(after, remaining_after <= 0, capped_after, lang)}."
    if lang == "pl":
        used_up = " (limit wyczerpany)" if remaining_after <= 0 else ""
        return f"{figures}; pozostaje {after} limitu{used_up}."
    used_up = " (cap used up)" if remaining_after <= 0 else ""
    return f"{figures}; {after} of the cap remains{used_up}."


def _cap_figures(
    before: str, rate: str, amount: str, cap: str, customer: str, bank: str, cause: str, lang: str
) -> str:
    """The cap's arithmetic for one payment: what was left × the rate = the cap, and who bears what."""
    if lang == "pl":
        return (
            f"Limit {_CAP_EUR} EUR na całą reklamację (instrument {cause}): {before} × {rate} = {cap}; "
            f"klient ponosi min({amount}; {cap}) = {customer}, bank {bank}"
        )
    return (
        f"{_CAP_EUR} EUR cap for the whole claim (instrument {cause}): {before} × {rate} = {cap}; "
        f"the customer bears min({amount}, {cap}) = {customer}, the bank {bank}"
    )


def _cap_left(after: str, used_up: bool, capped_after: int, lang: str) -> str:
    """What the payment leaves of the cap, said only for the capped payments after it (none: nothing)."""
    pl = lang == "pl"
    if used_up:
        return "; limit wyczerpany" if pl else "; the cap is used up"
    if capped_after == 0:
        return ""
    if pl:
        later = "transakcję wykonaną" if capped_after == 1 else "transakcje wykonane"
        return f"; na {later} po tej pozostaje {after} limitu"
    later = "payment" if capped_after == 1 else "payments"
    return f"; {after} of the cap remains for the {later} made after this one"


# The reasons that say the same for every transaction under the rule: (Polish, English).
_FIXED_REASONS = {
    rules.INTENT: ("Klient działał umyślnie (oszustwo)", "The customer acted intentionally (fraud)"),
    rules.NO_SCA: (
        "Bank nie wymagał silnego uwierzytelnienia klienta",
        "The bank did not require strong customer authentication",
    ),
    rules.NO_MEANS: (
        "Bank nie zapewnił możliwości zgłoszenia utraty instrumentu płatniczego",
        "The bank gave no means to report the loss of the payment instrument",
    ),
    rules.GROSS: (
        "Rażące niedbalstwo lub umyślne naruszenie obowiązków z art. 42 UUP",
        "Gross negligence or intentional breach of the duties in UUP art. 42",
    ),
    rules.BANK: (
        "Przyczyna inna niż utrata, kradzież lub przywłaszczenie instrumentu płatniczego",
        "The cause is not a lost, stolen or misappropriated payment instrument",
    ),
}


def _reason(ctx: LineContext, lang: str) -> str:
    pl = lang == "pl"
    if ctx.rule in _FIXED_REASONS:
        polish, english = _FIXED_REASONS[ctx.rule]
        return polish if pl else english
    if ctx.rule == rules.AFTER_REPORT:
        executed, reported = (
            format_moment(ctx.executed_at, language=lang),
            format_moment(ctx.reported_at, language=lang),
        )
        if pl:
            return (
                f"Transakcja wykonana {executed} (czasu warszawskiego), "
                f"w chwili zgłoszenia lub po nim ({reported})"
            )
        return f"Executed {executed} (Warsaw time), at or after the report ({reported})"
    if ctx.rule == rules.LATE:
        reported = format_long_date(ctx.reported_at.astimezone(WARSAW).date(), language=lang)
        debited = format_long_date(ctx.debited_on, language=lang)
        window_end = format_long_date(ctx.window_end, language=lang)
        if pl:
            return (
                f"Zgłoszenie z {reported} po terminie 13 miesięcy od obciążenia rachunku {debited} "
                f"(termin upłynął {window_end})"
            )
        return (
            f"Reported on {reported}, after the 13-month window from the debit on {debited} "
            f"(it ended on {window_end})"
        )
    if ctx.rule == rules.UNDETECTABLE:
        # Card details taken without the card (MISAPPROPRIATED): no card was lost, the details were.
        details = ctx.cause == rules.Cause.MISAPPROPRIATED
        reasons = []
        if ctx.undetectable:
            if details:
                reasons.append(
                    "klient nie mógł stwierdzić przywłaszczenia danych karty przed wykonaniem transakcji"
                    if pl
                    else "the payer could not have detected that the card details had been taken before "
                    "the payment"
                )
            else:
                reasons.append(
                    "klient nie mógł stwierdzić utraty przed wykonaniem transakcji"
                    if pl
                    else "the loss could not be detected by the payer before the payment"
                )
        if ctx.bank_staff:
            if details:
                reasons.append(
                    "przywłaszczenie danych karty spowodował pracownik lub agent banku"
                    if pl
                    else "the card details were taken because of the bank's staff or agents"
                )
            else:
                reasons.append(
                    "szkodę spowodował pracownik lub agent banku"
                    if pl
                    else "the loss was caused by the bank's staff or agents"
                )
        text = "; ".join(reasons)
        return text[:1].upper() + text[1:]
    raise ValueError(f"no explanation for rule {ctx.rule!r}")


def explain(
    ctx: LineContext, lang: str, *, eur_to_cents: bool = False, capped_after: int | None = None
) -> str:
    """The explanation of one liability line in ``lang`` ("pl" or "en").

    The assessment's record keeps the EUR left of the cap to 6 decimals (``_eur``; the analyst checks
    the arithmetic with it); ``eur_to_cents`` gives the customer's wording, to the cent as the portal.
    ``capped_after``, the number of capped payments after a cap line, words what it leaves of the cap
    for them alone (none after: not said); the record (None) says what remains in any case.
    """
    if ctx.rule == rules.CAP:
        return _cap(ctx, lang, eur_to_cents=eur_to_cents, capped_after=capped_after)
    reason = _reason(ctx, lang)
    amount = _pln(ctx.amount, lang)
    if ctx.rule in rules.CUSTOMER_PAYS_ALL:
        if lang == "pl":
            return f"{reason}: klient ponosi całą kwotę {amount}."
        return f"{reason}: the customer bears the whole {amount}."
    if lang == "pl":
        return f"{reason}: klient nie ponosi odpowiedzialności, bank ponosi {amount}."
    return f"{reason}: the customer is not liable; the bank bears {amount}."
