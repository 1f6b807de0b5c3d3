from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines import rules
from deadlines.calendar import BusinessCalendar, Override, OverrideKind
from kartosfera.legaltime import WARSAW, NaiveDatetimeError, day_end, day_start

CALENDAR = BusinessCalendar()


def at_noon(day: date) -> datetime:
    return day_start(day) + timedelta(hours=12)


def refund(reported_at, calendar=CALENDAR, **kwargs):
    return rules.refund_due(reported_at=reported_at, calendar=calendar, **kwargs)


def reply(received_at, regime="COMPLAINTS_ACT", extended=False, roll_forward=True, calendar=CALENDAR):
    return rules.reply_due(
        received_at=received_at,
        regime=regime,
        extended=extended,
        roll_forward=roll_forward,
        calendar=calendar,
    )


def window(debited_on, roll_forward=True, calendar=CALENDAR):
    return rules.claim_window_end(debited_on=debited_on, roll_forward=roll_forward, calendar=calendar)


# --- RULES.md section 2: the worked examples, exactly ---------------------------------------------


def test_worked_example_refund_after_christmas():
    deadline = refund(at_noon(date(2025, 12, 23)))

    assert deadline.rule == "UUP-46-1"
    assert deadline.start_date == date(2025, 12, 23)
    assert deadline.due_date == date(2025, 12, 29)
    assert deadline.due_at == datetime(2025, 12, 29, 23, 0, tzinfo=UTC)
    assert "2025-12-24 (Wednesday, public holiday: Christmas Eve)" in deadline.explanation_en
    assert "2025-12-27 (Saturday), 2025-12-28 (Sunday)" in deadline.explanation_en
    assert (
        "2025-12-24 (środa, dzień ustawowo wolny od pracy: Wigilia Bożego Narodzenia)"
        in deadline.explanation_pl
    )


def test_worked_example_refund_over_corpus_christi():
    deadline = refund(at_noon(date(2026, 6, 3)))

    assert deadline.due_date == date(2026, 6, 5)
    assert deadline.due_at == datetime(2026, 6, 5, 22, 0, tzinfo=UTC)
    assert "2026-06-04 (Thursday, public holiday: Corpus Christi)" in deadline.explanation_en


def test_worked_example_reply_day_30_on_christmas_eve_rolls_to_monday():
    deadline = reply(at_noon(date(2025, 11, 24)))

    assert deadline.rule == "REK-6"
    assert deadline.due_date == date(2025, 12, 29)
    assert "day 30 = 2025-12-24 (Wednesday, public holiday: Christmas Eve)" in deadline.explanation_en
    assert "a statutory day off → moved to 2025-12-29 (Monday)" in deadline.explanation_en
    assert "(KC-115;" in deadline.explanation_en
    assert "dzień 30 = 2025-12-24" in deadline.explanation_pl
    assert "termin przesunięty na 2025-12-29 (poniedziałek)" in deadline.explanation_pl
    assert [step.code for step in deadline.steps] == ["START", "CALENDAR_DAYS", "ROLL", "DUE"]
    assert deadline.policies == (("REPLY_REGIME", "COMPLAINTS_ACT"), ("ROLL_FORWARD", True))


def test_worked_example_window_clipped_to_28_february_then_rolled():
    deadline = window(date(2025, 1, 31))

    assert deadline.rule == "UUP-44-2"
    assert deadline.due_date == date(2026, 3, 2)
    assert "2026-02 has no day 31 → its last day, 2026-02-28 (Saturday)" in deadline.explanation_en
    assert "a Saturday → moved to 2026-03-02 (Monday)" in deadline.explanation_en
    assert [step.day for step in deadline.steps] == [
        date(2025, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 2),
        date(2026, 3, 2),
    ]


def test_worked_example_payment_service_reply_15_business_days():
    deadline = reply(at_noon(date(2025, 12, 1)), regime="PAYMENT_SERVICES")

    assert deadline.rule == "UUP-PS-15"
    assert deadline.due_date == date(2025, 12, 22)
    assert "the 15th business day after it: 2025-12-22 (Monday)" in deadline.explanation_en
    assert "15. dzień roboczy po nim: 2025-12-22 (poniedziałek)" in deadline.explanation_pl


