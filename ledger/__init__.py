"""The money ledger of the disputes: every movement of money a claim makes, once per idempotency key.

Below the dispute workflow: the workflow decides what money moves and records it here; the ledger
writes each entry with its core banking posting (``corebanking.services.postings_record``) in the
same transaction and knows nothing of cases' workflow, audit or letters.
"""
