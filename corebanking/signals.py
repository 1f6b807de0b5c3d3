"""Signals of the core banking postings, for the apps that book them (they depend on corebanking, never
the reverse: pyproject.toml, import-linter's "Apps depend one way")."""

from django.dispatch import Signal

# Sent inside the transaction that records the core system's confirmation of a posting, with
# ``posting`` (its ``ledger_entry_id`` names the booking) and ``now``; a receiver's writes commit or
# roll back with the confirmation.
posting_confirmed = Signal()