# --- each rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "regime", "extended", "rule", "due"),
    [
        (date(2025, 11, 24), "COMPLAINTS_ACT", True, "REK-7", date(2026, 1, 23)),  # day 60 is a Friday
        (date(2026, 2, 2), "COMPLAINTS_ACT", False, "REK-6", date(2026, 3, 4)),  # day 30 a Wednesday: no roll
        (
            date(2026, 3, 4),
            "COMPLAINTS_ACT",
            True,
            "REK-7",
            date(2026, 5, 4),
        ),  # day 60 = 3 May (holiday, Sun)
        (date(2025, 12, 1), "PAYMENT_SERVICES", True, "UUP-PS-35", date(2026, 1, 26)),
        (date(2026, 3, 30), "PAYMENT_SERVICES", False, "UUP-PS-15", date(2026, 4, 21)),  # over Easter Monday
    ],
)
def test_reply_deadlines_of_both_regimes(received_on, regime, extended, rule, due):
    deadline = reply(at_noon(received_on), regime=regime, extended=extended)

    assert (deadline.rule, deadline.start_date, deadline.due_date) == (rule, received_on, due)
    assert deadline.due_at == day_end(due)
    assert "dispatching the reply before then is in time" in deadline.explanation_en


def test_roll_forward_policy_off_keeps_the_day_off():
    deadline = reply(at_noon(date(2025, 11, 24)), roll_forward=False)

    assert deadline.due_date == date(2025, 12, 24)
    assert deadline.policy("ROLL_FORWARD") is False
    assert "not moved: policy ROLL_FORWARD is off" in deadline.explanation_en


@pytest.mark.parametrize(
    ("debited_on", "due"),
    [
        (date(2025, 1, 30), date(2026, 3, 2)),  # clipped to Sat 28 Feb, rolled
        (date(2024, 2, 29), date(2025, 3, 31)),  # 29 Mar 2025 is a Saturday
        (date(2027, 1, 31), date(2028, 2, 29)),  # clipped to the leap day, a Tuesday
        (date(2027, 1, 29), date(2028, 2, 29)),  # the leap day exists: no clip
        (date(2026, 1, 29), date(2027, 3, 1)),  # clipped to Sun 28 Feb 2027, rolled to Monday
        (date(2025, 3, 31), date(2026, 4, 30)),  # April has no 31st
        (date(2025, 12, 31), date(2027, 2, 1)),  # 31 Jan 2027 is a Sunday
    ],
)
def test_claim_window_month_end_clipping_and_roll(debited_on, due):
    assert window(debited_on).due_date == due


def test_claim_window_without_roll_forward_ends_on_the_clipped_saturday():
    assert window(date(2025, 1, 31), roll_forward=False).due_date == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("processed_on", "scheme", "stage", "rule", "due"),
    [
        (date(2025, 8, 27), "VISA", "CHARGEBACK", "CB-VISA-10.4", date(2025, 12, 25)),  # Christmas: no roll
        (date(2025, 8, 27), "MASTERCARD", "CHARGEBACK", "CB-MC-4837", date(2025, 12, 25)),
        (date(2025, 11, 29), "MASTERCARD", "SECOND_PRESENTMENT", "CB-MC-2P", date(2026, 1, 13)),
        (date(2026, 1, 1), "MASTERCARD", "SECOND_PRESENTMENT", "CB-MC-2P", date(2026, 2, 15)),  # a Sunday
    ],
)
def test_card_scheme_windows_count_calendar_days_without_roll(processed_on, scheme, stage, rule, due):
    deadline = rules.chargeback_due(processed_on=processed_on, scheme=scheme, stage=stage, calendar=CALENDAR)

    assert (deadline.rule, deadline.due_date) == (rule, due)
    assert "do not roll forward" in deadline.explanation_en


