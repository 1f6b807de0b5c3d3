"""The beat sweeps: each fires exactly at its threshold, once, and a second run does nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from corebanking.gateway import HttpCoreBankingGateway
from corebanking.services import postings_dispatch_due
from disputes.models import CaseEvent
from disputes.selectors import cases_escalated_refunds
from disputes.services import (
    case_assign,
    case_refund_provisionally,
    case_start_review,
    cases_deem_accepted_overdue,
    cases_escalate_refunds,
    cases_remind_reply_due,
    chargeback_file,
    chargebacks_alert_filing_due,
)
from tests.corebanking.conftest import core_simulator, core_simulator_process  # noqa: F401
from tests.disputes.conftest import REFUND_DUE_AT, REPLY_DUE_AT, make_theft, submitted_case, warsaw

pytestmark = pytest.mark.django_db
SIX_HOURS = timedelta(hours=6)


def events(case, kind):
    return list(case.events.filter(kind=kind).order_by("pk").values_list("key", "data"))


def test_a_refund_due_within_six_hours_is_escalated_once(case, analyst):
    case_assign(case_id=case.pk, assignee=analyst, actor=analyst, now=warsaw(2025, 5, 26, 10, 30))
    six_hours_before = REFUND_DUE_AT - SIX_HOURS  # Tuesday 27 May, 18:00 Warsaw

    assert (
        cases_escalate_refunds(now=six_hours_before - timedelta(seconds=1), within=SIX_HOURS, batch_size=10)
        == 0
    )
    assert cases_escalate_refunds(now=six_hours_before, within=SIX_HOURS, batch_size=10) == 1
    assert (
        cases_escalate_refunds(now=six_hours_before + timedelta(minutes=10), within=SIX_HOURS, batch_size=10)
        == 0
    )

    case.refresh_from_db()
    assert case.refund_escalated_at == six_hours_before
    assert events(case, CaseEvent.Kind.REFUND_ESCALATED) == [
        (
            "refund-escalation:2025-05-27",
            {"refund_due_at": "2025-05-27T22:00:00+00:00", "assignee": analyst.pk, "queue": "SUPERVISORS"},
        )
    ]
    assert list(cases_escalated_refunds()) == [case]


@pytest.mark.usefixtures("core_simulator")
def test_a_refund_made_in_time_is_not_escalated(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    # Made when the core system confirms the credit (docs/WORKFLOW.md), here on D+1.
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 27, 9, 0))

    assert cases_escalate_refunds(now=REFUND_DUE_AT, within=SIX_HOURS, batch_size=10) == 0
    assert not case.events.filter(kind=CaseEvent.Kind.REFUND_ESCALATED).exists()


def test_reply_reminders_once_per_threshold(case, analyst):
    case_assign(case_id=case.pk, assignee=analyst, actor=analyst, now=warsaw(2025, 5, 26, 10, 30))
    thresholds = [7, 3, 1]

    def sweep(at):
        return cases_remind_reply_due(now=at, thresholds=thresholds, batch_size=100)

    seven_days_before = REPLY_DUE_AT - timedelta(days=7)  # Thursday 19 June, midnight
    assert sweep(seven_days_before - timedelta(seconds=1)) == 0
    assert sweep(seven_days_before) == 1
    assert sweep(seven_days_before + timedelta(hours=1)) == 0
    assert sweep(REPLY_DUE_AT - timedelta(days=3)) == 1
    assert sweep(REPLY_DUE_AT - timedelta(days=2)) == 0
    assert sweep(REPLY_DUE_AT - timedelta(hours=20)) == 1
    assert sweep(REPLY_DUE_AT - timedelta(hours=1)) == 0
    assert sweep(REPLY_DUE_AT) == 0  # past the deadline: REK-8's sweep takes over

    assert [
        (key, data["days"], data["recipient"]) for key, data in events(case, CaseEvent.Kind.REPLY_REMINDER)
    ] == [
        ("reply-reminder:2025-06-25:7", 7, analyst.pk),
        ("reply-reminder:2025-06-25:3", 3, analyst.pk),
        ("reply-reminder:2025-06-25:1", 1, analyst.pk),
    ]


def test_a_case_found_late_gets_only_the_nearest_reminder(case):
    assert (
        cases_remind_reply_due(now=REPLY_DUE_AT - timedelta(days=2), thresholds=[7, 3, 1], batch_size=100)
        == 1
    )

    [(key, data)] = events(case, CaseEvent.Kind.REPLY_REMINDER)
    assert (key, data["recipient"]) == ("reply-reminder:2025-06-25:3", "SUPERVISORS")  # nobody assigned


def test_the_chargeback_filing_alert_fires_once_fourteen_days_before(case, theft, analyst):
    filed = case.chargebacks.get(transaction=theft.contactless)
    chargeback_file(chargeback_id=filed.pk, acquirer_reference="ARN", actor=analyst, now=warsaw(2025, 6, 1))
    fourteen_days_before = warsaw(2025, 9, 24) - timedelta(days=14)  # the window ends with 23 September

    def sweep(at):
        return chargebacks_alert_filing_due(now=at, within=timedelta(days=14), batch_size=10)

    assert sweep(fourteen_days_before - timedelta(seconds=1)) == 0
    assert sweep(fourteen_days_before) == 1  # the drafted one only: the filed one needs no alert
    assert sweep(fourteen_days_before + timedelta(days=1)) == 0

    draft = case.chargebacks.get(transaction=theft.atm)
    assert draft.alerted_at == fourteen_days_before
    assert [key for key, _ in events(case, CaseEvent.Kind.CHARGEBACK_ALERT)] == [
        f"chargeback-alert:{draft.pk}"
    ]


def test_the_deemed_acceptance_sweep_works_in_bounded_batches(db, eur_rates, analyst):
    first = submitted_case(make_theft(username="first"), analyst)
    second = submitted_case(make_theft(username="second"), analyst, received_at=warsaw(2025, 5, 26, 11, 0))

    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT, batch_size=1) == 1
    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT, batch_size=1) == 1
    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT, batch_size=1) == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("DEEMED_ACCEPTED", "DEEMED_ACCEPTED")
    # Nothing was refunded before: the acceptance path refunds all of it.
    assert sorted(second.ledger_entries.values_list("kind", "amount")) == [
        ("FINAL_REFUND", Decimal("120.00")),
        ("FINAL_REFUND", Decimal("800.00")),
    ]
    assert first.reply_due_on == date(2025, 6, 25)
