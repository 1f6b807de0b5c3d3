"""The replay of a case's computations from the audit log survives a later change of the bank's calendar."""

from datetime import date

import pytest

from audit.models import AuditEntry
from audit.selectors import case_replay
from deadlines.services import calendar_override_set
from disputes import tasks
from tests.disputes.conftest import make_theft, submitted_case, warsaw

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED_DAY = date(2025, 5, 27)  # the Tuesday the D+1 refund of a claim of Monday 26 May is due


def deadlines_of(replay):
    return [
        (step.occasion, step.name, step.rule_ids, step.result["due_date"])
        for step in replay
        if step.engine == "deadlines" and step.name in ("refund", "reply")
    ]


def test_the_replay_explains_the_original_dates_and_the_recomputation(
    eur_rates, analyst, supervisor, settings, celery_worker
):
    settings.KARTOSFERA_POLICIES = {
        **settings.KARTOSFERA_POLICIES,
        "REPLY_REGIME_BY_CATEGORY": {"UNAUTHORISED_TRANSACTION": "PAYMENT_SERVICES"},
    }
    case = submitted_case(make_theft(username="ps"), analyst)
    original = case.deadline_explanations

    # After commit the hook queues the recompute in the worker (the system, channel SYSTEM).
    calendar_override_set(day=CLOSED_DAY, kind="CLOSED", reason="Core banking migration", actor=supervisor)
    tasks.recompute_deadlines.delay(day=CLOSED_DAY.isoformat()).get(timeout=30)

    case.refresh_from_db()
    assert (case.refund_due_on, case.reply_due_on) == (date(2025, 5, 28), date(2025, 6, 17))
    replay = case_replay(case_id=case.pk)
    assert deadlines_of(replay) == [
        ("submit", "refund", ["UUP-46-1"], "2025-05-27"),
        ("submit", "reply", ["UUP-PS-15"], "2025-06-16"),
        ("DEADLINES_RECOMPUTED", "refund", ["UUP-46-1"], "2025-05-28"),
        ("DEADLINES_RECOMPUTED", "reply", ["UUP-PS-15"], "2025-06-17"),
    ]
    refund_then, reply_then, refund_now, reply_now = [
        step for step in replay if step.engine == "deadlines" and step.name in ("refund", "reply")
    ]
    # The case itself now explains the new dates only; the log still explains the original ones.
    assert case.deadline_explanations["refund"]["explanation_en"] != original["refund"]["explanation_en"]
    assert (refund_then.explanation_en, refund_then.explanation_pl) == (
        original["refund"]["explanation_en"],
        original["refund"]["explanation_pl"],
    )
    assert [step["day"] for step in refund_then.result["steps"]] == [
        step["day"] for step in original["refund"]["steps"]
    ]
    assert reply_then.explanation_en == original["reply"]["explanation_en"]
    assert refund_then.inputs == {"received_at": "2025-05-26T08:00:00.000000Z", "found_at": None}
    assert reply_then.inputs == {
        "received_at": "2025-05-26T08:00:00.000000Z",
        "regime": "PAYMENT_SERVICES",
        "extended": False,
    }
    assert (refund_now.explanation_en, reply_now.explanation_en) == (
        case.deadline_explanations["refund"]["explanation_en"],
        case.deadline_explanations["reply"]["explanation_en"],
    )
    assert "2025-05-27" in refund_now.explanation_en
    assert refund_now.inputs == refund_then.inputs  # same claim, another calendar
    assert refund_then.sequence < refund_now.sequence
    assert refund_then.recorded_at == warsaw(2025, 5, 26, 10, 0)

    # The recomputation was the system's, in the worker; the estimate is replayed with its inputs.
    recomputed = AuditEntry.objects.get(action="case.deadlines_recomputed")
    assert (recomputed.actor_id, recomputed.role, recomputed.channel) == (None, "SYSTEM", "SYSTEM")
    assert recomputed.before == {
        "refund_due_at": "2025-05-27T22:00:00.000000Z",
        "refund_due_on": "2025-05-27",
        "reply_due_at": "2025-06-16T22:00:00.000000Z",
        "reply_due_on": "2025-06-16",
    }
    [estimate] = [step for step in replay if step.engine == "liability"]
    assert (estimate.name, estimate.occasion, estimate.inputs["cause"]) == ("ESTIMATE", "", "STOLEN")
    assert (estimate.rule_ids, estimate.result["customer_total"], estimate.result["bank_total"]) == (
        ["UUP-46-2-CAP", "UUP-46-NO-SCA"],
        "212.71",
        "707.29",
    )
    assert estimate.result == case.assessments.get(kind="ESTIMATE").result
    assert [step.name for step in replay if step.name in ("window", "chargeback_filing")] == [
        "window",
        "window",
        "chargeback_filing",
        "chargeback_filing",
    ]