def test_visa_has_no_second_presentment():
    with pytest.raises(rules.StageNotInScheme, match="VISA has no second presentment"):
        rules.chargeback_due(
            processed_on=date(2025, 8, 27), scheme="VISA", stage="SECOND_PRESENTMENT", calendar=CALENDAR
        )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: reply(at_noon(date(2025, 1, 2)), regime="CIVIL"),
            rules.UnknownRegime,
            "unknown reply regime",
        ),
        (
            lambda: rules.chargeback_due(
                processed_on=date(2025, 1, 2), scheme="AMEX", stage="CHARGEBACK", calendar=CALENDAR
            ),
            rules.UnknownScheme,
            "expected VISA or MASTERCARD",
        ),
        (
            lambda: rules.chargeback_due(
                processed_on=date(2025, 1, 2), scheme="VISA", stage="ARBITRATION", calendar=CALENDAR
            ),
            rules.UnknownStage,
            "expected CHARGEBACK or SECOND_PRESENTMENT",
        ),
        (
            lambda: refund(datetime(2025, 1, 2, 12, 0)),
            NaiveDatetimeError,
            "reported_at must be timezone-aware",
        ),
        (
            lambda: reply(datetime(2025, 1, 2, 12, 0)),
            NaiveDatetimeError,
            "received_at must be timezone-aware",
        ),
        (lambda: window(at_noon(date(2025, 1, 2))), TypeError, "debited_on must be a date"),
        (
            lambda: reply(at_noon(date(2025, 1, 2)), extended="yes"),
            TypeError,
            "extended must be True or False",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_input_errors_are_value_errors():
    assert issubclass(rules.UnknownRegime, ValueError)
    assert issubclass(rules.UnknownScheme, ValueError)
    assert issubclass(rules.UnknownStage, ValueError)
    assert issubclass(rules.StageNotInScheme, ValueError)


# --- D+1: the date the bank found the transaction itself, if earlier --------------------------------


def test_refund_counts_from_the_discovery_when_the_bank_found_it_first():
    deadline = refund(at_noon(date(2025, 12, 23)), found_at=at_noon(date(2025, 12, 22)))

    assert deadline.start_date == date(2025, 12, 22)
    assert deadline.due_date == date(2025, 12, 23)
    assert (
        "The bank found the transaction itself on 2025-12-22 (Monday), before the report"
        in deadline.explanation_en
    )


def test_refund_ignores_a_discovery_after_the_report():
    assert refund(at_noon(date(2025, 12, 22)), found_at=at_noon(date(2025, 12, 23))).due_date == date(
        2025, 12, 23
    )


# --- Warsaw midnight and DST ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_at", "start", "due"),
    [
        # 23:30 UTC on a winter Friday is 00:30 on Saturday in Warsaw: a Saturday report. Here the
        # Monday is Epiphany, so the first business day after is Tuesday.
        (datetime(2025, 1, 3, 23, 30, tzinfo=UTC), date(2025, 1, 4), date(2025, 1, 7)),
        # An ordinary winter weekend: Saturday report, due Monday.
        (datetime(2025, 11, 28, 23, 30, tzinfo=UTC), date(2025, 11, 29), date(2025, 12, 1)),
        # 23:30 UTC on a Thursday is a Friday report: due Monday, not Friday.
        (datetime(2025, 11, 27, 23, 30, tzinfo=UTC), date(2025, 11, 28), date(2025, 12, 1)),
        (datetime(2025, 11, 27, 22, 59, tzinfo=UTC), date(2025, 11, 27), date(2025, 11, 28)),
        # Summer: UTC+2.
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1), date(2026, 7, 2)),
        (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), date(2026, 6, 30), date(2026, 7, 1)),
        # 00:30 Warsaw on Sunday 29 March 2026, still winter time (the clocks go forward at 02:00).
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 29), date(2026, 3, 30)),
        # 00:30 Warsaw on Monday 30 March 2026, the first night of summer time.
        (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), date(2026, 3, 30), date(2026, 3, 31)),
        # 00:30 Warsaw on Monday 26 October 2026, the first night of winter time.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 26), date(2026, 10, 27)),
        # 02:30 Warsaw happens twice on 25 October 2026 (CEST, then CET): both are that Sunday.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25), date(2026, 10, 26)),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25), date(2026, 10, 26)),
        # The same instant given with a Warsaw offset.
        (datetime(2026, 3, 30, 0, 30, tzinfo=WARSAW), date(2026, 3, 30), date(2026, 3, 31)),
    ],
)
def test_the_report_date_is_the_warsaw_date_of_the_instant(reported_at, start, due):
    deadline = refund(reported_at)

    assert (deadline.start_date, deadline.due_date) == (start, due)
    assert deadline.due_at == day_end(due)


@pytest.mark.parametrize(
    ("processed_on", "due", "due_at"),
    [
        (date(2025, 11, 29), date(2026, 3, 29), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),  # 23-hour day
        (date(2026, 6, 27), date(2026, 10, 25), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),  # 25-hour day
    ],
)
def test_a_deadline_on_a_dst_day_ends_at_the_next_warsaw_midnight(processed_on, due, due_at):
    deadline = rules.chargeback_due(
        processed_on=processed_on, scheme="VISA", stage="CHARGEBACK", calendar=CALENDAR
    )

    assert (deadline.due_date, deadline.due_at) == (due, due_at)


