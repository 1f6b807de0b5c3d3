"""Celery tasks of the letters app."""

from dataclasses import asdict
from pathlib import Path

from celery import shared_task
from django.conf import settings

from kartosfera import clock
from letters.batch import render_letters_to_directory
from letters.selectors import letter_request_ids_due
from letters.services import letter_request_process, letters_email_send
from letters.snapshot import LetterSnapshot


@shared_task(acks_late=True)
def render_batch_chunk(*, letter_type: str, snapshots: list[str], output_dir: str) -> list[dict]:
    """Render a chunk of letters (snapshots as JSON) to PDF files in ``output_dir``; safe to retry."""
    parsed = [LetterSnapshot.from_json(text) for text in snapshots]
    items = render_letters_to_directory(
        letter_type=letter_type, snapshots=parsed, output_dir=Path(output_dir)
    )
    return [asdict(item) for item in items]


# retry_backoff_max below the broker's visibility timeout (settings): a longer countdown is redelivered.
@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=240, max_retries=5
)
def issue_letter(*, letter_request_id: int) -> int | None:
    """Issue the letter a workflow request calls for; idempotent (a retry returns the same letter).

    A request the case cannot make (no postal address, no signatory's position...) is held with its
    reason for staff, logged once, and tried again by the beat sweep after a while; None meanwhile.
    """
    outcome = letter_request_process(letter_request_id=letter_request_id, actor=None, now=clock.now())
    return outcome.letter.pk if outcome.letter is not None else None


# A mail server that is down (OSError, smtplib's errors among them) is tried again; the outbox sweep
# publishes the task again should its message be lost.
@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=240, max_retries=5
)
def send_letters_by_email(*, case_id: int) -> list[int]:
    """E-mail the case's letters the customer asked to get by e-mail, recording each dispatch as it
    leaves; idempotent (a letter sent is not sent again). The ids of the letters it sent."""
    return [letter.pk for letter in letters_email_send(case_id=case_id, now=clock.now())]


@shared_task(acks_late=True)
def issue_letters(*, letter_request_ids: list[int]) -> int:
    """Fan out the letters one committed transaction asked for (a claim's submission, a sweep's batch).

    The transaction publishes this one message whatever the number of its letters, so the request
    that committed it pays for one broker publish; here each letter becomes a task of its own, which
    any letters worker process takes, so they render side by side. Safe to run again: ``issue_letter``
    is idempotent, and the beat sweep issues whatever a lost message left pending.
    """
    for letter_request_id in letter_request_ids:
        issue_letter.delay(letter_request_id=letter_request_id)
    return len(letter_request_ids)


@shared_task
def issue_pending_letters(*, limit: int | None = None) -> int:
    """Beat sweep: queue a bounded batch of the pending letter requests, so none is ever lost.

    Held requests come after the others, and only once their retry interval has passed.
    """
    limit = limit or settings.KARTOSFERA_LETTERS_SWEEP_BATCH
    ids = letter_request_ids_due(limit=limit, now=clock.now())
    for letter_request_id in ids:
        issue_letter.delay(letter_request_id=letter_request_id)
    return len(ids)
