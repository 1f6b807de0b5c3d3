"""``verify_audit`` finds every kind of tampering, done with raw SQL around the protections (on
PostgreSQL with the triggers switched off, as a superuser could)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.chain import entry_hash
from audit.models import AuditEntry
from audit.services import audit_record
from tests.audit.helpers import forged_entry, raw_insert_entry, raw_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(now):
    """Five entries, sequence 1 to 5."""
    return [audit_record(action=f"test.entry_{n}", actor=None, data={"n": n}, now=now) for n in range(1, 6)]


def verify(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def verify_json(*args: str) -> dict:
    output, _ = verify("--json", *args)
    return json.loads(output)


def kinds(report: dict) -> list[tuple[str, int]]:
    return [(problem["kind"], problem["sequence"]) for problem in report["problems"]]


def test_an_intact_log_verifies_and_exits_zero(entries):
    output, error = verify()

    assert error is None
    assert "Audit log: 5 entries, sequence 1 to 5" in output
    assert f"Chain head: sequence 5, hash {entries[-1].entry_hash}" in output
    assert "OK: every entry matches its hash and links to the one before it." in output


def test_an_empty_log_verifies():
    output, error = verify()

    assert error is None
    assert "Audit log: no entries" in output


def test_an_intact_log_as_json(entries):
    report = verify_json()

    assert report["ok"] is True
    assert (report["entries_checked"], report["last_sequence"], report["last_hash"]) == (
        5,
        5,
        entries[-1].entry_hash,
    )
    assert report["problems"] == []


def test_an_updated_entry_is_found_at_its_sequence(entries):
    raw_sql("UPDATE audit_auditentry SET action = 'test.rewritten' WHERE sequence = 3")

    output, error = verify()

    assert error is not None and error.returncode == 1
    assert str(error) == "audit chain broken at sequence 3 (1 problem)"
    assert "BROKEN: the chain first breaks at sequence 3." in output
    assert f"CHANGED          sequence 3 (entry id {entries[2].pk}): sequence 3 was changed" in output


def test_an_updated_entry_with_a_recomputed_hash_breaks_the_next_link(entries):
    entry = AuditEntry.objects.get(sequence=3)
    entry.data = {"n": 333}
    content = entry.hash_content()
    raw_sql(
        "UPDATE audit_auditentry SET data = %s, entry_hash = %s WHERE sequence = 3",
        [json.dumps({"n": 333}), entry_hash(content)],
    )

    report = verify_json()

    assert kinds(report) == [("LINK_BROKEN", 4)]
    assert report["first_break"] == 4


def test_a_deleted_entry_is_found_where_it_was(entries):
    raw_sql("DELETE FROM audit_auditentry WHERE sequence = 2")

    output, error = verify()

    assert str(error) == "audit chain broken at sequence 2 (2 problems)"
    assert "MISSING          sequence 2" in output
    assert "sequence 2 missing before sequence 3: entries were deleted" in output
    assert "LINK_BROKEN      sequence 3" in output


def test_entries_deleted_at_the_end_are_found_against_the_head(entries):
    raw_sql("DELETE FROM audit_auditentry WHERE sequence >= 4")

    report = verify_json()

    assert kinds(report) == [("TRUNCATED", 4)]
    assert "sequence 4-5 deleted at the end" in report["problems"][0]["detail"]


def test_an_inserted_entry_with_a_correct_hash_is_found_beyond_the_head(entries, now):
    raw_insert_entry(**forged_entry(sequence=6, previous_hash=entries[-1].entry_hash, recorded_at=now))

    report = verify_json()

    assert kinds(report) == [("BEYOND_HEAD", 6)]
    assert report["first_break"] == 6


def test_an_entry_inserted_in_a_gap_is_found(entries, now):
    # The forger removes entry 3 and puts their own in its place, linked to entry 2.
    raw_sql("DELETE FROM audit_auditentry WHERE sequence = 3")
    raw_insert_entry(**forged_entry(sequence=3, previous_hash=entries[1].entry_hash, recorded_at=now))

    report = verify_json()

    assert kinds(report) == [("LINK_BROKEN", 4)]


def test_an_inserted_entry_with_a_made_up_hash_is_found(entries, now):
    forged = forged_entry(sequence=6, previous_hash="0" * 64, recorded_at=now)
    raw_insert_entry(**{**forged, "entry_hash": "a" * 64})

    report = verify_json()

    assert kinds(report) == [("CHANGED", 6), ("LINK_BROKEN", 6), ("BEYOND_HEAD", 6)]


def test_an_anchor_recorded_earlier_is_checked(entries):
    report = verify_json("--anchor", f"2:{entries[1].entry_hash}", "--anchor", f"4:{'b' * 64}")

    assert kinds(report) == [("ANCHOR_MISMATCH", 4)]


def test_a_malformed_anchor_is_refused():
    with pytest.raises(CommandError, match="is not SEQUENCE:SHA256HEX"):
        call_command("verify_audit", "--anchor", "2:xyz")


def test_the_json_report_of_a_broken_chain_still_exits_one(entries):
    raw_sql("UPDATE audit_auditentry SET actor_repr = 'someone else' WHERE sequence = 1")

    output, error = verify("--json")

    assert error is not None and error.returncode == 1
    report = json.loads(output)
    assert (report["ok"], report["first_break"], kinds(report)) == (False, 1, [("CHANGED", 1)])
    assert report["problems"][0]["entry_id"] == entries[0].pk