def test_an_act_is_in_time_at_any_moment_before_the_next_warsaw_midnight():
    deadline = refund(at_noon(date(2025, 12, 23)))  # due Mon 2025-12-29, ends 2025-12-29 23:00 UTC

    assert rules.is_met(deadline, datetime(2025, 12, 29, 22, 59, 59, 999999, tzinfo=UTC)) is True
    assert rules.is_met(deadline, datetime(2025, 12, 23, 13, 0, tzinfo=UTC)) is True
    assert rules.is_met(deadline, datetime(2025, 12, 29, 23, 0, tzinfo=UTC)) is False
    with pytest.raises(NaiveDatetimeError):
        rules.is_met(deadline, datetime(2025, 12, 29, 12, 0))


# --- bank overrides: business-day rules follow them, KC-115 does not -------------------------------

BANK = BusinessCalendar(
    [
        Override(date(2025, 12, 31), OverrideKind.CLOSED, "core banking migration"),
        Override(date(2026, 1, 3), OverrideKind.OPEN, "branches open for the new-year backlog"),
    ]
)


def test_a_closure_delays_the_refund_and_is_explained():
    deadline = refund(at_noon(date(2025, 12, 30)), calendar=BANK)

    assert refund(at_noon(date(2025, 12, 30))).due_date == date(2025, 12, 31)
    assert deadline.due_date == date(2026, 1, 2)
    assert "2025-12-31 (Wednesday, bank closure day: core banking migration)" in deadline.explanation_en
    assert "dzień zamknięcia banku: core banking migration" in deadline.explanation_pl


def test_an_open_saturday_is_a_business_day_for_the_refund():
    deadline = refund(at_noon(date(2026, 1, 2)), calendar=BANK)

    assert deadline.due_date == date(2026, 1, 3)
    assert (
        "2026-01-03 (Saturday, bank open day: branches open for the new-year backlog)"
        in deadline.explanation_en
    )


def test_overrides_shift_the_payment_service_reply():
    assert reply(at_noon(date(2025, 12, 15)), regime="PAYMENT_SERVICES").due_date == date(2026, 1, 12)
    # The closure removes one business day and the open Saturday adds one back.
    deadline = reply(at_noon(date(2025, 12, 15)), regime="PAYMENT_SERVICES", calendar=BANK)
    assert deadline.due_date == date(2026, 1, 12)
    assert "bank open days counted as business days: 2026-01-03" in deadline.explanation_en
    closed_only = BusinessCalendar(
        [Override(date(2025, 12, 31), OverrideKind.CLOSED, "core banking migration")]
    )
    assert reply(
        at_noon(date(2025, 12, 15)), regime="PAYMENT_SERVICES", calendar=closed_only
    ).due_date == date(2026, 1, 13)


@pytest.mark.parametrize(
    ("received_on", "due"),
    [
        (date(2025, 12, 1), date(2025, 12, 31)),  # day 30 is the bank's closure day: stays there
        (date(2025, 12, 4), date(2026, 1, 5)),  # day 30 is the bank's open Saturday: still rolls
    ],
)
def test_overrides_do_not_move_a_kc_115_deadline(received_on, due):
    assert reply(at_noon(received_on), calendar=BANK).due_date == due
    assert reply(at_noon(received_on)).due_date == due


def test_the_result_is_memoised_per_calendar_and_start_date():
    calendar = BusinessCalendar()

    first = refund(datetime(2025, 12, 23, 8, 0, tzinfo=UTC), calendar=calendar)
    second = refund(datetime(2025, 12, 23, 15, 0, tzinfo=UTC), calendar=calendar)

    assert second is first
    assert refund(datetime(2025, 12, 23, 8, 0, tzinfo=UTC), calendar=BANK) is not first


# --- properties -----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(reported_at=instants)
def test_a_refund_is_due_on_a_business_day_after_the_start(reported_at):
    deadline = refund(reported_at)

    assert deadline.start_date == reported_at.astimezone(WARSAW).date()
    assert deadline.due_date > deadline.start_date
    assert CALENDAR.is_business_day(deadline.due_date)
    assert deadline.due_at > reported_at


