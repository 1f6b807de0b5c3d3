"""Celery tasks of the letters app."""

import logging
from dataclasses import asdict
from pathlib import Path

from celery import shared_task
from django.conf import settings

from kartosfera import clock
from letters.batch import render_letters_to_directory
from letters.rules import LetterDataError
from letters.selectors import letter_request_ids_pending
from letters.services import letter_issue
from letters.snapshot import LetterSnapshot

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def render_batch_chunk(*, letter_type: str, snapshots: list[str], output_dir: str) -> list[dict]:
    """Render a chunk of letters (snapshots as JSON) to PDF files in ``output_dir``; safe to retry."""
    parsed = [LetterSnapshot.from_json(text) for text in snapshots]
    items = render_letters_to_directory(
        letter_type=letter_type, snapshots=parsed, output_dir=Path(output_dir)
    )
    return [asdict(item) for item in items]


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def issue_letter(*, letter_request_id: int) -> int | None:
    """Issue the letter a workflow request calls for; idempotent (a retry returns the same letter).

    A request the case cannot make yet (no postal address, no signatory's position...) stays pending
    and is logged; the beat sweep tries it again once the data is there.
    """
    try:
        return letter_issue(letter_request_id=letter_request_id, actor=None, now=clock.now()).pk
    except LetterDataError:
        logger.warning("letter request %s cannot be issued yet", letter_request_id, exc_info=True)
        return None


@shared_task
def issue_pending_letters(*, limit: int | None = None) -> int:
    """Beat sweep: queue a bounded batch of the pending letter requests, so none is ever lost."""
    limit = limit or settings.KARTOSFERA_LETTERS_SWEEP_BATCH
    ids = letter_request_ids_pending(limit=limit)
    for letter_request_id in ids:
        issue_letter.delay(letter_request_id=letter_request_id)
    return len(ids)
