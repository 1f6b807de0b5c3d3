"""Sealing: entries are inserted unchained and chained by the one sealer, in order, moments later."""

import time

import pytest
from django.db import transaction

from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import SEAL_TASK, AuditEvent, audit_record, audit_record_many, audit_seal
from audit.tasks import audit_seal_pending
from tests.conftest import requires_services

pytestmark = pytest.mark.django_db


def _chain() -> list[tuple[str, int | None]]:
    return [(entry.action, entry.sequence) for entry in AuditEntry.objects.order_by("id")]


def test_an_entry_waits_unchained_until_the_sealer_chains_it(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    first = audit_record(action="test.first", actor=None, now=now)
    second = audit_record_many([AuditEvent(action="test.second", actor=None, now=now)])[0]

    waiting = AuditEntry.objects.get(pk=first.pk)
    assert (waiting.sequence, waiting.previous_hash, waiting.entry_hash) == (None, None, None)
    assert (first.sequence, second.sequence) == (None, None)
    report = audit_chain_verify()
    assert (report.ok, report.entries_checked, report.unsealed_entries) == (True, 0, 2)
    assert report.oldest_unsealed_at == "2025-12-23T13:05:00.123456Z"

    result = audit_seal(now=now)

    assert (result.sealed, result.head_sequence) == (2, 2)
    assert _chain() == [("test.first", 1), ("test.second", 2)]
    sealed = list(AuditEntry.objects.order_by("sequence"))
    assert sealed[1].previous_hash == sealed[0].entry_hash
    assert (AuditChainHead.objects.get().sequence, AuditChainHead.objects.get().entry_hash) == (
        2,
        sealed[1].entry_hash,
    )
    report = audit_chain_verify()
    assert (report.ok, report.entries_checked, report.unsealed_entries) == (True, 2, 0)


def test_a_second_sealer_run_finds_nothing_to_chain(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.first", actor=None, now=now)
    audit_seal(now=now)

    again = audit_seal(now=now)

    assert (again.sealed, again.head_sequence) == (0, 1)
    assert _chain() == [("test.first", 1)]


def test_the_sealer_works_in_batches_and_keeps_the_order(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record_many([AuditEvent(action=f"test.n{n}", actor=None, now=now) for n in range(7)])

    result = audit_seal(now=now, batch_size=3)

    assert result.sealed == 7
    assert _chain() == [(f"test.n{n}", n + 1) for n in range(7)]
    assert audit_chain_verify().ok


def test_in_transaction_sealing_returns_the_entries_chained(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "IN_TRANSACTION"

    entry = audit_record(action="test.first", actor=None, now=now)

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.sequence, entry.previous_hash, entry.entry_hash) == (1, "0" * 64, stored.entry_hash)


def test_in_transaction_sealing_also_chains_entries_left_waiting_before(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.waiting", actor=None, now=now)
    settings.KARTOSFERA_AUDIT_SEALING = "IN_TRANSACTION"

    audit_record(action="test.next", actor=None, now=now)

    assert _chain() == [("test.waiting", 1), ("test.next", 2)]


def test_after_commit_sealing_chains_right_after_the_commit(
    now, settings, django_capture_on_commit_callbacks
):
    settings.KARTOSFERA_AUDIT_SEALING = "AFTER_COMMIT"

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        audit_record(action="test.first", actor=None, now=now)
        audit_record(action="test.second", actor=None, now=now)
        assert _chain() == [("test.first", None), ("test.second", None)]

    assert len(callbacks) == 2
    assert _chain() == [("test.first", 1), ("test.second", 2)]


def test_a_rolled_back_transaction_leaves_nothing_to_seal(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    with transaction.atomic():
        audit_record(action="test.kept", actor=None, now=now)
    with transaction.atomic():
        audit_record(action="test.rolled_back", actor=None, now=now)
        transaction.set_rollback(True)

    audit_seal(now=now)

    assert _chain() == [("test.kept", 1)]


def test_the_seal_task_is_the_one_the_services_queue(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.first", actor=None, now=now)

    assert audit_seal_pending.name == SEAL_TASK
    assert audit_seal_pending.apply().get() == 1
    assert _chain() == [("test.first", 1)]


@requires_services
@pytest.mark.django_db(transaction=True)
def test_the_worker_seals_what_a_committed_transaction_queued(now, settings, celery_worker):
    settings.KARTOSFERA_AUDIT_SEALING = "TASK"
    settings.KARTOSFERA_AUDIT_SEAL_KICK_SECONDS = 0

    with transaction.atomic():
        entry = audit_record(action="test.queued", actor=None, now=now)
    deadline = time.monotonic() + 30
    while AuditEntry.objects.get(pk=entry.pk).sequence is None and time.monotonic() < deadline:
        time.sleep(0.1)

    assert AuditEntry.objects.get(pk=entry.pk).sequence == 1
    assert audit_chain_verify().ok