@settings(max_examples=300, deadline=None)
@given(received_at=instants, extended=st.booleans(), roll_forward=st.booleans())
def test_a_calendar_day_reply_is_due_no_earlier_than_day_30(received_at, extended, roll_forward):
    deadline = reply(received_at, extended=extended, roll_forward=roll_forward)
    day_n = deadline.start_date + timedelta(days=60 if extended else 30)

    assert deadline.due_date >= day_n
    if roll_forward:
        assert not CALENDAR.is_statutory_day_off(deadline.due_date)
        assert all(
            CALENDAR.is_statutory_day_off(day_n + timedelta(days=d))
            for d in range((deadline.due_date - day_n).days)
        )
    else:
        assert deadline.due_date == day_n


@settings(max_examples=300, deadline=None)
@given(
    instant=instants,
    regime=st.sampled_from(list(rules.Regime)),
    extended=st.booleans(),
    scheme=st.sampled_from(["VISA", "MASTERCARD"]),
)
def test_no_deadline_precedes_its_start(instant, regime, extended, scheme):
    day = instant.astimezone(WARSAW).date()
    deadlines = [
        refund(instant),
        reply(instant, regime=regime, extended=extended),
        window(day),
        rules.chargeback_due(processed_on=day, scheme=scheme, stage="CHARGEBACK", calendar=CALENDAR),
        rules.chargeback_due(
            processed_on=day, scheme="MASTERCARD", stage="SECOND_PRESENTMENT", calendar=CALENDAR
        ),
    ]

    for deadline in deadlines:
        assert deadline.start_date == day
        assert deadline.due_date > deadline.start_date
        assert deadline.due_at == day_end(deadline.due_date)


# --- UUP-44-2: reported out of the 13-month window (one rule for the claim and the portal) ---------


@pytest.mark.parametrize(
    ("debited_on", "roll_forward", "reported_on", "late"),
    [
        # Window end 2026-02-28 is a Saturday: rolled to Monday 2026-03-02 (KC-115).
        (date(2025, 1, 31), True, date(2026, 2, 27), False),
        (date(2025, 1, 31), True, date(2026, 3, 2), False),  # the last day itself is in time
        (date(2025, 1, 31), True, date(2026, 3, 3), True),
        # Without roll-forward the window ends on the Saturday.
        (date(2025, 1, 31), False, date(2026, 2, 28), False),
        (date(2025, 1, 31), False, date(2026, 3, 1), True),
        # A plain 13 months: 2024-06-10 → Thursday 2025-07-10, no roll.
        (date(2024, 6, 10), True, date(2025, 7, 10), False),
        (date(2024, 6, 10), True, date(2025, 7, 11), True),
        (date(2024, 6, 10), True, date(2024, 6, 10), False),
    ],
)
def test_reported_out_of_window(debited_on, roll_forward, reported_on, late):
    assert (
        rules.reported_out_of_window(reported_on=reported_on, window=window(debited_on, roll_forward)) is late
    )


def test_reported_out_of_window_refuses_a_datetime():
    with pytest.raises(TypeError):
        rules.reported_out_of_window(reported_on=at_noon(date(2026, 3, 3)), window=window(date(2025, 1, 31)))


@pytest.mark.parametrize(
    ("reported_at", "received_at", "expected"),
    [
        # No loss report: the claim's receipt, as a Warsaw date (23:30 UTC on 31 Dec is 1 Jan in Warsaw).
        (None, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), date(2026, 1, 1)),
        (None, datetime(2026, 3, 3, 10, 0, tzinfo=UTC), date(2026, 3, 3)),
        # A loss report before the claim: its day, not the receipt's.
        (datetime(2026, 3, 1, 22, 59, tzinfo=UTC), datetime(2026, 3, 9, 10, 0, tzinfo=UTC), date(2026, 3, 1)),
        (datetime(2026, 3, 1, 23, 0, tzinfo=UTC), datetime(2026, 3, 9, 10, 0, tzinfo=UTC), date(2026, 3, 2)),
    ],
)
def test_claim_reported_on(reported_at, received_at, expected):
    assert rules.claim_reported_on(reported_at=reported_at, received_at=received_at) == expected


@pytest.mark.parametrize(
    ("reported_at", "received_at"),
    [
        (None, datetime(2026, 3, 3, 10, 0)),
        (datetime(2026, 3, 3, 10, 0), datetime(2026, 3, 3, 10, 0, tzinfo=UTC)),
    ],
)
def test_claim_reported_on_refuses_a_naive_instant(reported_at, received_at):
    with pytest.raises(NaiveDatetimeError):
        rules.claim_reported_on(reported_at=reported_at, received_at=received_at)
