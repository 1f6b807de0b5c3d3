"""Reads of the bank systems API: the client behind a token, claims (one, or a page changed since)."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from oauth2_provider.models import AccessToken

from api.errors import RequestInvalid, ResourceNotFound
from api.models import ApiClient, WebhookDelivery, WebhookEndpoint
from cards.models import Card
from chargebacks.models import Chargeback
from customers.models import Customer
from disputes.models import Case, CaseTransaction
from letters.models import Letter


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """An access token that is valid now: its client and the scopes it carries."""

    client: ApiClient
    scopes: frozenset[str]


def token_grant(*, token: str) -> TokenGrant | None:
    """The client and scopes of a valid (unexpired, unrevoked) access token, or None."""
    checksum = hashlib.sha256(token.encode()).hexdigest()
    access = (
        AccessToken.objects.select_related("application__api_client__user")
        .filter(token_checksum=checksum)
        .first()
    )
    if access is None or access.is_expired() or access.application is None:
        return None
    client = getattr(access.application, "api_client", None)
    if client is None or not client.user.is_active:
        return None
    return TokenGrant(client=client, scopes=frozenset(access.scope.split()))


def _claims() -> QuerySet[Case]:
    return (
        Case.objects.exclude(state="DRAFT")
        .select_related("customer", "card")
        .prefetch_related(
            Prefetch(
                "disputed", queryset=CaseTransaction.objects.select_related("transaction").order_by("pk")
            ),
            Prefetch("letters", queryset=Letter.objects.order_by("issued_at", "pk")),
            Prefetch("chargebacks", queryset=Chargeback.objects.order_by("pk")),
            "ledger_entries__posting",
        )
    )


def claim_get(*, claim_id: int) -> Case:
    """A submitted claim (a draft is the customer's own and not the bank's yet).

    :raises ResourceNotFound:
    """
    claim = _claims().filter(pk=claim_id).first()
    if claim is None:
        raise ResourceNotFound(f"claim {claim_id}", resource="claim")
    return claim


def encode_cursor(updated_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestInvalid(
            "bad cursor",
            errors=[{"field": "cursor", "code": "invalid", "message": "not a cursor this API gave"}],
        ) from exc


def claim_page(
    *, updated_since: datetime | None, cursor: str | None, limit: int
) -> tuple[list[Case], str | None]:
    """Claims changed since ``updated_since`` (or all), oldest change first, ``limit`` per page, and the
    cursor of the next page (None on the last). A cursor survives writes: it is a (time, id) position.

    :raises RequestInvalid: a cursor this API did not give.
    """
    claims = _claims().order_by("updated_at", "pk")
    if updated_since is not None:
        claims = claims.filter(updated_at__gte=updated_since)
    if cursor:
        moment, pk = _decode_cursor(cursor)
        claims = claims.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
    page = list(claims[: limit + 1])
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    return page, encode_cursor(page[-1].updated_at, page[-1].pk)


def customer_for_client(*, customer_id: int) -> Customer:
    """:raises ResourceNotFound:"""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ResourceNotFound(f"customer {customer_id}", resource="customer")
    return customer


def card_by_token(*, processor_token: str) -> Card | None:
    return Card.objects.filter(processor_token=processor_token).first()


def webhook_endpoints_of(*, client: ApiClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client).order_by("pk")


def webhook_endpoint_of(*, client: ApiClient, endpoint_id: int) -> WebhookEndpoint:
    """:raises ResourceNotFound: no such endpoint, or another client's (answered alike)."""
    endpoint = WebhookEndpoint.objects.filter(client=client, pk=endpoint_id).first()
    if endpoint is None:
        raise ResourceNotFound(f"endpoint {endpoint_id}", resource="webhook endpoint")
    return endpoint


def webhook_deliveries_of(*, client: ApiClient, limit: int = 100) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint__client=client)
        .select_related("event", "endpoint")
        .order_by("-created_at", "-pk")[:limit]
    )
