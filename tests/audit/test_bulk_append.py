"""``audit_record_many``: many entries in one INSERT, sealed into the same chain as one by one."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.chain import entry_hash
from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import AuditEntryInvalid, AuditEvent, audit_record, audit_record_many, audit_seal
from tests.audit.helpers import (
    forged_entry,
    honest_links,
    insert_entry_sql,
    postgresql_only,
    raw_insert_entry,
    raw_sql,
    write_unsealed,
)

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


# --- PostgreSQL: the trigger lets the sealer fill the chain columns once, in order, and nothing else -----


@pytest.fixture
def waiting(bulk_entries, now, settings) -> list[AuditEntry]:
    """Three entries inserted unsealed (as a business transaction does), after five sealed ones."""
    return write_unsealed(settings, range(6, 9), now=now)


def _fill(rows: list[list]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for entry_id, sequence, previous_hash, hash_ in rows:
            cursor.execute(
                "UPDATE audit_auditentry SET sequence = %s, previous_hash = %s, entry_hash = %s "
                "WHERE id = %s",
                [sequence, previous_hash, hash_, entry_id],
            )


@postgresql_only
def test_postgresql_lets_the_sealer_fill_the_chain_columns_in_order(bulk_entries, waiting, now):
    result = audit_seal(now=now)

    assert result.sealed == 3
    assert [entry.sequence for entry in AuditEntry.objects.order_by("id")] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert _problems() == []


@postgresql_only
@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda r: r[1].__setitem__(2, "f" * 64), "sealed entry 7 does not follow"),
        (lambda r: r[2].__setitem__(2, r[0][3]), "sealed entry 8 does not follow"),
        (lambda r: r.reverse(), "sealed entry 8 does not follow"),
        (lambda r: r.pop(1), "sealed entry 8 does not follow"),
        (lambda r: r[0].__setitem__(2, "f" * 64), "sealed entry 6 does not extend the chain head"),
        (lambda r: r[0].__setitem__(1, 3), "sealed entry 3 does not follow"),  # a sequence already taken
    ],
    ids=["bad-link", "link-to-older", "reversed", "gap", "bad-first-link", "reused-sequence"],
)
def test_postgresql_refuses_a_fill_with_a_broken_link(bulk_entries, waiting, tamper, message):
    rows = honest_links(waiting, first=6, previous_hash=bulk_entries[-1].entry_hash)
    tamper(rows)

    with pytest.raises(IntegrityError, match=message):
        _fill(rows)

    assert list(AuditEntry.objects.sealed().values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET action = 'test.rewritten' WHERE sequence IS NULL",
        "UPDATE audit_auditentry SET sequence = 6, previous_hash = %(head)s, entry_hash = repeat('a', 64), "
        "data = '{}'::jsonb WHERE id = %(first)s",
        "UPDATE audit_auditentry SET sequence = 6, previous_hash = %(head)s WHERE id = %(first)s",
        "DELETE FROM audit_auditentry WHERE sequence IS NULL",
    ],
    ids=["content", "fill-and-content", "partial-fill", "delete"],
)
def test_postgresql_refuses_any_other_change_of_a_waiting_entry(bulk_entries, waiting, statement):
    params = {"head": bulk_entries[-1].entry_hash, "first": waiting[0].pk}

    with pytest.raises(IntegrityError, match=r"append-only|audit_entry_sealed_whole"):
        _sql(statement, params)

    assert [(e.action, e.sequence) for e in AuditEntry.objects.unsealed()] == [
        ("test.waiting_6", None),
        ("test.waiting_7", None),
        ("test.waiting_8", None),
    ]


@postgresql_only
def test_postgresql_refuses_an_entry_inserted_chained(bulk_entries, now):
    forged = forged_entry(sequence=6, previous_hash=bulk_entries[-1].entry_hash, recorded_at=now)

    with pytest.raises(IntegrityError, match="inserted unsealed"):
        _sql(*insert_entry_sql(**forged))

    assert AuditEntry.objects.count() == 5


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_extend_entries_another_transaction_sealed_beyond_the_head(now, settings):
    # An entry sealed without moving the head (verify_audit reports it BEYOND_HEAD) is a dead end: a
    # later transaction cannot chain more entries to it.
    head = audit_record(action="test.single", actor=None, now=now)
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    waiting = audit_record_many([AuditEvent(action=f"test.w{n}", actor=None, now=now) for n in (2, 3)])
    rows = honest_links(
        list(AuditEntry.objects.filter(pk__in=[e.pk for e in waiting]).order_by("id")),
        first=6,
        previous_hash="",
    )
    rows = [[row[0], row[1] - 4, *row[2:]] for row in rows]  # sequences 2 and 3
    first = AuditEntry.objects.get(pk=rows[0][0])
    first.sequence, first.previous_hash = 2, head.entry_hash
    rows[0][2], rows[0][3] = head.entry_hash, entry_hash(first.hash_content())
    _fill([rows[0]])

    with pytest.raises(IntegrityError, match="sealed entry 3 does not follow"):
        _fill([rows[1]])

    assert list(AuditEntry.objects.sealed().values_list("sequence", flat=True)) == [1, 2]
    assert _problems() == [("BEYOND_HEAD", 2)]


@postgresql_only
def test_postgresql_moves_the_head_only_to_an_entry_that_exists(bulk_entries):
    with pytest.raises(IntegrityError, match="only advances"):
        _sql("UPDATE audit_auditchainhead SET sequence = 9, entry_hash = repeat('a', 64)")

    assert AuditChainHead.objects.get().sequence == 5


def _sql(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
