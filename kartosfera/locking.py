"""Taking a batch of rows for one worker while other workers take theirs, and taking turns."""

from typing import Any, TypeVar

from django.db import connection
from django.db.models import QuerySet

_Rows = TypeVar("_Rows", bound=QuerySet[Any, Any])


def locked_batch(rows: _Rows, *, size: int) -> _Rows:
    """The first ``size`` of ``rows``, in their order, locked until the transaction ends.

    Rows another transaction holds are skipped, not waited for (SKIP LOCKED), so two workers running at
    once share the work; only the rows of ``rows``' own table are locked, not those of the relations it
    joins. PostgreSQL only: SQLite has no row locks and takes the rows as they are.
    """
    return rows.select_for_update(skip_locked=True, of=("self",))[:size]


def take_turn(name: str) -> None:
    """Wait until no other transaction holds the lock called ``name``, then hold it until this
    transaction ends: the transactions that call it with one name run one after another.

    A PostgreSQL transaction-scoped advisory lock (``pg_advisory_xact_lock``), for a check-then-act on
    rows that may not exist yet (no row to ``select_for_update``). Call it inside ``atomic()``, before
    the check. SQLite runs one writer at a time already: nothing to do there.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("take_turn holds its lock until the transaction ends: call it inside atomic()")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
