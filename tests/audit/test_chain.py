import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

import pytest

from audit.canonical import GENESIS_HASH, canonical_json, format_instant, to_json
from audit.chain import ChainHead, ProblemKind, StoredEntry, entry_content, entry_hash, verify_chain
from kartosfera.money import Money

RECORDED_AT = datetime(2025, 12, 23, 14, 5, tzinfo=timezone(timedelta(hours=1)))


class Colour(StrEnum):
    RED = "RED"


# --- canonical JSON ------------------------------------------------------------------------------------


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_utf8():
    assert canonical_json({"b": [1, True, None], "a": "zażółć", "A": {"y": 1, "x": "\n"}}) == (
        '{"A":{"x":"\\n","y":1},"a":"zażółć","b":[1,true,null]}'.encode()
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("212.71"), "212.71"),
        (Decimal("1.10"), "1.10"),
        (0.1, "0.1"),
        (2**53, "9007199254740992"),
        (2**53 - 1, 9007199254740991),
        (datetime(2025, 12, 23, 0, 30, tzinfo=timezone(timedelta(hours=1))), "2025-12-22T23:30:00.000000Z"),
        (datetime(2025, 12, 23, 0, 30), "2025-12-23T00:30:00"),
        (date(2025, 12, 23), "2025-12-23"),
        (Colour.RED, "RED"),
        ({3, 1, 2}, [1, 2, 3]),
        ((1, "a"), [1, "a"]),
        (b"\x12\x34", "[2 bytes not stored]"),
        ("a\x00b", "ab"),
        ({1: "one", None: "none"}, {"1": "one", "null": "none"}),
        (Money(Decimal("800.00"), "PLN"), {"amount": "800.00", "currency": "PLN"}),
    ],
)
def test_to_json_makes_values_that_survive_a_database_round_trip(value, expected):
    assert to_json(value) == expected


def test_an_instant_is_hashed_in_utc_with_microseconds():
    assert format_instant(RECORDED_AT) == "2025-12-23T13:05:00.000000Z"


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_instant(datetime(2025, 12, 23, 13, 5))


# --- entry hash: the published test vector (docs/AUDIT.md) -------------------------------------------


def _content(sequence: int = 1, previous_hash: str = GENESIS_HASH, **changes) -> dict:
    fields = {
        "version": 1,
        "sequence": sequence,
        "recorded_at": RECORDED_AT,
        "action": "calendar.override_set",
        "actor_id": 7,
        "actor": "jan.kowalski (user 7)",
        "role": "ADMINISTRATOR",
        "channel": "ADMIN",
        "ip_address": "203.0.113.7",
        "request_id": "4f1c",
        "object_type": "deadlines.calendaroverride",
        "object_id": "3",
        "object_repr": "2025-12-31 CLOSED: core banking migration",
        "before": None,
        "after": {"day": "2025-12-31", "kind": "CLOSED"},
        "data": {"calendar_changed": True},
        "previous_hash": previous_hash,
    }
    return entry_content(**{**fields, **changes})


def test_the_entry_hash_is_sha256_of_the_canonical_json_of_its_content():
    # The test vector of docs/AUDIT.md, checked with `printf %s JSON | sha256sum`.
    expected_json = (
        '{"action":"calendar.override_set","actor":"jan.kowalski (user 7)","actor_id":7,'
        '"after":{"day":"2025-12-31","kind":"CLOSED"},"before":null,"channel":"ADMIN",'
        '"data":{"calendar_changed":true},"ip_address":"203.0.113.7",'
        '"object_id":"3","object_repr":"2025-12-31 CLOSED: core banking migration",'
        '"object_type":"deadlines.calendaroverride",'
        '"previous_hash":"0000000000000000000000000000000000000000000000000000000000000000",'
        '"recorded_at":"2025-12-23T13:05:00.000000Z","request_id":"4f1c","role":"ADMINISTRATOR",'
        '"sequence":1,"v":1}'
    )

    content = _content()

    assert canonical_json(content) == expected_json.encode()
    assert entry_hash(content) == hashlib.sha256(expected_json.encode()).hexdigest()
    assert entry_hash(content) == "6700b98e3f212a88bb4d46a820de53cb469c0a68b235033ab5f9c6fff5e83ffb"


# --- verification --------------------------------------------------------------------------------------


def _chain(length: int) -> list[StoredEntry]:
    entries, previous = [], GENESIS_HASH
    for sequence in range(1, length + 1):
        content = _content(sequence, previous, object_id=str(sequence))
        previous = entry_hash(content)
        entries.append(StoredEntry(entry_id=100 + sequence, content=content, entry_hash=previous))
    return entries


