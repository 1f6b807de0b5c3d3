# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""Print batch numbers rise with the time the batches were made, and a batch is posted after it was
made: an auditor reading the print room's batches reads them in date order."""

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from disputes.services import case_refund_provisionally, case_start_review
from letters.models import Letter, PrintBatch
from letters.services import (
    PrintBatchOutOfOrder,
    letter_request_process,
    print_batch_assemble,
    print_batch_mark_posted,
)
from tests.disputes.conftest import submitted_case, warsaw
from tests.letters.test_issue import _media, analyst, eur_rates, theft  # noqa: F401

pytestmark = pytest.mark.django_db


def _two_letters(theft, analyst):
    """The acknowledgement issued Mon 2025-05-26 11:05, the refund letter Tue 2025-05-27 09:05."""
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 27, 9, 0))
    acknowledgement, refund = case.letter_requests.order_by("pk")
    letter_request_process(letter_request_id=acknowledgement.pk, actor=None, now=warsaw(2025, 5, 26, 11, 5))
    letter_request_process(letter_request_id=refund.pk, actor=None, now=warsaw(2025, 5, 27, 9, 5))
    return case


def test_a_batch_is_not_made_at_a_moment_before_the_latest_batch(theft, eur_rates, analyst):
    _two_letters(theft, analyst)
    later = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 26, 14, 0))

    # The refund letter was issued by 27 May 09:05; a batch "made" at 10:00 that day would be fine,
    # but one recorded on the 25th, before batch ``later``, would get a higher number for an earlier day.
    with pytest.raises(PrintBatchOutOfOrder):
        print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 25, 14, 0))

    assert list(PrintBatch.objects.values_list("pk", flat=True)) == [later.pk]
    assert Letter.objects.filter(print_batch_entry__isnull=True).count() == 1
    following = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 27, 14, 0))
    assert following.pk > later.pk and following.created_at > later.created_at


def test_a_batch_is_not_posted_before_it_was_made(theft, eur_rates, analyst):
    case = _two_letters(theft, analyst)
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 27, 14, 0))

    with pytest.raises(PrintBatchOutOfOrder):
        print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 5, 27, 13, 59))

    batch.refresh_from_db()
    assert (batch.posted_at, batch.posted_by) == (None, None)
    assert not Letter.objects.filter(case=case, dispatched_at__isnull=False).exists()


requires_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="two batches made at once need two PostgreSQL connections (`make test-services`); SQLite "
    "runs one writer at a time",
)


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_batches_made_at_the_same_moment_are_numbered_in_time(theft, eur_rates, analyst, settings):
    _two_letters(theft, analyst)
    settings.KARTOSFERA_PRINT_BATCH_MAX = 1  # one letter each: both batches find a letter to print
    made, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def later_batch() -> None:
        # Made at 14:00, still committing when the other is made "at 13:00" (a server whose clock is behind).
        try:
            with transaction.atomic():
                outcomes["later"] = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 27, 14, 0))
                made.set()
                release.wait(timeout=30)
        finally:
            made.set()
            connection.close()

    def earlier_batch() -> None:
        made.wait(timeout=30)
        try:
            outcomes["earlier"] = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 27, 13, 0))
        except PrintBatchOutOfOrder as error:
            outcomes["earlier"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=later_batch), threading.Thread(target=earlier_batch)]
    for thread in threads:
        thread.start()
    threads[1].join(timeout=2)  # it waits for the later batch's transaction, or (unserialised) does not
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    assert isinstance(outcomes["earlier"], PrintBatchOutOfOrder)
    assert list(PrintBatch.objects.order_by("pk").values_list("created_at", flat=True)) == [
        warsaw(2025, 5, 27, 14, 0)
    ]
    assert Letter.objects.filter(print_batch_entry__isnull=True).count() == 1
