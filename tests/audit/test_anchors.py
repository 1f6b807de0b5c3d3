"""Signed anchors of the chain head outside the database: truncation and rewrites are detected."""

import json
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.anchors import AnchorRefused, anchor_mac, anchor_write, anchors_read
from audit.chain import entry_hash
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import audit_anchor, audit_record, audit_seal
from tests.audit.helpers import raw_sql

pytestmark = pytest.mark.django_db


def _problems(report) -> list[tuple[str, int]]:
    return [(problem.kind.value, problem.sequence) for problem in report.problems]


@pytest.fixture
def anchored(now, settings):
    """Five entries, anchored at sequence 3 and at 5."""
    for n in range(1, 4):
        audit_record(action=f"test.entry_{n}", actor=None, data={"n": n}, now=now)
    first = anchor_write(now=now)
    for n in range(4, 6):
        audit_record(action=f"test.entry_{n}", actor=None, data={"n": n}, now=now)
    second = anchor_write(now=now + timedelta(minutes=5))
    return first, second


def test_an_anchor_is_a_signed_file_naming_the_chain_head(anchored, settings):
    first, second = anchored
    head = AuditEntry.objects.get(sequence=5)

    stored = json.loads((settings.KARTOSFERA_AUDIT_ANCHOR_DIR / "anchor-000000000005.json").read_text())

    assert (first.sequence, second.sequence, second.entry_hash) == (3, 5, head.entry_hash)
    assert stored["sequence"] == 5
    assert stored["entry_hash"] == head.entry_hash
    assert stored["written_at"] == "2025-12-23T13:10:00.123456Z"
    assert len(stored["mac"]) == 64
    assert [anchor.sequence for anchor in anchors_read().valid] == [3, 5]


def test_verify_names_the_anchor_it_checked_against(anchored, settings):
    report = audit_chain_verify()

    assert report.ok
    assert report.anchors_checked == 2
    assert report.anchor == {
        "sequence": 5,
        "entry_hash": AuditEntry.objects.get(sequence=5).entry_hash,
        "written_at": "2025-12-23T13:10:00.123456Z",
        "key_id": anchors_read().latest.key_id,
        "file": "anchor-000000000005.json",
        "directory": str(settings.KARTOSFERA_AUDIT_ANCHOR_DIR),
    }
    assert report.to_dict()["anchor"]["sequence"] == 5


def test_truncation_is_detected(anchored):
    raw_sql("DELETE FROM audit_auditentry")
    raw_sql("DELETE FROM audit_auditchainhead")

    report = audit_chain_verify()

    assert not report.ok
    assert _problems(report) == [("ANCHOR_MISSING", 3), ("ANCHOR_MISSING", 5)]


def test_a_rewrite_with_every_later_hash_recomputed_is_detected(anchored):
    # The forger changes entry 2 and recomputes its hash and every later link and hash, and the head:
    # the chain is consistent again, but no longer the one the anchors signed.
    entries = list(AuditEntry.objects.order_by("sequence"))
    previous = entries[0].entry_hash
    for entry in entries[1:]:
        if entry.sequence == 2:
            entry.data = {"n": 222}
        entry.previous_hash = previous
        previous = entry_hash(entry.hash_content())
        raw_sql(
            "UPDATE audit_auditentry SET data = %s, previous_hash = %s, entry_hash = %s WHERE id = %s",
            [json.dumps(entry.data), entry.previous_hash, previous, entry.pk],
        )
    raw_sql("UPDATE audit_auditchainhead SET entry_hash = %s", [previous])

    report = audit_chain_verify()

    assert _problems(report) == [("ANCHOR_MISMATCH", 3), ("ANCHOR_MISMATCH", 5)]
    with pytest.raises(CommandError, match="audit chain broken at sequence 3"):
        call_command("verify_audit")


