"""Progress of a long job, written where the page that follows the job can read it while it runs."""

from typing import TYPE_CHECKING, Any

from django.db import connection, models

if TYPE_CHECKING:
    from psycopg import Connection


class ProgressAside:
    """Records a job's progress columns on a connection of its own, opened at the first record.

    While a job reads (``COPY`` streaming an export, a read-only snapshot verifying the audit log), its
    own connection can write nothing the page would see before the job ends; each record here commits
    at once (autocommit). ``match`` narrows the row further (an export's ``run_token``), so a run that
    was taken over writes nothing. PostgreSQL only: elsewhere ``record`` writes on the job's own
    connection (SQLite has one writer, and its in-memory test database one connection).
    """

    def __init__(self, model: type[models.Model], pk: int, **match: Any) -> None:
        self._model, self._pk, self._match = model, pk, match
        self._connection: Connection[Any] | None = None

    def record(self, **values: Any) -> None:
        if connection.vendor != "postgresql":
            self._model._default_manager.filter(pk=self._pk, **self._match).update(**values)
            return
        if self._connection is None:
            self._connection = connection.get_new_connection(connection.get_connection_params())
            self._connection.autocommit = True
        assignments = ", ".join(f"{self._column(name)} = %s" for name in values)
        conditions = " AND ".join(
            [f"{self._column('pk')} = %s", *(f"{self._column(name)} = %s" for name in self._match)]
        )
        self._connection.execute(
            f"UPDATE {self._model._meta.db_table} SET {assignments} WHERE {conditions}",  # noqa: S608 (columns from the model)
            [*values.values(), self._pk, *self._match.values()],
        )

    def _column(self, name: str) -> str:
        """The database column of the model's field ``name`` (``pk``: its primary key)."""
        field = self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise TypeError(f"{name} is not a column of {self._model.__name__}")
        return field.column

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
