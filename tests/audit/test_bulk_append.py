"""``audit_record_many``: many entries under one lock and in one INSERT, the same chain as one by one."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import AuditEntryInvalid, AuditEvent, audit_record, audit_record_many
from tests.audit.helpers import forged_entry, postgresql_only, raw_insert_entry, raw_sql

pytestmark = pytest.mark.django_db


def _events(now, make_user) -> list[AuditEvent]:
    clerk = make_user("ola", is_staff=True, groups=("disputes_analysts",))
    return [
        AuditEvent(action="test.first", actor=None, now=now, data={"n": 1}),
        AuditEvent(action="test.second", actor=clerk, obj=clerk, now=now, before={"a": 1}, after={"a": 2}),
        AuditEvent(action="test.third", actor=None, now=now, channel="CLI", data={"pan": "4111111111111111"}),
    ]


def _written(entries) -> list[tuple]:
    return [
        (e.sequence, e.previous_hash, e.entry_hash, e.hash_content(), e.object_type_id, e.hash_version)
        for e in entries
    ]


def test_a_bulk_append_writes_the_entries_single_appends_would(now, make_user):
    audit_record(action="test.before", actor=None, now=now)
    events = _events(now, make_user)
    last = AuditChainHead.objects.get().sequence  # creating the user is audited too
    with transaction.atomic():
        single = [
            audit_record(
                action=e.action,
                actor=e.actor,
                obj=e.obj,
                before=e.before,
                after=e.after,
                data=e.data,
                channel=e.channel,
                now=e.now,
            )
            for e in events
        ]
        one_by_one = _written(AuditEntry.objects.filter(pk__in=[e.pk for e in single]))
        transaction.set_rollback(True)

    bulk = audit_record_many(events)

    stored = AuditEntry.objects.filter(pk__in=[e.pk for e in bulk])
    assert _written(stored) == one_by_one
    assert [e.sequence for e in stored] == [last + 1, last + 2, last + 3]
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (last + 3, stored[2].entry_hash)
    report = audit_chain_verify()
    assert (report.ok, report.entries_checked) == (True, last + 3)


def test_a_bulk_append_is_one_insert_and_one_head_update(now, make_user):
    events = _events(now, make_user)
    last = AuditChainHead.objects.get().sequence

    with CaptureQueriesContext(connection) as queries:
        written = audit_record_many(events)

    statements = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith('INSERT INTO "audit_auditentry"') for s in statements) == 1
    assert sum(s.startswith('UPDATE "audit_auditchainhead"') for s in statements) == 1
    assert [e.sequence for e in written] == [last + 1, last + 2, last + 3]
    assert audit_chain_verify().ok


def test_nothing_is_written_when_one_event_is_invalid(now):
    audit_record(action="test.before", actor=None, now=now)
    events = [
        AuditEvent(action="test.fine", actor=None, now=now),
        AuditEvent(action="Not An Action", actor=None, now=now),
    ]

    with pytest.raises(AuditEntryInvalid, match="'Not An Action'"):
        audit_record_many(events)

    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.before"]
    assert AuditChainHead.objects.get().sequence == 1


def test_no_events_write_nothing():
    assert audit_record_many([]) == []
    assert not AuditEntry.objects.exists()


# --- tampering with bulk-written entries is found --------------------------------------------------------


@pytest.fixture
def bulk_entries(now):
    audit_record(action="test.single", actor=None, now=now)
    return audit_record_many(
        [AuditEvent(action=f"test.bulk_{n}", actor=None, data={"n": n}, now=now) for n in range(2, 6)]
    )


def _problems() -> list[tuple[str, int]]:
    return [(p.kind.value, p.sequence) for p in audit_chain_verify().problems]


def test_bulk_written_entries_verify(bulk_entries):
    assert [e.sequence for e in bulk_entries] == [2, 3, 4, 5]
    assert _problems() == []


def test_an_updated_bulk_entry_is_found(bulk_entries):
    raw_sql("UPDATE audit_auditentry SET action = 'test.rewritten' WHERE sequence = 3")

    assert _problems() == [("CHANGED", 3)]


def test_a_deleted_bulk_entry_is_found(bulk_entries):
    raw_sql("DELETE FROM audit_auditentry WHERE sequence = 4")

    assert _problems() == [("MISSING", 4), ("LINK_BROKEN", 5)]


def test_an_entry_inserted_among_bulk_entries_is_found(bulk_entries, now):
    raw_sql("DELETE FROM audit_auditentry WHERE sequence = 4")
    raw_insert_entry(**forged_entry(sequence=4, previous_hash=bulk_entries[1].entry_hash, recorded_at=now))

    assert _problems() == [("LINK_BROKEN", 5)]


# --- PostgreSQL: the trigger takes a statement of linked rows, and only that --------------------------


def _unsaved(now, *, first_sequence: int, previous_hash: str, count: int) -> list[AuditEntry]:
    """Entries a forger numbered and hashed, linked to each other, as ``AuditEntry`` objects."""
    entries = []
    for offset in range(count):
        columns = forged_entry(sequence=first_sequence + offset, previous_hash=previous_hash, recorded_at=now)
        previous_hash = columns["entry_hash"]
        entries.append(AuditEntry(**columns))
    return entries


def _insert(entries: list[AuditEntry]) -> None:
    with transaction.atomic():
        AuditEntry.objects.append_linked(entries)


@postgresql_only
def test_postgresql_takes_one_statement_of_linked_rows(bulk_entries, now):
    entries = _unsaved(now, first_sequence=6, previous_hash=bulk_entries[-1].entry_hash, count=3)

    with CaptureQueriesContext(connection) as queries:
        _insert(entries)

    assert sum("INSERT INTO" in q["sql"] for q in queries.captured_queries) == 1
    assert AuditEntry.objects.filter(sequence__gte=6).count() == 3


@postgresql_only
@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda e: setattr(e[1], "previous_hash", "f" * 64), "audit entry 7 does not link"),
        (lambda e: setattr(e[2], "previous_hash", e[0].entry_hash), "audit entry 8 does not link"),
        (lambda e: e.reverse(), "audit entry 8 does not link"),
        (lambda e: e.pop(1), "audit entry 8 does not link"),
        (lambda e: e.pop(0), "audit entry 7 does not link"),
        (lambda e: setattr(e[0], "previous_hash", "f" * 64), "audit entry 6 does not extend the chain head"),
    ],
    ids=["bad-link", "link-to-older", "reversed", "gap", "skips-head", "bad-first-link"],
)
def test_postgresql_refuses_a_bulk_insert_with_a_broken_link(bulk_entries, now, tamper, message):
    entries = _unsaved(now, first_sequence=6, previous_hash=bulk_entries[-1].entry_hash, count=3)
    tamper(entries)

    with pytest.raises(IntegrityError, match=message):
        _insert(entries)

    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_extend_rows_another_transaction_left_beyond_the_head(now):
    # A row appended without moving the head (verify_audit reports it BEYOND_HEAD) is a dead end:
    # a later transaction cannot chain more rows to it.
    head = audit_record(action="test.single", actor=None, now=now)
    first, second = _unsaved(now, first_sequence=2, previous_hash=head.entry_hash, count=2)
    _insert([first])

    with pytest.raises(IntegrityError, match="audit entry 3 does not link"):
        _insert([second])

    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == [1, 2]
    assert _problems() == [("BEYOND_HEAD", 2)]


@postgresql_only
def test_postgresql_moves_the_head_over_a_bulk_append_only_to_an_entry_that_exists(bulk_entries):
    with (
        pytest.raises(IntegrityError, match="only advances"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditchainhead SET sequence = 9, entry_hash = repeat('a', 64)")

    assert AuditChainHead.objects.get().sequence == 5
