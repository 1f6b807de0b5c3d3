"""Money out: every ledger entry becomes a posting to the customer's account in the core banking system,
sent through a transactional outbox (``Posting``) behind the ``CoreBankingGateway`` port."""
