"""The transactional outbox: every task a transaction asks for is a row written in that transaction.

Public interface: ``outbox.services.outbox_enqueue`` (docs/OUTBOX.md).
"""
