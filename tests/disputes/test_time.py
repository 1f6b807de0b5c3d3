"""Deadlines of a case across weekends, holidays and the change of time, with the clock travelled."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings

from disputes import tasks
from disputes.models import CaseEvent, CaseState
from disputes.services import claim_create_draft, claim_submit
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import make_theft, warsaw

pytestmark = pytest.mark.django_db
eager_only = pytest.mark.skipif(
    not django_settings.CELERY_TASK_ALWAYS_EAGER,
    reason="travels in time; a worker process keeps the real clock",
)


def _claim(*, received_at: datetime, username: str = "anna"):
    theft = make_theft(username=username, cancelled=False)
    # Friday 5 September 2025 (table 172/A/NBP/2025): the payment the customer does not recognise.
    tx = TransactionFactory(
        card=theft.card,
        executed_at=warsaw(2025, 9, 5, 18, 0),
        amount_pln=Decimal("250.00"),
        sca_applied=True,
        debited_on=date(2025, 9, 8),
        processed_on=date(2025, 9, 8),
    )
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=[tx.pk],
        channel="PORTAL",
        cause="MISAPPROPRIATED",
        actor=theft.user,
        now=received_at,
    )
    return claim_submit(case_id=draft.pk, actor=theft.user, now=received_at)


def test_a_claim_received_at_half_past_midnight_on_saturday_is_received_on_saturday(eur_rates):
    # 23:30 UTC on Friday 26 September is 01:30 on Saturday in Warsaw (CEST).
    case = _claim(received_at=datetime(2025, 9, 26, 23, 30, tzinfo=UTC))

    # D+1: the first business day after Saturday is Monday 29 September.
    assert (case.refund_due_on, case.refund_due_at) == (date(2025, 9, 29), warsaw(2025, 9, 30))
    # 30 days after Saturday 27 September: Monday 27 October (no roll needed).
    assert (case.reply_rule, case.reply_due_on) == ("REK-6", date(2025, 10, 27))


def test_the_christmas_refund_waits_for_monday(eur_rates):
    # RULES.md: report on Tuesday 23 December 2025 -> refund due Monday 29 December.
    case = _claim(received_at=warsaw(2025, 12, 23, 15, 0))

    assert (case.refund_due_on, case.refund_rule) == (date(2025, 12, 29), "UUP-46-1")
    steps = case.deadline_explanations["refund"]["explanation_en"]
    assert "2025-12-24" in steps and "2025-12-29" in steps


@eager_only
def test_deemed_acceptance_at_the_warsaw_midnight_after_the_change_of_time(eur_rates):
    # Received Friday 26 September 2025: day 30 is Sunday 26 October, the night the clocks go back,
    # rolled to Monday 27 October (KC-115). The deadline ends at Warsaw midnight, now CET (UTC+1).
    case = _claim(received_at=warsaw(2025, 9, 26, 12, 0))
    assert (case.reply_due_on, case.reply_due_at) == (
        date(2025, 10, 27),
        datetime(2025, 10, 27, 23, 0, tzinfo=UTC),
    )

    with time_machine.travel(datetime(2025, 10, 27, 22, 59, 59, tzinfo=UTC), tick=False):
        assert tasks.sweep_deemed_accepted.delay().get() == {"deemed_accepted": 0}
    with time_machine.travel(datetime(2025, 10, 27, 23, 0, tzinfo=UTC), tick=False):
        assert tasks.sweep_deemed_accepted.delay().get() == {"deemed_accepted": 1}

    case.refresh_from_db()
    assert (case.state, case.deemed_accepted_at) == (
        CaseState.DEEMED_ACCEPTED,
        datetime(2025, 10, 27, 23, 0, tzinfo=UTC),
    )


@eager_only
def test_reminders_count_down_over_the_weekend(eur_rates):
    case = _claim(received_at=warsaw(2025, 9, 26, 12, 0))  # reply due by the end of Monday 27 October

    due_at = case.reply_due_at.astimezone(UTC)  # Tuesday 28 October 00:00 CET = 27 October 23:00 UTC
    # The thresholds are spans of time (7 × 24 hours…): before the clocks go back the 7- and 3-day
    # reminders come at 01:00 Warsaw summer time, the 1-day one at midnight winter time.
    assert due_at - timedelta(days=7) == warsaw(2025, 10, 21, 1, 0)
    assert due_at - timedelta(days=3) == warsaw(2025, 10, 25, 1, 0)
    for when, reminded in [
        (due_at - timedelta(days=7, seconds=1), {"reminded": 0}),
        (due_at - timedelta(days=7), {"reminded": 1}),
        (due_at - timedelta(days=3), {"reminded": 1}),  # Saturday 25 October, 01:00 summer time
        (due_at - timedelta(days=1), {"reminded": 1}),  # Monday 27 October, 00:00 winter time
        (warsaw(2025, 10, 27, 23, 59), {"reminded": 0}),
    ]:
        with time_machine.travel(when, tick=False):
            assert tasks.sweep_reply_reminders.delay().get() == reminded

    assert list(case.events.filter(kind=CaseEvent.Kind.REPLY_REMINDER).values_list("key", flat=True)) == [
        "reply-reminder:2025-10-27:7",
        "reply-reminder:2025-10-27:3",
        "reply-reminder:2025-10-27:1",
    ]
