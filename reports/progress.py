"""Progress of a long job, written where the page that follows the job can read it while it runs."""

from typing import Any

from django.db import connection, models


class ProgressAside:
    """Records a job's progress columns on a connection of its own, opened at the first record.

    While a job reads (``COPY`` streaming an export, a read-only snapshot verifying the audit log), its
    own connection can write nothing the page would see before the job ends; each record here commits
    at once (autocommit). ``match`` narrows the row further (an export's ``run_token``), so a run that
    was taken over writes nothing. PostgreSQL only: elsewhere ``record`` writes on the job's own
    connection (SQLite has one writer, and its in-memory test database one connection).
    """

    def __init__(self, model: type[models.Model], pk: int, **match: Any) -> None:
        self._model, self._pk, self._match, self._connection = model, pk, match, None

    def record(self, **values: Any) -> None:
        if connection.vendor != "postgresql":
            self._model._default_manager.filter(pk=self._pk, **self._match).update(**values)
            return
        if self._connection is None:
            self._connection = connection.get_new_connection(connection.get_connection_params())
            self._connection.autocommit = True
        meta = self._model._meta
        assignments = ", ".join(f"{meta.get_field(name).column} = %s" for name in values)
        conditions = " AND ".join(
            [f"{meta.pk.column} = %s", *(f"{meta.get_field(name).column} = %s" for name in self._match)]
        )
        self._connection.execute(
            f"UPDATE {meta.db_table} SET {assignments} WHERE {conditions}",  # noqa: S608 (columns from the model)
            [*values.values(), self._pk, *self._match.values()],
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
