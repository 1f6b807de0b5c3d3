"""Concurrent appends, single and bulk, on PostgreSQL keep one linear, gapless chain: sealed in the
writing transaction (the sealer's lock held to commit) or after each commit by racing sealers."""

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import AuditEvent, audit_record, audit_record_many
from tests.audit.helpers import postgresql_only

THREADS = 8
APPENDS_PER_THREAD = 25


def _run_in_threads(append) -> None:
    """Run ``append(thread)`` in THREADS threads released together; fail on any thread's error."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(thread: int) -> None:
        try:
            start.wait()
            append(thread)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(thread,)) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


def _assert_gapless(total: int) -> None:
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))


def _assert_every_append_written_once_and_the_chain_verifies(total: int) -> None:
    written = sorted(
        (entry["thread"], entry["n"]) for entry in AuditEntry.objects.values_list("data", flat=True)
    )
    assert written == sorted((thread, n) for thread in range(THREADS) for n in range(APPENDS_PER_THREAD))
    report = audit_chain_verify()
    assert (report.ok, report.entries_checked, report.head.sequence) == (True, total, total)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sealing", ["IN_TRANSACTION", "AFTER_COMMIT"])
def test_concurrent_appends_produce_a_valid_chain(now, settings, sealing):
    settings.KARTOSFERA_AUDIT_SEALING = sealing

    def append(thread: int) -> None:
        for number in range(APPENDS_PER_THREAD):
            # Each append in its own transaction, as a service's would be, held a moment after the
            # append (IN_TRANSACTION: the others queue on the head row; AFTER_COMMIT: they do not,
            # and each thread's sealer races the others' after its commit).
            with transaction.atomic():
                audit_record(
                    action="test.concurrent_append",
                    actor=None,
                    data={"thread": thread, "n": number},
                    now=now,
                )
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.001)")

    _run_in_threads(append)
    total = THREADS * APPENDS_PER_THREAD
    _assert_gapless(total)
    _assert_every_append_written_once_and_the_chain_verifies(total)


BATCH = 5


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_bulk_and_single_appends_racing_produce_one_valid_chain(now):
    def append(thread: int) -> None:
        for number in range(0, APPENDS_PER_THREAD, BATCH):
            with transaction.atomic():
                numbers = range(number, min(number + BATCH, APPENDS_PER_THREAD))
                if thread % 2:
                    # A sweep's batch: one lock, one multi-row INSERT.
                    audit_record_many(
                        [
                            AuditEvent(
                                action="test.bulk_append",
                                actor=None,
                                data={"thread": thread, "n": n},
                                now=now,
                            )
                            for n in numbers
                        ]
                    )
                else:
                    for n in numbers:
                        audit_record(
                            action="test.single_append",
                            actor=None,
                            data={"thread": thread, "n": n},
                            now=now,
                        )
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.001)")

    _run_in_threads(append)
    total = THREADS * APPENDS_PER_THREAD
    _assert_gapless(total)
    # Each batch is contiguous: nobody else's entry lands inside it.
    bulk = AuditEntry.objects.filter(action="test.bulk_append").order_by("sequence")
    runs: dict[tuple[int, int], list[int]] = {}
    for entry in bulk:
        runs.setdefault((entry.data["thread"], entry.data["n"] // BATCH), []).append(entry.sequence)
    assert all(seqs == list(range(seqs[0], seqs[0] + len(seqs))) for seqs in runs.values())
    _assert_every_append_written_once_and_the_chain_verifies(total)