def _head(entries: list[StoredEntry]) -> ChainHead:
    return ChainHead(sequence=entries[-1].content["sequence"], entry_hash=entries[-1].entry_hash)


def _kinds(report) -> list[tuple[str, int]]:
    return [(problem.kind.value, problem.sequence) for problem in report.problems]


def test_an_intact_chain_verifies():
    entries = _chain(5)

    report = verify_chain(entries, head=_head(entries))

    assert report.ok
    assert (report.entries_checked, report.first_sequence, report.last_sequence) == (5, 1, 5)
    assert report.first_break is None


def test_an_empty_log_with_a_genesis_head_verifies():
    assert verify_chain([], head=ChainHead(0, GENESIS_HASH)).ok


def test_a_changed_entry_is_reported_once_at_its_sequence():
    entries = _chain(5)
    head = _head(entries)
    entries[2] = replace(entries[2], content={**entries[2].content, "action": "auth.sign_out"})

    report = verify_chain(entries, head=head)

    assert _kinds(report) == [("CHANGED", 3)]
    assert report.problems[0].entry_id == 103
    assert report.first_break == 3


def test_a_changed_entry_whose_hash_was_recomputed_breaks_the_next_link():
    entries = _chain(5)
    head = _head(entries)
    forged = {**entries[2].content, "action": "auth.sign_out"}
    entries[2] = replace(entries[2], content=forged, entry_hash=entry_hash(forged))

    report = verify_chain(entries, head=head)

    assert _kinds(report) == [("LINK_BROKEN", 4)]
    assert "between sequence 3 and 4" in report.problems[0].detail


def test_a_deleted_entry_is_a_gap_and_a_broken_link():
    entries = _chain(5)
    head = _head(entries)
    del entries[1]

    report = verify_chain(entries, head=head)

    assert _kinds(report) == [("MISSING", 2), ("LINK_BROKEN", 3)]
    assert report.problems[0].detail == "sequence 2 missing before sequence 3: entries were deleted"
    assert report.first_break == 2


def test_deleted_entries_at_the_end_are_seen_against_the_head():
    entries = _chain(5)
    head = _head(entries)

    report = verify_chain(entries[:3], head=head)

    assert _kinds(report) == [("TRUNCATED", 4)]
    assert "sequence 4-5 deleted at the end" in report.problems[0].detail


def test_an_entry_appended_around_the_service_is_beyond_the_head():
    entries = _chain(5)

    report = verify_chain(entries, head=_head(entries[:4]))

    assert _kinds(report) == [("BEYOND_HEAD", 5)]


def test_a_missing_first_entry_is_reported():
    entries = _chain(3)

    report = verify_chain(entries[1:], head=_head(entries))

    assert _kinds(report) == [("MISSING", 1), ("LINK_BROKEN", 2)]


def test_an_entry_numbered_out_of_order_is_reported():
    entries = _chain(3)
    head = _head(entries)
    entries.insert(2, replace(entries[0], entry_id=999))

    report = verify_chain(entries, head=head)

    assert ("OUT_OF_ORDER", 1) in _kinds(report)
    assert report.first_break == 1


def test_anchors_recorded_outside_the_database_are_checked():
    entries = _chain(3)

    report = verify_chain(
        entries, head=_head(entries), anchors={2: entries[1].entry_hash, 3: "f" * 64, 9: "e" * 64}
    )

    assert _kinds(report) == [("ANCHOR_MISMATCH", 3), ("ANCHOR_MISSING", 9)]


def test_a_missing_head_is_reported_when_there_are_entries():
    assert _kinds(verify_chain(_chain(2), head=None)) == [("HEAD_MISSING", 2)]


def test_an_unknown_hash_format_is_reported():
    entries = _chain(1)
    entries[0] = replace(entries[0], content={**entries[0].content, "v": 2})

    assert _kinds(verify_chain(entries, head=_head(entries))) == [("UNKNOWN_VERSION", 1)]


def test_problems_beyond_the_limit_are_counted_not_listed():
    entries = _chain(6)
    head = _head(entries)
    tampered = [replace(entry, content={**entry.content, "actor": "x"}) for entry in entries]

    report = verify_chain(tampered, head=head, max_problems=4)

    assert (len(report.problems), report.problems_total) == (4, 6)
    assert all(problem.kind is ProblemKind.CHANGED for problem in report.problems)
    assert report.to_dict()["problems_total"] == 6


def test_the_recorded_time_is_part_of_the_content_in_utc():
    assert _content(recorded_at=RECORDED_AT.astimezone(UTC)) == _content()
