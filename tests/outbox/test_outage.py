"""Nothing lost or stuck when the broker is down (docs/OUTBOX.md).

Both setups (``make test``: SQLite, eager tasks; ``make test-services``: PostgreSQL and a real worker
on Redis). The broker is taken to a closed port: a claim filed from the portal, a D+1 refund and an
export each answer at once, nothing raises after the commit, and what they asked for waits in the
outbox. The broker comes back, the sweep publishes the rows, and everything completes.
"""

import time
from datetime import timedelta

import pytest
from django.urls import reverse

from customers.models import Notification
from disputes.models import Case, CaseLetterRequest, CaseState, EstimateStatus
from disputes.services import case_assign, case_start_review
from kartosfera import clock
from letters.models import Letter, LetterRequestHold
from outbox.models import OutboxMessage, OutboxOutcome
from outbox.services import outbox_sweep
from reports.models import ExportJob, ExportState
from tests.backoffice.conftest import sign_in
from tests.disputes.conftest import staff
from tests.disputes.test_no_nbp_call_in_requests import file_from_the_portal

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT_FORM = {"kind": "CASES", "file_format": "CSV", "from_date": "2025-05-26", "to_date": "2025-05-31"}


def finished(messages: list[OutboxMessage], timeout: float = 120.0) -> list[OutboxMessage]:
    """The rows once a worker has run them all (at once in eager mode)."""
    ids = [message.pk for message in messages]
    deadline = time.monotonic() + timeout
    while True:
        rows = list(OutboxMessage.objects.filter(pk__in=ids).order_by("pk"))
        if all(row.finished_at for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def eventually(read, expected=EstimateStatus.ESTIMATED, timeout: float = 60.0):
    """``read()`` once it returns ``expected``, or its last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def test_requests_answer_during_an_outage_and_their_work_completes_once_the_broker_is_back(
    nbp, stolen, analyst, client, broker, celery_worker, caplog
):
    broker.down()
    theft, payment = stolen
    auditor = staff("auditor", "auditors")

    # A claim from the portal: filed (its rate is not stored: it waits for it), its letter asked for,
    # the customer told (text and e-mail).
    case, response = file_from_the_portal(client, theft, payment)
    assert response["Location"] == f"/claims/{case.pk}/submitted/"
    assert (case.state, case.estimate_status) == (CaseState.SUBMITTED, EstimateStatus.WAITING_FOR_RATE)
    claim_rows = list(OutboxMessage.objects.order_by("pk"))
    assert [row.task for row in claim_rows] == [
        "letters.tasks.issue_letters",
        "disputes.tasks.fetch_rates_then_estimate",
        "customers.tasks.deliver_notifications",
    ]

    # The D+1 refund from the back office.
    case_assign(case_id=case.pk, assignee=analyst, actor=analyst, now=clock.now())
    case_start_review(case_id=case.pk, actor=analyst, now=clock.now())
    client.logout()
    response = sign_in(client, analyst).post(f"/back-office/cases/{case.pk}/refund/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.refunded_at is not None
    refund_letter = CaseLetterRequest.objects.get(case=case, letter_type="PROVISIONAL_REFUND")

    # An export; asked for again, the same job (it is not stuck: its row waits for the broker).
    client.logout()
    response = sign_in(client, auditor).post(reverse("reports:exports"), EXPORT_FORM)
    job = ExportJob.objects.get()
    assert response.url == reverse("reports:export_detail", args=[job.pk])
    again = client.post(reverse("reports:exports"), EXPORT_FORM)
    assert again.url == reverse("reports:export_detail", args=[job.pk])
    assert ExportJob.objects.get().state == ExportState.QUEUED

    rows = list(OutboxMessage.objects.order_by("pk"))
    assert rows[-1].task == "reports.tasks.export_run" and rows[-1].kwargs == {"job_id": job.pk}
    assert {row.task for row in rows} >= {"letters.tasks.issue_letters", "reports.tasks.export_run"}
    assert all(row.published_at is None and row.finished_at is None for row in rows)
    assert all(row.publish_attempts == 1 and row.last_error for row in rows)
    assert not [record for record in caplog.records if record.levelname == "ERROR"]  # nothing raised
    assert not Letter.objects.exists()

    # Still down: the sweep publishes nothing and leaves the rows as they were.
    assert outbox_sweep(now=clock.now() + timedelta(minutes=1)) == 0

    broker.back()
    assert outbox_sweep(now=clock.now() + timedelta(minutes=1)) == len(rows)

    assert {row.outcome for row in finished(rows)} == {OutboxOutcome.DONE}
    # The rate fetch and the estimate run as a chain the worker's task started.
    assert eventually(lambda: Case.objects.get(pk=case.pk).estimate_status) == EstimateStatus.ESTIMATED
    assert ExportJob.objects.get(pk=job.pk).state == ExportState.DONE
    # The messages to the customer (claim received; the refund is told once the core system confirms its
    # credit) left once the broker was back.
    unsent = Notification.objects.filter(customer=case.customer, sent_at__isnull=True)
    assert Notification.objects.filter(customer=case.customer).exists()
    assert eventually(unsent.count, expected=0) == 0

    # Each letter asked for was made, or held for staff with its reason (the demo customer's address).
    # (issue_letters fans out a task per letter, which the worker runs after it.)
    def settled(request) -> bool:
        made = Letter.objects.filter(letter_request=request).exists()
        return made or LetterRequestHold.objects.filter(letter_request=request).exists()

    for request in CaseLetterRequest.objects.filter(case=case):
        # Generous: on a loaded machine the worker may still be busy with the letters before these.
        assert eventually(lambda request=request: settled(request), expected=True, timeout=180), (
            request.letter_type
        )
    assert CaseLetterRequest.objects.filter(pk=refund_letter.pk).exists()
