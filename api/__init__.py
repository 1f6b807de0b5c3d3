"""The bank's machine interface: /api/v1/ for the bank's other systems (OAuth 2.0 clients), the data
feeds in (customers, cards, transactions, claims, chargeback events) and the webhooks out."""
