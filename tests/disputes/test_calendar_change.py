"""A change of the bank's calendar moves the business-day deadlines of open cases, and says so in each."""

from datetime import date

import pytest

from deadlines.services import calendar_override_remove, calendar_override_set
from disputes import tasks
from disputes.models import CaseEvent
from disputes.services import case_refund_provisionally, case_start_review, cases_recompute_deadlines
from tests.disputes.conftest import make_theft, submitted_case, warsaw

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED_DAY = date(2025, 5, 27)  # the Tuesday the D+1 refund of a claim of Monday 26 May is due


def recomputed(case):
    return list(
        case.events.filter(kind=CaseEvent.Kind.DEADLINES_RECOMPUTED)
        .order_by("pk")
        .values_list("data", flat=True)
    )


def test_a_closure_day_moves_the_refund_and_payment_services_reply_of_open_cases_only(
    eur_rates, analyst, supervisor, settings, celery_worker
):
    complaints_act = submitted_case(make_theft(username="ca"), analyst)
    case_start_review(case_id=complaints_act.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=complaints_act.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    settings.KARTOSFERA_POLICIES = {
        **settings.KARTOSFERA_POLICIES,
        "REPLY_REGIME_BY_CATEGORY": {"UNAUTHORISED_TRANSACTION": "PAYMENT_SERVICES"},
    }
    payment_services = submitted_case(make_theft(username="ps"), analyst)
    assert (payment_services.refund_due_on, payment_services.reply_rule, payment_services.reply_due_on) == (
        date(2025, 5, 27),
        "UUP-PS-15",
        date(2025, 6, 16),
    )

    # After commit the hook queues the recompute task; this second one finds nothing more to move.
    calendar_override_set(day=CLOSED_DAY, kind="CLOSED", reason="Core banking migration", actor=supervisor)
    assert tasks.recompute_deadlines.delay(day=CLOSED_DAY.isoformat()).get(timeout=30) == {
        "day": "2025-05-27",
        "changed": 0,
    }

    payment_services.refresh_from_db()
    assert (payment_services.refund_due_on, payment_services.refund_due_at) == (
        date(2025, 5, 28),
        warsaw(2025, 5, 29),
    )
    assert payment_services.reply_due_on == date(2025, 6, 17)
    [moved] = recomputed(payment_services)
    assert moved["changed_on"] == "2025-05-27"
    assert (moved["refund"]["from"], moved["refund"]["to"], moved["refund"]["rule"]) == (
        "2025-05-27",
        "2025-05-28",
        "UUP-46-1",
    )
    assert (moved["reply"]["from"], moved["reply"]["to"], moved["reply"]["rule"]) == (
        "2025-06-16",
        "2025-06-17",
        "UUP-PS-15",
    )
    assert "2025-05-27" in moved["refund"]["explanation_en"]
    assert payment_services.deadline_explanations["refund"]["due_date"] == "2025-05-28"
    # Refunded already, and a Complaints Act reply ignores the bank's closures (KC-115): unchanged.
    complaints_act.refresh_from_db()
    assert (complaints_act.reply_due_on, recomputed(complaints_act)) == (date(2025, 6, 25), [])

    calendar_override_remove(day=CLOSED_DAY, actor=supervisor)
    tasks.recompute_deadlines.delay(day=CLOSED_DAY.isoformat()).get(timeout=30)

    payment_services.refresh_from_db()
    assert (payment_services.refund_due_on, payment_services.reply_due_on) == (
        date(2025, 5, 27),
        date(2025, 6, 16),
    )
    assert [(m["refund"]["to"], m["reply"]["to"]) for m in recomputed(payment_services)] == [
        ("2025-05-28", "2025-06-17"),
        ("2025-05-27", "2025-06-16"),
    ]


@pytest.mark.django_db
def test_recompute_works_in_batches_and_only_moves_what_changed(eur_rates, analyst, supervisor, settings):
    settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS = []  # the service is called here, not by the hook
    settings.KARTOSFERA_POLICIES = {
        **settings.KARTOSFERA_POLICIES,
        "REPLY_REGIME_BY_CATEGORY": {"UNAUTHORISED_TRANSACTION": "PAYMENT_SERVICES"},
    }
    cases = [submitted_case(make_theft(username=f"c{n}"), analyst) for n in range(3)]
    now = warsaw(2025, 5, 26, 13, 0)
    # 2 June is after every D+1 deadline but inside the 15 business days: only the replies move.
    calendar_override_set(day=date(2025, 6, 2), kind="CLOSED", reason="migration", actor=supervisor)
    assert cases_recompute_deadlines(changed_on=date(2025, 6, 2), now=now, batch_size=2) == 3
    calendar_override_set(day=CLOSED_DAY, kind="CLOSED", reason="Core banking migration", actor=supervisor)
    assert cases_recompute_deadlines(changed_on=CLOSED_DAY, now=now, batch_size=2) == 3
    assert cases_recompute_deadlines(changed_on=CLOSED_DAY, now=now, batch_size=2) == 0

    for case in cases:
        case.refresh_from_db()
        assert (case.refund_due_on, case.reply_due_on) == (date(2025, 5, 28), date(2025, 6, 18))
        assert [sorted(k for k in data if k in ("refund", "reply")) for data in recomputed(case)] == [
            ["reply"],
            ["refund", "reply"],
        ]
