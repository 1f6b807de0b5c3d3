"""The deadline engine's stable public interface: every legal deadline of RULES.md section 2.

All functions are keyword-only. Each uses the bank's calendar (``holidays.Poland`` with the database
overrides) unless a ``calendar`` is passed, and the policies in ``settings.KARTOSFERA_POLICIES``.
Bad input is refused with a ``ValueError`` subclass: ``NaiveDatetimeError`` for a datetime without a
time zone, ``UnknownRegime``, ``UnknownScheme``, ``UnknownStage``, ``StageNotInScheme``.
"""

from datetime import date, datetime

from deadlines import rules
from deadlines.calendar import BusinessCalendar
from deadlines.rules import (
    Deadline,
    DeadlineInputError,
    Regime,
    Scheme,
    Stage,
    StageNotInScheme,
    UnknownRegime,
    UnknownScheme,
    UnknownStage,
    claim_reported_on,
    is_met,
    reported_out_of_window,
)
from deadlines.selectors import bank_calendar
from kartosfera.legaltime import NaiveDatetimeError
from kartosfera.policies import current_policies

__all__ = [
    "Deadline",
    "DeadlineInputError",
    "NaiveDatetimeError",
    "Regime",
    "Scheme",
    "Stage",
    "StageNotInScheme",
    "UnknownRegime",
    "UnknownScheme",
    "UnknownStage",
    "chargeback_due",
    "claim_reported_on",
    "claim_window_end",
    "is_met",
    "refund_due",
    "reply_due",
    "reply_regime_for",
    "reported_out_of_window",
]


def refund_due(
    *, reported_at: datetime, found_at: datetime | None = None, calendar: BusinessCalendar | None = None
) -> Deadline:
    """`UUP-46-1` (D+1): the refund of an unauthorised transaction is due by the end of the first
    business day after the Warsaw date of the report, or of ``found_at`` (the bank found it itself) if
    that is earlier.
    """
    return rules.refund_due(
        reported_at=reported_at, found_at=found_at, calendar=bank_calendar() if calendar is None else calendar
    )


def reply_due(
    *,
    received_at: datetime,
    regime: str = Regime.COMPLAINTS_ACT,
    extended: bool = False,
    calendar: BusinessCalendar | None = None,
) -> Deadline:
    """The reply to a complaint received at ``received_at``.

    Regime ``COMPLAINTS_ACT``: `REK-6` 30 calendar days, or `REK-7` 60 when ``extended``, with
    `KC-115` roll-forward (policy ROLL_FORWARD). Regime ``PAYMENT_SERVICES``: `UUP-PS-15` 15 business
    days, or `UUP-PS-35` 35 when ``extended``. ``reply_regime_for`` gives the regime of a category.
    """
    return rules.reply_due(
        received_at=received_at,
        regime=regime,
        extended=extended,
        roll_forward=current_policies().roll_forward,
        calendar=bank_calendar() if calendar is None else calendar,
    )


def claim_window_end(*, debited_on: date, calendar: BusinessCalendar | None = None) -> Deadline:
    """`UUP-44-2`: the last day the customer may report an unauthorised transaction debited on
    ``debited_on`` (13 months, `KC-112` month-end clipping, `KC-115` roll-forward per ROLL_FORWARD).
    """
    return rules.claim_window_end(
        debited_on=debited_on,
        roll_forward=current_policies().roll_forward,
        calendar=bank_calendar() if calendar is None else calendar,
    )


def chargeback_due(
    *,
    processed_on: date,
    scheme: str,
    stage: str = Stage.CHARGEBACK,
    calendar: BusinessCalendar | None = None,
) -> Deadline:
    """A card-scheme window, calendar days without roll-forward.

    Stage ``CHARGEBACK``: the fraud chargeback filing window, 120 days from the processing date,
    `CB-VISA-10.4` (scheme ``VISA``) or `CB-MC-4837` (``MASTERCARD``). Stage ``SECOND_PRESENTMENT``
    (Mastercard only): `CB-MC-2P`, 45 days, where ``processed_on`` is the date the chargeback was filed.
    """
    return rules.chargeback_due(
        processed_on=processed_on,
        scheme=scheme,
        stage=stage,
        calendar=bank_calendar() if calendar is None else calendar,
    )


def reply_regime_for(*, category: str) -> str:
    """The reply regime of a complaint category: policy REPLY_REGIME_BY_CATEGORY, else DEFAULT_REPLY_REGIME.

    :raises UnknownRegime: the settings name a regime that does not exist.
    """
    policies = current_policies()
    regime = policies.reply_regime_by_category.get(category, policies.default_reply_regime)
    return rules.parse_regime(regime).value
