"""The audit log's two statements run for every act or entry: the INSERT of an unsealed entry and the
cursor that prepares it and the sealer's UPDATE once per connection (docs/PERFORMANCE.md, "Audit log").
"""

import functools
import json
import threading
from datetime import datetime
from typing import Any, NamedTuple

import psycopg
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from audit.canonical import HASH_VERSION
from audit.models import AuditEntry
from audit.selectors import role_group_sql

_JSON_COLUMNS = frozenset({"before", "after", "data"})


class UnsealedEntry(NamedTuple):
    """The values of a new entry as ``insert_unsealed`` writes them (its columns but the chain's).

    ``role`` is the role of the actor's flags alone; the statement replaces it with the one of their
    strongest role group, read from the groups of ``role_groups_of`` (the actor's id; None for a
    superuser, whose groups do not matter, or for nobody). The fields are in the order of the
    statement's parameters (``_INSERT_COLUMNS``, the role's two in its place).
    """

    recorded_at: datetime
    action: str
    actor_id: int | None
    actor_repr: str
    role_groups_of: int | None
    role: str
    channel: str
    ip_address: str
    request_id: str
    object_type_id: int | None
    object_label: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    data: dict[str, Any]


# The columns of an unsealed entry's values, in their order (the actor whose groups give the role is a
# parameter, not a column); the INSERT adds the format version, a constant of the statement. The chain
# columns stay NULL for the sealer.
ROW_COLUMNS = tuple(name for name in UnsealedEntry._fields if name != "role_groups_of")
_INSERT_COLUMNS = (*ROW_COLUMNS, "hash_version")
# The values bound as they are: those after the instant and before the three JSON documents.
_PLAIN = slice(1, UnsealedEntry._fields.index("before"))


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
        elif column == "hash_version":
            # The one format entries are written in: a constant of the statement, not a parameter.
            values.append(str(int(HASH_VERSION)))
        else:
            values.append(json_value if column in _JSON_COLUMNS else "%s")
    row = f"({', '.join(values)})"
    return (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} "  # noqa: S608 (no value is interpolated)
        f"({', '.join(quote(column) for column in _INSERT_COLUMNS)}) "
        f"VALUES {', '.join([row] * rows)} RETURNING {quote('id')}, {quote('role')}"
    )


# json.dumps with these options would build this encoder again for every value.
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _json_text(value: Any) -> str | None:
    return None if value is None else _dumps(value)


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


class _ActCursor(threading.local):
    """The prepared cursor of the audited act's INSERT, kept for as long as its connection is open."""

    cursor: _PreparedCursor | None = None


_act_cursor = _ActCursor()


def _execute_prepared(db: BaseDatabaseWrapper, sql: str, params: list[Any]) -> list[Any]:
    """Run ``sql`` prepared on the connection ``db``, as Django's cursor would, and fetch its rows.

    The one-entry INSERT runs once per audited act: its psycopg cursor (and the adapters psycopg
    looked up for the parameters) is kept per connection rather than made, wrapped and closed each
    time (docs/PERFORMANCE.md, "Audit log"). What Django's cursor wrapper does around a statement is
    done here too: the broken-transaction check and the translation of the driver's errors into
    Django's; with an ``execute_wrapper`` installed, the statement goes through Django's wrapper.
    """
    db.ensure_connection()
    if db.execute_wrappers:
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    driver = db.connection
    cursor = _act_cursor.cursor
    if cursor is None or cursor.connection is not driver or cursor.closed:
        cursor = _act_cursor.cursor = _PreparedCursor(driver)
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor.execute(sql, params)
        return cursor.fetchall()


def insert_unsealed(entries: list[UnsealedEntry]) -> list[tuple[int, str]]:
    """INSERT new entries unchained in one statement; the id and the role stored of each, in order.

    One raw statement rather than the ORM's bulk_create, which cost more Python than everything else
    an audited act does (docs/PERFORMANCE.md, "Audit log"). The role of a signed-in actor is chosen in
    the statement from their groups as they are now (``audit.selectors.role_group_sql``); the entry
    holds the role of their flags alone until then.
    """
    db = transaction.get_connection()  # this thread's connection, looked up once
    adapt_instant = db.ops.adapt_datetimefield_value
    params: list[Any] = []
    for entry in entries:
        params.append(adapt_instant(entry.recorded_at))
        params.extend(tuple(entry)[_PLAIN])
        params.extend((_json_text(entry.before), _json_text(entry.after), _json_text(entry.data)))
    sql = _insert_sql(len(entries), db.vendor, role_group_sql())
    # A sweep's many-row INSERT differs with its length: only the one-entry act is worth preparing.
    if len(entries) == 1 and db.vendor == "postgresql" and not db.queries_logged:
        return _execute_prepared(db, sql, params)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        # Ids grow in the order of the VALUES rows within one statement, whatever order RETURNING uses.
        return sorted(cursor.fetchall())