def test_a_forged_anchor_is_refused(anchored, settings):
    path = settings.KARTOSFERA_AUDIT_ANCHOR_DIR / "anchor-000000000005.json"
    stored = json.loads(path.read_text())
    stored["entry_hash"] = "a" * 64
    stored["mac"] = anchor_mac({k: v for k, v in stored.items() if k != "mac"}, b"a guessed key")
    path.write_text(json.dumps(stored))

    report = audit_chain_verify()

    assert _problems(report) == [("ANCHOR_INVALID", 0)]
    assert "anchor-000000000005.json" in report.problems[0].detail
    assert "signature does not match" in report.problems[0].detail
    assert report.anchor["sequence"] == 3


def test_anchors_signed_with_another_key_are_refused(anchored, settings):
    settings.KARTOSFERA_AUDIT_ANCHOR_KEY = "another key, from another environment"

    report = audit_chain_verify()

    assert [kind for kind, _ in _problems(report)] == ["ANCHOR_INVALID", "ANCHOR_INVALID"]
    assert report.anchor is None


def test_no_anchor_is_written_over_a_chain_broken_since_the_last(anchored, now):
    audit_record(action="test.entry_6", actor=None, now=now)
    raw_sql("UPDATE audit_auditentry SET action = 'test.rewritten' WHERE sequence = 6")

    with pytest.raises(AnchorRefused, match="broken at sequence 6"):
        audit_anchor(now=now + timedelta(minutes=10))

    assert [anchor.sequence for anchor in anchors_read().valid] == [3, 5]


def test_the_sealer_anchors_after_sealing_at_most_once_a_minimum_interval(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    settings.KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS = 60
    audit_record(action="test.first", actor=None, now=now)
    audit_seal(now=now)
    audit_record(action="test.second", actor=None, now=now)
    audit_seal(now=now + timedelta(seconds=30))
    audit_record(action="test.third", actor=None, now=now)
    audit_seal(now=now + timedelta(seconds=61))

    assert [anchor.sequence for anchor in anchors_read().valid] == [1, 3]


@pytest.fixture
def anchor_reads(monkeypatch, settings) -> list[str]:
    """The names of the files read in the anchor directory from now on, in order ("*" for a listing)."""
    directory = Path(settings.KARTOSFERA_AUDIT_ANCHOR_DIR)
    read_text, scandir = Path.read_text, os.scandir
    names: list[str] = []

    def read_spy(path: Path, *args, **kwargs) -> str:
        if path.parent == directory:
            names.append(path.name)
        return read_text(path, *args, **kwargs)

    def list_spy(path=".", *args, **kwargs):
        if Path(path) == directory:
            names.append("*")
        return scandir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_spy)
    monkeypatch.setattr(os, "scandir", list_spy)
    return names


def _anchor_files(settings) -> list[str]:
    return sorted(path.name for path in Path(settings.KARTOSFERA_AUDIT_ANCHOR_DIR).glob("anchor-*.json"))


def test_the_sealers_anchor_step_reads_the_latest_anchor_only(anchored, now, settings, anchor_reads):
    # An older anchor is made unreadable: the sealer neither opens nor needs it; verify_audit reports it.
    (settings.KARTOSFERA_AUDIT_ANCHOR_DIR / "anchor-000000000003.json").write_text("not an anchor")
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.entry_6", actor=None, now=now)

    audit_seal(now=now + timedelta(minutes=10))

    # Neither the older anchors nor the directory's listing: the LATEST pointer and the file it names.
    assert set(anchor_reads) == {"latest-anchor", "anchor-000000000005.json"}
    assert (
        settings.KARTOSFERA_AUDIT_ANCHOR_DIR / "latest-anchor"
    ).read_text() == "anchor-000000000006.json\n"
    assert _anchor_files(settings) == [
        "anchor-000000000003.json",
        "anchor-000000000005.json",
        "anchor-000000000006.json",
    ]
    report = audit_chain_verify()
    assert _problems(report) == [("ANCHOR_INVALID", 0)]
    assert "anchor-000000000003.json" in report.problems[0].detail
    assert "unreadable" in report.problems[0].detail
    assert report.anchor["sequence"] == 6
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


