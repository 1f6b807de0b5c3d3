"""Taking a batch of rows for one worker while other workers take theirs."""

from typing import Any, TypeVar

from django.db.models import QuerySet

_Rows = TypeVar("_Rows", bound=QuerySet[Any, Any])


def locked_batch(rows: _Rows, *, size: int) -> _Rows:
    """The first ``size`` of ``rows``, in their order, locked until the transaction ends.

    Rows another transaction holds are skipped, not waited for (SKIP LOCKED), so two workers running at
    once share the work; only the rows of ``rows``' own table are locked, not those of the relations it
    joins. PostgreSQL only: SQLite has no row locks and takes the rows as they are.
    """
    return rows.select_for_update(skip_locked=True, of=("self",))[:size]
