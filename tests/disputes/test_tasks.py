"""The Celery tasks, in both modes: eager (SQLite) and `make test-services` (PostgreSQL, a real worker).

The worker reads the real clock: the claim of these tests was received in May 2025, so by now every
deadline of it has passed.
"""

import time
from datetime import timedelta

import pytest
from billiard.exceptions import WorkerLostError

from demo.letter_samples import sample_snapshot
from disputes import tasks
from disputes.models import CaseEvent, CaseState
from disputes.services import case_start_review
from kartosfera.clock import today_warsaw
from kartosfera.legaltime import day_end
from letters.rules import LetterType
from letters.tasks import render_batch_chunk
from tests.conftest import queue_length, requires_services
from tests.disputes.conftest import warsaw
from tests.disputes.helpers import ledger

pytestmark = pytest.mark.django_db(transaction=True)


def _filing_windows_closing(case) -> None:
    """The case's filing windows end in five days (the worker reads the real clock): closing, not missed
    (their own ended on 23 September 2025, and a window already missed is never alerted)."""
    due_on = today_warsaw() + timedelta(days=5)
    case.chargebacks.update(filing_due_on=due_on, filing_due_at=day_end(due_on))


def test_the_beat_sweeps_run_as_tasks_and_twice_is_once(case, celery_worker):
    _filing_windows_closing(case)
    assert tasks.sweep_refund_escalations.delay().get(timeout=30) == {"escalated": 1}
    assert tasks.sweep_refund_escalations.delay().get(timeout=30) == {"escalated": 0}
    assert tasks.sweep_chargeback_alerts.delay().get(timeout=30) == {"alerted": 2}
    assert tasks.sweep_chargeback_alerts.delay().get(timeout=30) == {"alerted": 0}
    assert tasks.sweep_reply_reminders.delay().get(timeout=30) == {"reminded": 0}  # already overdue
    assert tasks.sweep_deemed_accepted.delay().get(timeout=30) == {"deemed_accepted": 1}
    assert tasks.sweep_deemed_accepted.delay().get(timeout=30) == {"deemed_accepted": 0}
    assert tasks.sweep_waiting_estimates.delay().get(timeout=30) == {"completed": 0}

    case.refresh_from_db()
    assert case.state == CaseState.DEEMED_ACCEPTED
    assert case.events.filter(kind=CaseEvent.Kind.REFUND_ESCALATED).count() == 1
    assert sorted(kind for _, kind, _ in ledger(case)) == ["FINAL_REFUND", "FINAL_REFUND"]


def test_a_refund_task_that_crashes_after_its_write_is_retried_without_refunding_again(
    case, theft, analyst, celery_worker, monkeypatch
):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    real_refund = tasks.services.case_refund_provisionally

    def crash_after_commit(**kwargs):
        real_refund(**kwargs)
        raise WorkerLostError("the worker died after the refund was committed, before the ack")

    monkeypatch.setattr(tasks.services, "case_refund_provisionally", crash_after_commit)
    with pytest.raises(WorkerLostError):
        tasks.refund_provisionally.apply(kwargs={"case_id": case.pk, "actor_id": analyst.pk}).get()
    monkeypatch.undo()
    written = ledger(case)

    # The broker redelivers the message (acks_late): the retry runs in the worker.
    retried = tasks.refund_provisionally.delay(case_id=case.pk, actor_id=analyst.pk).get(timeout=30)

    assert written == [
        (theft.atm.pk, "PROVISIONAL_REFUND", case.disputed.get(transaction=theft.atm).amount),
        (theft.contactless.pk, "PROVISIONAL_REFUND", case.disputed.get(transaction=theft.contactless).amount),
    ]
    assert retried["created"] is False
    assert [entry["transaction"] for entry in retried["entries"]] == [theft.atm.pk, theft.contactless.pk]
    assert ledger(case) == written
    assert case.transitions.filter(name="refund_provisionally").count() == 1
    assert case.letter_requests.filter(letter_type="PROVISIONAL_REFUND").count() == 1


def test_a_full_batch_queues_the_sweep_again_until_the_backlog_is_cleared(case, celery_worker):
    # The case has two drafted chargebacks whose filing window is closing: a batch of one leaves one.
    _filing_windows_closing(case)
    assert tasks.sweep_chargeback_alerts.delay(batch_size=1).get(timeout=30) == {"alerted": 1}

    deadline = time.monotonic() + 30
    while case.chargebacks.filter(alerted_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.2)  # with a real worker, the follow-up run is its own task
    assert not case.chargebacks.filter(alerted_at__isnull=True).exists()
    assert case.events.filter(kind=CaseEvent.Kind.CHARGEBACK_ALERT).count() == 2


def test_letters_have_a_queue_of_their_own():
    from kartosfera.celery import app

    def queue_of(task: str) -> str:
        return app.amqp.router.route({}, task)["queue"].name

    names = ("issue_letter", "issue_letters", "issue_pending_letters")
    assert [queue_of(f"letters.tasks.{name}") for name in names] == ["letters"] * 3
    assert queue_of("letters.tasks.render_batch_chunk") == "letters"
    assert queue_of("disputes.tasks.refund_provisionally") == "celery"
    assert queue_of("disputes.tasks.sweep_deemed_accepted") == "celery"
    assert queue_of("reports.tasks.export_run") == "celery"
    # Each queue has its own binding, so a message lands in its queue only (never in both, run twice).
    bindings = {name: (queue.exchange.name, queue.routing_key) for name, queue in app.amqp.queues.items()}
    assert bindings == {"celery": ("celery", "celery"), "letters": ("celery", "letters")}


@requires_services
def test_a_letters_backlog_does_not_hold_back_a_refund(case, analyst, celery_worker, tmp_path):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    acknowledgement = LetterType.CLAIM_ACKNOWLEDGEMENT
    # A mass incident's acknowledgements, queued before the refund: six tasks of two letters each.
    backlog = [
        render_batch_chunk.delay(
            letter_type=acknowledgement.value,
            snapshots=[
                sample_snapshot(acknowledgement, reference=f"KB/REK/2025/{chunk:03d}{n:03d}").to_json()
                for n in range(2)
            ],
            output_dir=str(tmp_path),
        )
        for chunk in range(6)
    ]

    refund = tasks.refund_provisionally.delay(case_id=case.pk, actor_id=analyst.pk).get(timeout=120)
    letters_still_waiting = queue_length("letters")

    assert refund["created"] is True
    # One worker process consumes both queues: the refund was taken at the first free moment, after at
    # most the letter task already running, not behind the backlog (one queue would have made it last).
    assert letters_still_waiting >= 4
    assert [len(result.get(timeout=120)) for result in backlog] == [2] * 6