@pytest.mark.parametrize("tampering", ["deleted", "altered"])
def test_the_sealer_verifies_from_the_anchor_before_a_deleted_or_altered_latest_one(
    anchored, now, settings, caplog, tampering
):
    latest = settings.KARTOSFERA_AUDIT_ANCHOR_DIR / "anchor-000000000005.json"
    if tampering == "deleted":
        latest.unlink()
    else:
        stored = json.loads(latest.read_text())
        latest.write_text(json.dumps({**stored, "written_at": "2025-12-23T13:09:00.000000Z"}))
    # An entry anchored only by the latest anchor is rewritten: the sealer must notice it from anchor 3.
    raw_sql("UPDATE audit_auditentry SET action = 'test.rewritten' WHERE sequence = 4")
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.entry_6", actor=None, now=now)

    with caplog.at_level(logging.ERROR, logger="audit.anchors"):
        sealed = audit_seal(now=now + timedelta(minutes=10))

    assert sealed.sealed == 1
    assert "anchor-000000000006.json" not in _anchor_files(settings)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[-1] == "audit: anchor refused"
    reason = {"deleted": "No such file", "altered": "signature does not match"}[tampering]
    assert any("anchor-000000000005.json" in message and reason in message for message in messages)
    report = audit_chain_verify()
    assert ("CHANGED", 4) in _problems(report)
    invalid = [problem.detail for problem in report.problems if problem.kind.value == "ANCHOR_INVALID"]
    assert len(invalid) == 1
    assert ("latest-anchor" in invalid[0]) == (tampering == "deleted")
    assert "anchor-000000000005.json" in invalid[0]


def test_without_a_latest_pointer_the_sealer_finds_the_newest_anchor_by_name(anchored, now, settings):
    # Anchors written before the pointer existed: the sealer lists the names and reads the newest.
    (settings.KARTOSFERA_AUDIT_ANCHOR_DIR / "latest-anchor").unlink()
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.entry_6", actor=None, now=now)

    audit_seal(now=now + timedelta(minutes=10))

    assert _anchor_files(settings)[-1] == "anchor-000000000006.json"
    assert [anchor.sequence for anchor in anchors_read().valid] == [3, 5, 6]
    assert audit_chain_verify().ok


def test_the_anchor_directory_is_created_when_missing(now, settings, tmp_path):
    settings.KARTOSFERA_AUDIT_ANCHOR_DIR = tmp_path / "new" / "anchors"
    audit_record(action="test.first", actor=None, now=now)

    anchor = audit_anchor(now=now)

    assert anchor.sequence == 1
    assert (tmp_path / "new" / "anchors" / "anchor-000000000001.json").is_file()


def test_verify_audit_prints_the_anchor_and_waiting_entries(anchored, now, settings, capsys):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.waiting", actor=None, now=now)

    call_command("verify_audit")

    output = capsys.readouterr().out
    assert "Checked against 2 anchor(s); latest: sequence 5" in output
    assert "1 entries not sealed yet (oldest recorded at 2025-12-23T13:05:00.123456Z)" in output


def test_the_demo_seals_and_anchors_what_it_recorded(now, settings):
    from demo.audit import seed

    audit_record(action="test.first", actor=None, now=now)
    audit_record(action="test.second", actor=None, now=now)

    lines = seed(now=now)
    again = seed(now=now)

    assert (
        lines
        == again
        == [
            f"Audit log: sealed up to sequence 2, anchored in {settings.KARTOSFERA_AUDIT_ANCHOR_DIR}/"
            "anchor-000000000002.json (`manage.py verify_audit` checks the chain against it)"
        ]
    )
    assert audit_chain_verify().anchor["sequence"] == 2


def test_an_anchor_written_before_a_crash_that_left_the_pointer_behind_is_kept_as_written(
    anchored, now, settings
):
    directory = settings.KARTOSFERA_AUDIT_ANCHOR_DIR
    written = (directory / "anchor-000000000005.json").read_text()
    (directory / "latest-anchor").write_text("anchor-000000000003.json\n")  # the crash: pointer not moved

    again = anchor_write(now=now + timedelta(hours=1))

    assert (again.sequence, again.written_at) == (5, "2025-12-23T13:10:00.123456Z")
    assert (directory / "anchor-000000000005.json").read_text() == written
    assert (directory / "latest-anchor").read_text() == "anchor-000000000005.json\n"
    assert audit_chain_verify().ok
