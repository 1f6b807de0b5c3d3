"""The audit log's two statements run for every act or entry: the INSERT of an unsealed entry and the
cursor that prepares it and the sealer's UPDATE once per connection (docs/PERFORMANCE.md, "Audit log").
"""

import functools
import json
from typing import Any

import psycopg
from django.db import connection

from audit.models import AuditEntry, AuditLogImmutable
from audit.selectors import role_group_sql

# The columns an unsealed entry is inserted with; the chain columns stay NULL for the sealer.
_INSERT_COLUMNS = (
    "recorded_at",
    "action",
    "actor_id",
    "actor_repr",
    "role",
    "channel",
    "ip_address",
    "request_id",
    "object_type_id",
    "object_label",
    "object_id",
    "object_repr",
    "before",
    "after",
    "data",
    "hash_version",
)
_JSON_COLUMNS = frozenset({"before", "after", "data"})


@functools.cache
def _insert_sql(rows: int, vendor: str, role_group_sql: str) -> str:
    """The INSERT of ``rows`` unsealed entries, each role read from the actor's groups in the statement."""
    quote = connection.ops.quote_name
    json_value = "CAST(%s AS jsonb)" if vendor == "postgresql" else "%s"
    values = []
    for column in _INSERT_COLUMNS:
        if column == "role":
            # The strongest role group the actor is in, else the role their flags give (the parameter).
            values.append(f"COALESCE({role_group_sql}, %s)")
        else:
            values.append(json_value if column in _JSON_COLUMNS else "%s")
    row = f"({', '.join(values)})"
    return (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} "  # noqa: S608 (no value is interpolated)
        f"({', '.join(quote(column) for column in _INSERT_COLUMNS)}) "
        f"VALUES {', '.join([row] * rows)} RETURNING {quote('id')}, {quote('role')}"
    )


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=False)


def prepared_cursor() -> Any:
    """A cursor whose statements PostgreSQL prepares: parsed and planned once per connection.

    For the statements the audit log runs for every act or every entry sealed (the single-entry
    INSERT, the sealer's UPDATE), rather than once each time (docs/PERFORMANCE.md, "Audit log").
    They are prepared at the protocol level when the connection allows prepared statements at all
    (``prepare_threshold`` in the settings' ``OPTIONS``; Django's default, None, turns them off, and
    this cursor then just binds on the server). It is wrapped as Django wraps its own cursors, so
    ``execute_wrapper`` sees the statements as before. Elsewhere than PostgreSQL, and while queries
    are logged (``DEBUG``, a test capturing them), Django's own cursor: psycopg keeps no text of a
    prepared statement, and a logged query shows the SQL as it ran, values included, as every other.
    """
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    # django-stubs types make_cursor's argument as Django's wrapper; Django wraps the driver's cursor.
    return connection.make_cursor(_PreparedCursor(connection.connection))  # type: ignore[arg-type]


class _PreparedCursor(psycopg.Cursor):
    """A psycopg cursor with server-side binding that prepares what it runs (``prepare=True``)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


def insert_unsealed(entries: list[AuditEntry]) -> None:
    """INSERT new entries unchained in one statement, and give each its id and role as stored.

    One raw statement rather than the ORM's bulk_create, which cost more Python than everything else
    an audited act does (docs/PERFORMANCE.md, "Audit log"). The role of a signed-in actor is chosen in
    the statement from their groups as they are now (``audit.selectors.role_group_sql``); the entry
    holds the role of their flags alone until then.
    """
    adapt_instant = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for entry in entries:
        if entry.sealed or not entry._state.adding:
            raise AuditLogImmutable("audit entries are appended unsealed by audit.services.audit_record")
        actor = entry.actor if entry.actor_id is not None else None
        params.extend(
            (
                adapt_instant(entry.recorded_at),
                entry.action,
                entry.actor_id,
                entry.actor_repr,
                # A superuser is an ADMINISTRATOR whatever their groups: no group to look at.
                None if actor is None or actor.is_superuser else entry.actor_id,
                entry.role,
                entry.channel,
                entry.ip_address,
                entry.request_id,
                entry.object_type_id,
                entry.object_label,
                entry.object_id,
                entry.object_repr,
                _json_text(entry.before),
                _json_text(entry.after),
                _json_text(entry.data),
                entry.hash_version,
            )
        )
    # A sweep's many-row INSERT differs with its length: only the one-entry act is worth preparing.
    with prepared_cursor() if len(entries) == 1 else connection.cursor() as cursor:
        cursor.execute(_insert_sql(len(entries), connection.vendor, role_group_sql()), params)
        stored = sorted(cursor.fetchall())
    # Ids grow in the order of the VALUES rows within one statement, whatever order RETURNING uses.
    for entry, (entry_id, role) in zip(entries, stored, strict=True):
        entry.pk, entry.role = entry_id, role
        entry._state.adding, entry._state.db = False, connection.alias
