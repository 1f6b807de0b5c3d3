"""Functions SQLite lacks, registered on each of its connections (PostgreSQL has its own)."""

from django.db.backends.signals import connection_created
from django.dispatch import receiver

from disputes.backoffice.search_rules import fold


@receiver(connection_created)
def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``kartosfera_fold``: the search's folding of names and merchants (``search_rules.fold``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "kartosfera_fold", 1, lambda text: None if text is None else fold(text), deterministic=True
        )
