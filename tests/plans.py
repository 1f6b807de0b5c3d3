"""The plan PostgreSQL would use for a query when it must take an index if it can."""

from typing import Any

from django.db import connection, transaction


def index_plan(queryset: Any) -> str:
    """EXPLAIN of ``queryset`` with sequential and bitmap scans off.

    A handful of test rows would be read sequentially; at production sizes the planner picks the
    index by cost (the benchmarks in bench/ print those plans). Here the question is whether it can
    use the index at all, and read in its order without a sort.
    """
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
