"""Test helpers for the audit log: tampering with it the way an attacker with SQL access would."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from audit.canonical import canonical_json
from audit.chain import entry_content, entry_hash

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL (DATABASE_URL): `make test-services`"
)

_JSON_COLUMNS = {"before", "after", "data"}


@contextmanager
def protections_off() -> Iterator[None]:
    """On PostgreSQL, switch this transaction's triggers off (superuser only), as a DBA could.

    SQLite has no triggers on the audit tables: raw SQL bypasses the model's protections already.
    """
    if not ON_POSTGRESQL:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def raw_sql(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    """Run one SQL statement with the protections off; return the number of rows it touched."""
    with protections_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_entry_sql(**columns: Any) -> tuple[str, list[Any]]:
    """The raw SQL INSERT of one row into audit_auditentry, and its parameters."""
    names = list(columns)
    placeholders = [
        "CAST(%s AS jsonb)" if ON_POSTGRESQL and name in _JSON_COLUMNS else "%s" for name in names
    ]
    values = [json.dumps(columns[name]) if name in _JSON_COLUMNS else columns[name] for name in names]
    sql = f"INSERT INTO audit_auditentry ({', '.join(names)}) VALUES ({', '.join(placeholders)})"  # noqa: S608
    return sql, values


def raw_insert_entry(**columns: Any) -> None:
    """INSERT one row into audit_auditentry with raw SQL, protections off."""
    raw_sql(*insert_entry_sql(**columns))


def forged_entry(*, sequence: int, previous_hash: str, recorded_at, action: str = "auth.sign_in") -> dict:
    """The columns of an entry a forger computes correctly, hash included, for ``raw_insert_entry``."""
    fields = {
        "sequence": sequence,
        "recorded_at": recorded_at,
        "action": action,
        "actor_repr": "system",
        "role": "SYSTEM",
        "channel": "SYSTEM",
        "ip_address": "",
        "request_id": "",
        "object_label": "",
        "object_id": "",
        "object_repr": "",
        "before": None,
        "after": None,
        "data": {"forged": True},
        "hash_version": 1,
        "previous_hash": previous_hash,
    }
    content = entry_content(
        version=1,
        sequence=sequence,
        recorded_at=recorded_at,
        action=action,
        actor_id=None,
        actor="system",
        role="SYSTEM",
        channel="SYSTEM",
        ip_address="",
        request_id="",
        object_type="",
        object_id="",
        object_repr="",
        before=None,
        after=None,
        data={"forged": True},
        previous_hash=previous_hash,
    )
    return {**fields, "entry_hash": entry_hash(content)}


def readable_text(entry: Any) -> str:
    """What an entry says, as canonical JSON, without its hash link and request id: random hex in which
    any run of digits may appear by chance, so scans for a code or PIN look at the rest."""
    content = entry.hash_content()
    del content["previous_hash"], content["request_id"]
    return canonical_json(content).decode()


def honest_links(entries: list[Any], *, first: int, previous_hash: str) -> list[list[Any]]:
    """The [id, sequence, previous_hash, entry_hash] an honest sealer gives ``entries`` from ``first``.

    Sets the two chain columns on each entry as it goes (its hash covers its sequence and link).
    """
    rows = []
    for sequence, entry in enumerate(entries, start=first):
        entry.sequence, entry.previous_hash = sequence, previous_hash
        previous_hash = entry_hash(entry.hash_content())
        rows.append([entry.pk, sequence, entry.previous_hash, previous_hash])
    return rows


def write_unsealed(settings: Any, numbers: range, *, now: Any) -> list[Any]:
    """Entries ``test.waiting_<n>`` inserted unsealed, as business transactions leave them for the
    sealer (``PERIODIC`` sealing), read back in id order."""
    from audit.models import AuditEntry
    from audit.services import AuditEvent, audit_record_many

    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    written = audit_record_many(
        [AuditEvent(action=f"test.waiting_{n}", actor=None, data={"n": n}, now=now) for n in numbers]
    )
    return list(AuditEntry.objects.filter(pk__in=[entry.pk for entry in written]).order_by("id"))
