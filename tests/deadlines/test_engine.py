import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection

from deadlines import engine
from deadlines.calendar import BusinessCalendar
from deadlines.selectors import bank_calendar
from deadlines.services import calendar_override_remove, calendar_override_set
from kartosfera.legaltime import day_start

pytestmark = pytest.mark.django_db

CLOSURE = date(2025, 12, 31)  # a Wednesday
OPEN_SATURDAY = date(2026, 1, 3)


def at_noon(day: date) -> datetime:
    return day_start(day) + timedelta(hours=12)


@pytest.fixture
def closure():
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)


@pytest.fixture
def open_saturday():
    calendar_override_set(day=OPEN_SATURDAY, kind="OPEN", reason="branches open for the backlog", actor=None)


def test_the_worked_examples_through_the_public_api():
    assert engine.refund_due(reported_at=at_noon(date(2025, 12, 23))).due_date == date(2025, 12, 29)
    assert engine.refund_due(reported_at=at_noon(date(2026, 6, 3))).due_date == date(2026, 6, 5)
    assert engine.reply_due(received_at=at_noon(date(2025, 11, 24))).due_date == date(2025, 12, 29)
    assert engine.claim_window_end(debited_on=date(2025, 1, 31)).due_date == date(2026, 3, 2)
    assert engine.reply_due(
        received_at=at_noon(date(2025, 12, 1)), regime="PAYMENT_SERVICES"
    ).due_date == date(2025, 12, 22)


def test_without_overrides_the_deadlines_follow_the_package_calendar():
    assert engine.refund_due(reported_at=at_noon(date(2025, 12, 30))).due_date == CLOSURE
    assert engine.refund_due(reported_at=at_noon(date(2026, 1, 2))).due_date == date(2026, 1, 5)
    assert engine.reply_due(
        received_at=at_noon(date(2025, 12, 8)), regime="PAYMENT_SERVICES"
    ).due_date == date(2026, 1, 2)
    assert engine.reply_due(
        received_at=at_noon(date(2025, 12, 9)), regime="PAYMENT_SERVICES"
    ).due_date == date(2026, 1, 5)


def test_a_database_closure_delays_d_plus_1_and_15_business_days(closure):
    refund = engine.refund_due(reported_at=at_noon(date(2025, 12, 30)))
    reply = engine.reply_due(received_at=at_noon(date(2025, 12, 8)), regime="PAYMENT_SERVICES")

    assert refund.due_date == date(2026, 1, 2)
    assert reply.due_date == date(2026, 1, 5)
    assert "2025-12-31 (Wednesday, bank closure day: core banking migration)" in reply.explanation_en


def test_a_database_open_day_brings_d_plus_1_and_15_business_days_forward(open_saturday):
    assert engine.refund_due(reported_at=at_noon(date(2026, 1, 2))).due_date == OPEN_SATURDAY
    assert engine.reply_due(received_at=at_noon(date(2025, 12, 9)), regime="PAYMENT_SERVICES").due_date == (
        OPEN_SATURDAY
    )


def test_database_overrides_do_not_change_kc_115_rolls(closure, open_saturday):
    assert engine.reply_due(received_at=at_noon(date(2025, 12, 1))).due_date == CLOSURE  # day 30, not moved
    assert engine.reply_due(received_at=at_noon(date(2025, 12, 4))).due_date == date(
        2026, 1, 5
    )  # day 30 = Sat
    assert engine.claim_window_end(debited_on=date(2024, 12, 3)).due_date == date(
        2026, 1, 5
    )  # 13 months = Sat


def test_removing_an_override_restores_the_package_calendar(closure):
    calendar_override_remove(day=CLOSURE, actor=None)

    assert engine.refund_due(reported_at=at_noon(date(2025, 12, 30))).due_date == CLOSURE


def test_a_passed_calendar_is_used_instead_of_the_banks(closure):
    deadline = engine.refund_due(reported_at=at_noon(date(2025, 12, 30)), calendar=BusinessCalendar())

    assert deadline.due_date == CLOSURE


def test_roll_forward_is_read_from_the_policies(settings):
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "ROLL_FORWARD": False}

    assert engine.reply_due(received_at=at_noon(date(2025, 11, 24))).due_date == date(2025, 12, 24)
    assert engine.claim_window_end(debited_on=date(2025, 1, 31)).due_date == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("scheme", "stage", "rule", "due"),
    [
        ("VISA", "CHARGEBACK", "CB-VISA-10.4", date(2025, 12, 25)),
        ("MASTERCARD", "CHARGEBACK", "CB-MC-4837", date(2025, 12, 25)),
        ("MASTERCARD", "SECOND_PRESENTMENT", "CB-MC-2P", date(2025, 10, 11)),
    ],
)
def test_chargeback_windows(scheme, stage, rule, due):
    deadline = engine.chargeback_due(processed_on=date(2025, 8, 27), scheme=scheme, stage=stage)

    assert (deadline.rule, deadline.due_date) == (rule, due)


