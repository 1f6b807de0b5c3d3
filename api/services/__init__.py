"""Writes of the bank systems API: its clients, and the data the bank's systems feed in.

Each service is keyword-only, takes the calling ``client`` (whose user is the actor) and ``now``, runs
in a transaction and writes an audit entry; the channel (API) comes from the request's audit context.
Claims and chargeback events go through the dispute workflow's own services, as the back office's do.
The modules: ``_clients`` (API clients and their webhook endpoints), ``_customers`` (customers and
cards), ``_feed`` (the transaction feed), ``_claims`` (claims and chargeback events).
"""

from api.services._claims import ClaimData, chargeback_event_apply, claim_file
from api.services._clients import (
    SCOPES,
    NewClient,
    api_client_create,
    webhook_endpoint_create,
    webhook_endpoint_delete,
)
from api.services._customers import CardData, CustomerData, card_upsert, customer_upsert
from api.services._feed import FEED_FIELDS, FeedOutcome, FeedRecord, transactions_ingest

__all__ = [
    "FEED_FIELDS",
    "SCOPES",
    "CardData",
    "ClaimData",
    "CustomerData",
    "FeedOutcome",
    "FeedRecord",
    "NewClient",
    "api_client_create",
    "card_upsert",
    "chargeback_event_apply",
    "claim_file",
    "customer_upsert",
    "transactions_ingest",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
]
