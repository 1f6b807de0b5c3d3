"""PostgreSQL: the sealer fills a batch with one UPDATE, and the triggers of audit/migrations/0009 hold
each such statement to the chain: contiguous sequences after the head, each linked to the hash before
it, only the three empty chain columns filled, nothing sealed twice."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import AuditEvent, audit_record_many, audit_seal
from tests.audit.helpers import honest_links, postgresql_only, write_unsealed

pytestmark = [postgresql_only, pytest.mark.django_db]

# The sealer's statement (audit.sealing), with the rows given as arrays.
BATCH_UPDATE = (
    "UPDATE audit_auditentry AS entry SET sequence = link.sequence, "
    "previous_hash = link.previous_hash, entry_hash = link.entry_hash{extra} "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) "
    "AS link (id, sequence, previous_hash, entry_hash) WHERE entry.id = link.id"
)


@pytest.fixture
def sealed(now) -> list[AuditEntry]:
    """Five sealed entries: the chain head at sequence 5."""
    audit_record_many([AuditEvent(action=f"test.sealed_{n}", actor=None, now=now) for n in range(1, 6)])
    return list(AuditEntry.objects.sealed())


@pytest.fixture
def waiting(sealed, now, settings) -> list[AuditEntry]:
    """Four entries inserted unsealed after them, as business transactions leave them for the sealer."""
    return write_unsealed(settings, range(6, 10), now=now)


def _batch(rows: list[list], *, extra: str = "") -> None:
    """One UPDATE of all ``rows``, in a transaction of its own."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BATCH_UPDATE.format(extra=extra), [list(column) for column in zip(*rows, strict=True)])


def _sealed_sequences() -> list[int]:
    return list(AuditEntry.objects.sealed().values_list("sequence", flat=True))


def test_one_statement_seals_a_whole_batch(sealed, waiting):
    _batch(honest_links(waiting, first=6, previous_hash=sealed[-1].entry_hash))
    AuditChainHead.objects.filter(pk=1).update(
        sequence=9, entry_hash=AuditEntry.objects.get(sequence=9).entry_hash
    )

    assert _sealed_sequences() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert audit_chain_verify().ok


def test_the_sealer_seals_its_batches_in_one_statement_each(sealed, waiting, now):
    # Batches of three: 6-8 in one statement, 9 in the next transaction's.
    result = audit_seal(now=now, batch_size=3)

    assert (result.sealed, result.head_sequence) == (4, 9)
    assert [entry.sequence for entry in AuditEntry.objects.filter(action__startswith="test.waiting_")] == [
        6,
        7,
        8,
        9,
    ]
    assert audit_chain_verify().ok


def test_statements_of_one_transaction_continue_each_other(sealed, waiting):
    rows = honest_links(waiting, first=6, previous_hash=sealed[-1].entry_hash)

    with transaction.atomic():
        _batch(rows[:2])
        _batch(rows[2:])

    assert _sealed_sequences() == [1, 2, 3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        # A gap: 6, 7, 9 (the entry meant for 8 left out).
        (lambda rows: rows.pop(2), "sealed entry 9 does not follow the entry sealed before it in the same"),
        # A sequence skipped: 6, 7, 9, 10.
        (
            lambda rows: [row.__setitem__(1, row[1] + 1) for row in rows[2:]],
            "sealed entry 9 does not follow the entry sealed before it in the same",
        ),
        # A wrong previous hash inside the batch.
        (
            lambda rows: rows[2].__setitem__(2, "f" * 64),
            "sealed entry 8 does not follow the entry sealed before it in the same",
        ),
        # A link to an older entry of the batch.
        (
            lambda rows: rows[3].__setitem__(2, rows[0][3]),
            "sealed entry 9 does not follow the entry sealed before it in the same",
        ),
        # The first entry does not link to the chain head.
        (lambda rows: rows[0].__setitem__(2, "f" * 64), "sealed entry 6 does not extend the chain head"),
        # The batch starts past the head, in a transaction that sealed nothing before.
        (lambda rows: rows.pop(0), "sealed entry 7 does not follow the entry this transaction sealed"),
        # A sequence sealed already.
        (lambda rows: rows[0].__setitem__(1, 5), "sealed entry 5 does not follow the chain head"),
    ],
    ids=[
        "gap",
        "skipped-sequence",
        "wrong-link",
        "link-to-older",
        "wrong-first-link",
        "past-the-head",
        "taken",
    ],
)
def test_a_batch_that_breaks_the_chain_is_refused(sealed, waiting, tamper, message):
    rows = honest_links(waiting, first=6, previous_hash=sealed[-1].entry_hash)
    tamper(rows)

    with pytest.raises(IntegrityError, match=message):
        _batch(rows)

    assert _sealed_sequences() == [1, 2, 3, 4, 5]


def test_a_batch_that_also_changes_content_is_refused(sealed, waiting):
    rows = honest_links(waiting, first=6, previous_hash=sealed[-1].entry_hash)

    with pytest.raises(IntegrityError, match="the audit log is append-only"):
        _batch(rows, extra=", action = 'test.rewritten'")

    assert _sealed_sequences() == [1, 2, 3, 4, 5]
    assert [entry.action for entry in AuditEntry.objects.unsealed()] == [
        "test.waiting_6",
        "test.waiting_7",
        "test.waiting_8",
        "test.waiting_9",
    ]


@pytest.mark.parametrize(
    "first",
    [1, 6],
    ids=["same-values", "moved-past-the-head"],
)
def test_a_batch_that_reseals_sealed_entries_is_refused(sealed, first):
    # Sealed entries given their own chain values again, or moved after the head with every link
    # recomputed: either way they were sealed already.
    stored = [(entry.sequence, entry.previous_hash, entry.entry_hash) for entry in sealed]
    previous_hash = "0" * 64 if first == 1 else sealed[-1].entry_hash
    rows = honest_links(sealed, first=first, previous_hash=previous_hash)

    with pytest.raises(IntegrityError, match="the audit log is append-only"):
        _batch(rows)

    assert list(AuditEntry.objects.sealed().values_list("sequence", "previous_hash", "entry_hash")) == stored


def test_a_batch_naming_no_waiting_entry_changes_nothing(sealed):
    _batch([[0, 6, sealed[-1].entry_hash, "a" * 64]])

    assert _sealed_sequences() == [1, 2, 3, 4, 5]
    assert AuditChainHead.objects.get().sequence == 5
