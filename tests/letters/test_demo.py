"""The demo's letters are dated by their cases' history: issued when the step that asked for them was
taken, and posted in the print room's daily batches, as if the demo had run for weeks."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from deadlines.selectors import bank_calendar
from demo import seed_demo
from disputes.models import Case, CaseLetterRequest, CaseState
from kartosfera.legaltime import warsaw_date
from letters.models import Letter, PrintBatch, PrintBatchLetter
from letters.selectors import letters_awaiting_post
from letters.snapshot import LetterSnapshot
from reports.exports.services import export_path
from reports.models import ExportJob

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)  # Saturday 10:30 in Warsaw


@pytest.fixture
def seeded(settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo seeded and committed at NOW: what runs after the commit (the outbox) runs too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        seed_demo(now=NOW)


def test_the_demo_letters_are_dated_by_their_cases_history(seeded):
    today = warsaw_date(NOW)

    # Every letter the demo's cases asked for, issued a moment after the step that asked for it. The
    # sweeps run after the seeding commits, as of NOW: the letters they ask for are the letters
    # worker's after that commit (eager here, a real worker on Redis under `make test-services`).
    pending = CaseLetterRequest.objects.filter(fulfilled_at__isnull=True)
    assert not pending.filter(requested_at__lt=NOW).exists()
    assert set(pending.values_list("letter_type", flat=True)) <= {"DECISION_ACCEPTED"}
    for letter in Letter.objects.select_related("letter_request", "case"):
        asked_at = letter.letter_request.requested_at
        assert asked_at <= letter.issued_at <= asked_at + timedelta(minutes=1), letter.case.number
        assert warsaw_date(letter.issued_at) == warsaw_date(asked_at), letter.case.number
    # So no acknowledgement promises a refund or a reply on a day already past when it was written.
    acknowledgements = Letter.objects.filter(letter_type="CLAIM_ACKNOWLEDGEMENT").select_related("case")
    assert acknowledgements.count() == Case.objects.exclude(received_at=None).count()
    for letter in acknowledgements:
        snapshot = LetterSnapshot.from_dict(letter.snapshot)
        assert snapshot.deadlines is not None
        assert snapshot.issued_on == warsaw_date(letter.case.received_at), letter.case.number
        assert snapshot.deadlines.refund_due_on >= snapshot.issued_on, letter.case.number
        assert snapshot.deadlines.reply_due_on > snapshot.issued_on, letter.case.number
    # Paper letters went out in the print room's daily batches, each made after its letters' issue;
    # only those issued since yesterday's batch wait for today's, and the print room shows them.
    waiting = list(letters_awaiting_post(now=NOW))
    assert waiting
    assert all(warsaw_date(letter.issued_at) >= today - timedelta(days=1) for letter in waiting)
    for entry in PrintBatchLetter.objects.select_related("batch", "letter"):
        batch, letter = entry.batch, entry.letter
        assert batch.posted_at is not None and warsaw_date(batch.posted_at) < today
        assert letter.issued_at <= batch.created_at < batch.posted_at, letter.pk
        assert (letter.dispatched_at, letter.dispatch_channel) == (batch.posted_at, "POST")
    # One batch a day, and their numbers rise with the time they were made, as an auditor reads them.
    made = list(PrintBatch.objects.order_by("pk").values_list("created_at", flat=True))
    assert made and made == sorted(made)
    assert len({warsaw_date(at) for at in made}) == len(made)
    # The print room works on business days only (CAL-BD): no batch made or posted on a Saturday, a
    # Sunday or a Polish holiday.
    calendar = bank_calendar()
    for made_at, posted_at in PrintBatch.objects.values_list("created_at", "posted_at"):
        assert calendar.is_business_day(warsaw_date(made_at)), made_at
        assert calendar.is_business_day(warsaw_date(posted_at)), posted_at
    # The case closed once its reply was posted counts the decision letter's dispatch as the reply.
    closed = Case.objects.get(state=CaseState.CLOSED)
    decision = Letter.objects.get(case=closed, letter_type="DECISION_REJECTED")
    assert closed.reply_dispatched_at == decision.dispatched_at
    assert closed.closed_at is not None
    assert decision.issued_at < decision.dispatched_at < closed.closed_at


def test_seeding_the_demo_in_a_test_leaves_the_project_s_export_files_alone(seeded, tmp_path):
    # The demo's seeding exports last month's cases; a test's copy replaced a running demo's file.
    job = ExportJob.objects.get()

    assert export_path(job).is_file()
    assert export_path(job).is_relative_to(tmp_path)


def test_the_letters_of_a_customer_who_asked_for_e_mail_leave_by_e_mail_as_they_are_issued(
    mailoutbox, seeded
):
    by_email = Letter.objects.filter(case__reply_delivery="EMAIL").select_related("case__customer")

    assert by_email.exists()
    # Olena asked on the phone to get the bank's letters by e-mail: each left as it was issued, none
    # went to the print room.
    assert {letter.case.customer.first_name for letter in by_email} == {"Olena"}
    for letter in by_email:
        assert (letter.dispatch_channel, letter.dispatched_at) == ("EMAIL", letter.issued_at), letter.pk
    assert not PrintBatchLetter.objects.filter(letter__in=by_email).exists()
    assert {"CLAIM_ACKNOWLEDGEMENT", "INFORMATION_REQUEST"} <= set(
        by_email.values_list("letter_type", flat=True)
    )
    # Each letter once, as a PDF attached (her other e-mails are the portal's notifications, sent when
    # the seeding commits, with no attachment).
    to_olena = [message for message in mailoutbox if message.to == ["olena.shevchenko@example.com"]]
    letters = [message for message in to_olena if message.attachments]
    assert len(letters) == by_email.count()
    assert all(
        [name for name, _content, kind in message.attachments if kind == "application/pdf"]
        for message in letters
    )