def test_the_default_stage_is_the_chargeback():
    assert engine.chargeback_due(processed_on=date(2025, 8, 27), scheme="VISA").rule == "CB-VISA-10.4"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: engine.refund_due(reported_at=datetime(2025, 12, 23, 10, 0)), engine.NaiveDatetimeError),
        (lambda: engine.reply_due(received_at=datetime(2025, 12, 23, 10, 0)), engine.NaiveDatetimeError),
        (
            lambda: engine.reply_due(received_at=at_noon(date(2025, 12, 1)), regime="FAST"),
            engine.UnknownRegime,
        ),
        (lambda: engine.chargeback_due(processed_on=date(2025, 8, 27), scheme="AMEX"), engine.UnknownScheme),
        (
            lambda: engine.chargeback_due(processed_on=date(2025, 8, 27), scheme="VISA", stage="X"),
            engine.UnknownStage,
        ),
        (
            lambda: engine.chargeback_due(
                processed_on=date(2025, 8, 27), scheme="VISA", stage="SECOND_PRESENTMENT"
            ),
            engine.StageNotInScheme,
        ),
    ],
)
def test_bad_input_is_refused(call, error):
    with pytest.raises(error):
        call()


def test_the_api_is_keyword_only():
    with pytest.raises(TypeError):
        engine.refund_due(datetime(2025, 12, 23, 10, 0, tzinfo=UTC))


def test_reply_regime_per_category_with_the_default_for_the_rest(settings):
    settings.KARTOSFERA_POLICIES = {
        **settings.KARTOSFERA_POLICIES,
        "REPLY_REGIME_BY_CATEGORY": {"CARD_PAYMENT": "PAYMENT_SERVICES"},
        "DEFAULT_REPLY_REGIME": "COMPLAINTS_ACT",
    }

    assert engine.reply_regime_for(category="CARD_PAYMENT") == "PAYMENT_SERVICES"
    assert engine.reply_regime_for(category="ACCOUNT_FEES") == "COMPLAINTS_ACT"


def test_the_default_reply_regime_is_the_complaints_act():
    assert engine.reply_regime_for(category="CARD_PAYMENT") == "COMPLAINTS_ACT"


def test_a_misconfigured_reply_regime_is_refused(settings):
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "DEFAULT_REPLY_REGIME": "FAST"}

    with pytest.raises(engine.UnknownRegime, match="unknown reply regime 'FAST'"):
        engine.reply_regime_for(category="CARD_PAYMENT")


# --- the cached bank calendar ---------------------------------------------------------------------


def test_the_bank_calendar_is_reused_while_the_overrides_do_not_change(django_assert_num_queries):
    first = bank_calendar()

    with django_assert_num_queries(1):
        second = bank_calendar()

    assert second is first


def test_the_bank_calendar_is_rebuilt_when_an_override_changes():
    before = bank_calendar()

    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)
    added = bank_calendar()
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration, phase 2", actor=None)
    reworded = bank_calendar()
    calendar_override_remove(day=CLOSURE, actor=None)
    removed = bank_calendar()

    assert added is not before
    assert added.is_business_day(CLOSURE) is False
    assert reworded is not added
    assert reworded.override_on(CLOSURE).reason == "core banking migration, phase 2"
    assert removed.is_business_day(CLOSURE) is True


def test_a_write_that_bypasses_the_services_is_seen_too():
    cached = bank_calendar()
    with connection.cursor() as cursor:  # as a data migration or a database console would write it
        cursor.execute(
            "INSERT INTO deadlines_calendaroverride (day, kind, reason, created_at, updated_at)"
            " VALUES (%s, 'CLOSED', 'flood', %s, %s)",
            [CLOSURE, datetime(2025, 12, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC)],
        )

    seen = bank_calendar()

    assert seen is not cached
    assert seen.is_business_day(CLOSURE) is False
    assert bank_calendar() is seen


# What another process (a second web worker, a Celery worker) runs against the same database.
OTHER_PROCESS = """
import sys
from datetime import date
import django
django.setup()
from deadlines.services import calendar_override_remove, calendar_override_set
day = date.fromisoformat(sys.argv[2])
if sys.argv[1] == "set":
    calendar_override_set(day=day, kind="CLOSED", reason="power outage at the data centre", actor=None)
else:
    calendar_override_remove(day=day, actor=None)
"""


def _in_another_process(action: str, day: date) -> None:
    from tests.conftest import _worker_database_url

    env = {**os.environ, "DATABASE_URL": _worker_database_url(), "CELERY_BROKER_URL": ""}
    subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", OTHER_PROCESS, action, day.isoformat()],
        env=env,
        check=True,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
    )


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="another process needs a database it can share: `make test-services` runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_change_made_by_another_process_is_seen_at_the_next_call():
    cached = bank_calendar()
    assert cached.is_business_day(CLOSURE) is True

    _in_another_process("set", CLOSURE)
    closed = bank_calendar()
    _in_another_process("remove", CLOSURE)
    reopened = bank_calendar()

    assert closed.is_business_day(CLOSURE) is False
    assert closed.override_on(CLOSURE).reason == "power outage at the data centre"
    assert reopened.is_business_day(CLOSURE) is True
