"""Writes of the bank systems API: its clients, and the data the bank's systems feed in.

Each service is keyword-only, takes the calling ``client`` (whose user is the actor) and ``now``, runs
in a transaction and writes an audit entry; the channel (API) comes from the request's audit context.
Claims and chargeback events go through the dispute workflow's own services, as the back office's do.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from oauth2_provider.models import Application

from api.errors import RequestInvalid, ResourceConflict, ResourceNotFound, validation_errors
from api.models import ApiClient, TransactionAmendment, WebhookEndpoint, WebhookEventType
from api.selectors import card_by_token, customer_for_client
from audit.services import audit_diff, audit_record, audit_snapshot
from cards.models import Card, CardProduct, Transaction
from customers.models import Customer, User
from disputes.backoffice.services import claim_register_on_behalf
from disputes.models import Case, Chargeback
from disputes.services import (
    chargeback_escalate,
    chargeback_propose_result,
    chargeback_record_representment,
)

SCOPES = (
    "transactions:write",
    "claims:read",
    "claims:write",
    "customers:write",
    "chargebacks:write",
    "webhooks:manage",
)
# The scopes whose writes go through the dispute workflow, which asks for a case handler's permission.
WORKFLOW_SCOPES = frozenset({"claims:write", "chargebacks:write"})
# What such a client's user may do in the workflow: see and handle cases (never approve or supervise).
WORKFLOW_PERMISSIONS = ("view_case", "handle_case")

API_CLIENT_CREATED = "api.client_created"
API_CUSTOMER_UPSERTED = "api.customer_upserted"
API_CARD_UPSERTED = "api.card_upserted"
API_TRANSACTIONS_FED = "api.transactions_fed"
API_WEBHOOK_ENDPOINT_SAVED = "api.webhook_endpoint_saved"
API_WEBHOOK_ENDPOINT_DELETED = "api.webhook_endpoint_deleted"


@dataclass(frozen=True, slots=True)
class NewClient:
    """A created client and its secret, shown once (only its hash is stored)."""

    client: ApiClient
    client_id: str
    client_secret: str


def api_client_create(
    *,
    name: str,
    scopes: Sequence[str],
    actor: User | None,
    now: datetime,
    rate_limit_per_minute: int | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> NewClient:
    """Register a calling system: an OAuth 2.0 confidential client (client credentials) and its user.

    :raises RequestInvalid: an unknown scope or a name already taken.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not name.strip() or ApiClient.objects.filter(name=name).exists():
        raise RequestInvalid(f"scopes {unknown} or name {name!r}")
    secret = client_secret or secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.create_user(username=f"api:{name}"[:150], password=None, is_active=True)
        user.set_unusable_password()
        user.save()
        # Recorded in the audit trail in the role SYSTEM (settings.KARTOSFERA_ROLE_GROUPS).
        group, _ = Group.objects.get_or_create(name=settings.KARTOSFERA_ROLE_GROUPS["SYSTEM"])
        user.groups.add(group)
        if WORKFLOW_SCOPES & set(scopes):
            user.user_permissions.add(
                *Permission.objects.filter(
                    codename__in=WORKFLOW_PERMISSIONS, content_type__app_label="disputes"
                )
            )
        application = Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            user=user,
            **({"client_id": client_id} if client_id else {}),
            allowed_origins="",
        )
        client = ApiClient.objects.create(
            name=name,
            application=application,
            user=user,
            scopes=sorted(set(scopes)),
            rate_limit_per_minute=rate_limit_per_minute,
            created_at=now,
        )
        audit_record(
            action=API_CLIENT_CREATED,
            actor=actor,
            obj=client,
            data={"name": name, "scopes": client.scopes},
            now=now,
        )
    return NewClient(client=client, client_id=application.client_id, client_secret=secret)


@dataclass(frozen=True, slots=True)
class CustomerData:
    pesel: str | None
    bank_id: str | None
    kind: str
    first_name: str
    last_name: str
    company_name: str
    birth_date: date | None
    mobile_phone: str
    email: str
    preferred_language: str


def _validated(instance, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        raise RequestInvalid(str(error), errors=validation_errors(error)) from error


def customer_upsert(*, client: ApiClient, data: CustomerData, now: datetime) -> tuple[Customer, bool]:
    """Create the customer of this PESEL (or bank id), or update them; returns (customer, created).

    :raises RequestInvalid: neither or both identifiers, or data the customer rules refuse.
    """
    if bool(data.pesel) == bool(data.bank_id):
        raise RequestInvalid(
            "one identifier",
            errors=[
                {
                    "field": "pesel",
                    "code": "one_identifier",
                    "message": "give exactly one of pesel and bank_id",
                }
            ],
        )
    with transaction.atomic():
        lookup = {"pesel": data.pesel} if data.pesel else {"bank_id": data.bank_id}
        customer = Customer.objects.select_for_update().filter(**lookup).first()
        created = customer is None
        before = None if created else audit_snapshot(customer)
        customer = customer or Customer(**lookup)
        for field in (
            "kind",
            "first_name",
            "last_name",
            "company_name",
            "mobile_phone",
            "email",
            "preferred_language",
        ):
            setattr(customer, field, getattr(data, field))
        if data.birth_date is not None:
            customer.birth_date = data.birth_date
        _validated(customer, exclude=["user"])
        customer.save()
        after = audit_snapshot(customer)
        if created or before != after:
            audit_record(
                action=API_CUSTOMER_UPSERTED, actor=client.user, obj=customer, **_diff(before, after), now=now
            )
    return customer, created


def _diff(before, after) -> dict:
    changed = audit_diff(before, after)
    return {"before": changed["before"], "after": changed["after"]}


@dataclass(frozen=True, slots=True)
class CardData:
    customer_id: int
    processor_token: str
    last4: str
    product_code: str
    expires_on: date
    active: bool


def card_upsert(*, client: ApiClient, data: CardData, now: datetime) -> tuple[Card, bool]:
    """Create the card of this processor token, or update its expiry; returns (card, created).

    A card arrives as the processor's token and its last four digits, never the full number.

    :raises ResourceNotFound: no such customer or product.
    :raises ResourceConflict: the token is another customer's card, or its last four digits differ.
    :raises RequestInvalid: data the card's rules refuse.
    """
    customer = customer_for_client(customer_id=data.customer_id)
    product = CardProduct.objects.filter(code=data.product_code).first()
    if product is None:
        raise ResourceNotFound(f"product {data.product_code}", resource="card product")
    with transaction.atomic():
        card = Card.objects.select_for_update().filter(processor_token=data.processor_token).first()
        if card is not None:
            if card.customer_id != customer.pk or card.last4 != data.last4:
                raise ResourceConflict("card differs", problem="the token belongs to another card")
            before = audit_snapshot(card)
            card.expires_on = data.expires_on
            _validated(card)
            card.save(update_fields=["expires_on"])
            after = audit_snapshot(card)
            if before != after:
                audit_record(
                    action=API_CARD_UPSERTED, actor=client.user, obj=card, **_diff(before, after), now=now
                )
            return card, False
        card = Card(
            customer=customer,
            product=product,
            brand=product.brand,
            last4=data.last4,
            processor_token=data.processor_token,
            expires_on=data.expires_on,
            status=Card.Status.ACTIVE if data.active else Card.Status.INACTIVE,
            daily_cash_limit=product.max_daily_cash_limit,
            daily_pos_limit=product.max_daily_pos_limit,
            daily_internet_limit=product.max_daily_internet_limit,
            created_at=now,
        )
        _validated(card)
        card.save()
        audit_record(
            action=API_CARD_UPSERTED,
            actor=client.user,
            obj=card,
            **_diff(None, audit_snapshot(card)),
            now=now,
        )
    return card, True


# The fields of a transaction the feed sends; a record that changes any of them amends the transaction.
FEED_FIELDS = (
    "channel",
    "merchant_name",
    "mcc",
    "merchant_city",
    "merchant_country",
    "original_amount",
    "original_currency",
    "amount_pln",
    "executed_at",
    "debited_on",
    "processed_on",
    "sca_applied",
    "authorisation_code",
    "status",
)


@dataclass(frozen=True, slots=True)
class FeedRecord:
    processor_reference: str
    card_token: str
    values: dict  # FEED_FIELDS -> value


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    processor_reference: str
    outcome: str  # CREATED, AMENDED, UNCHANGED, REJECTED
    transaction_id: int | None
    code: str = ""


def _plain(value):
    return str(value) if isinstance(value, Decimal | date) else value


def _insert_transactions(rows: list[Transaction]) -> None:
    """Insert new transactions and set their ids. On PostgreSQL with COPY and one query for the ids: the
    ORM's multi-row INSERT spends more time compiling 1,000 rows than the database spends storing them."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Transaction.objects.bulk_create(rows)
        return
    columns = ["card_id", "processor_reference", *FEED_FIELDS]
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(
            f"COPY {Transaction._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row([getattr(row, column) for column in columns])
    ids = dict(
        Transaction.objects.filter(
            processor_reference__in=[row.processor_reference for row in rows]
        ).values_list("processor_reference", "pk")
    )
    for row in rows:
        row.pk = ids[row.processor_reference]


def transactions_ingest(
    *, client: ApiClient, records: Sequence[FeedRecord], now: datetime
) -> list[FeedOutcome]:
    """Take a batch of authorisation and clearing records, idempotent on the processor's reference.

    A new reference creates the transaction; a known one with other values is an amendment (the
    transaction takes the new values and a ``TransactionAmendment`` keeps what changed); a known one
    with the same values changes nothing. A record of an unknown card is rejected alone. Every
    outcome of the batch is in one audit entry.
    """
    tokens = {record.card_token for record in records}
    cards = dict(Card.objects.filter(processor_token__in=tokens).values_list("processor_token", "pk"))
    outcomes: list[FeedOutcome] = []
    with transaction.atomic():
        existing = {
            t.processor_reference: t
            for t in Transaction.objects.select_for_update().filter(
                processor_reference__in=[record.processor_reference for record in records]
            )
        }
        new: dict[str, Transaction] = {}
        amended: dict[str, Transaction] = {}
        amendments: list[TransactionAmendment] = []
        for record in records:
            card_id = cards.get(record.card_token)
            if card_id is None:
                outcomes.append(FeedOutcome(record.processor_reference, "REJECTED", None, "CARD_NOT_FOUND"))
                continue
            current = existing.get(record.processor_reference) or new.get(record.processor_reference)
            if current is None:
                transaction_row = Transaction(
                    card_id=card_id, processor_reference=record.processor_reference, **record.values
                )
                new[record.processor_reference] = transaction_row
                outcomes.append(FeedOutcome(record.processor_reference, "CREATED", None))
                continue
            if current.card_id != card_id:
                outcomes.append(
                    FeedOutcome(record.processor_reference, "REJECTED", current.pk, "CARD_MISMATCH")
                )
                continue
            changes = {
                field: {"before": _plain(getattr(current, field)), "after": _plain(value)}
                for field, value in record.values.items()
                if getattr(current, field) != value
            }
            if not changes:
                outcomes.append(FeedOutcome(record.processor_reference, "UNCHANGED", current.pk))
                continue
            for field, value in record.values.items():
                setattr(current, field, value)
            if current.pk is not None:
                amended[record.processor_reference] = current
                amendments.append(
                    TransactionAmendment(transaction=current, changes=changes, client=client, received_at=now)
                )
            outcomes.append(FeedOutcome(record.processor_reference, "AMENDED", current.pk))
        _insert_transactions(list(new.values()))
        if amended:
            Transaction.objects.bulk_update(list(amended.values()), list(FEED_FIELDS))
            TransactionAmendment.objects.bulk_create(amendments)
        ids = {**{ref: t.pk for ref, t in new.items()}}
        outcomes = [
            FeedOutcome(
                o.processor_reference, o.outcome, o.transaction_id or ids.get(o.processor_reference), o.code
            )
            for o in outcomes
        ]
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        audit_record(
            action=API_TRANSACTIONS_FED,
            actor=client.user,
            data={
                "client": client.name,
                "counts": counts,
                "amended": sorted(amended),
                "rejected": [o.processor_reference for o in outcomes if o.outcome == "REJECTED"],
            },
            now=now,
        )
    return outcomes


@dataclass(frozen=True, slots=True)
class ClaimData:
    customer_id: int
    card_token: str
    processor_references: list[str]
    channel: str
    cause: str
    received_at: datetime
    account: str


def claim_file(*, client: ApiClient, data: ClaimData, now: datetime) -> Case:
    """File a claim the customer made at a branch, by phone or on the 828 line, through the back office's
    service for a claim taken on a customer's behalf (``claim_register_on_behalf``).

    :raises ResourceNotFound: no such card or transaction.
    :raises DisputeError: as ``claim_register_on_behalf``.
    """
    card = card_by_token(processor_token=data.card_token)
    if card is None or card.customer_id != data.customer_id:
        raise ResourceNotFound(f"card {data.card_token}", resource="card")
    references = list(dict.fromkeys(data.processor_references))
    ids = dict(
        Transaction.objects.filter(card=card, processor_reference__in=references).values_list(
            "processor_reference", "pk"
        )
    )
    missing = [ref for ref in references if ref not in ids]
    if missing:
        raise ResourceNotFound(f"transactions {missing}", resource="transaction")
    return claim_register_on_behalf(
        customer_id=data.customer_id,
        card_id=card.pk,
        transaction_ids=[ids[ref] for ref in references],
        channel=data.channel,
        cause=data.cause,
        received_at=data.received_at,
        account=data.account,
        actor=client.user,
        now=now,
    )


CHARGEBACK_EVENTS = ("REPRESENTMENT_RECEIVED", "PRE_ARBITRATION", "ARBITRATION", "WON", "LOST")


def chargeback_event_apply(
    *, client: ApiClient, chargeback_id: int, event: str, reason: str, now: datetime
) -> Chargeback:
    """A chargeback event from the scheme or the issuer-processor, through the chargeback services.

    An outcome (WON, LOST) moves money, so it becomes the result's proposal, which a supervisor
    approves in the back office (four-eyes), as an analyst's proposal does.

    :raises DisputeError: as the chargeback service the event calls (a state that does not allow it).
    """
    actor = client.user
    if event == "REPRESENTMENT_RECEIVED":
        return chargeback_record_representment(chargeback_id=chargeback_id, actor=actor, now=now)
    if event in ("PRE_ARBITRATION", "ARBITRATION"):
        return chargeback_escalate(chargeback_id=chargeback_id, actor=actor, now=now, reason=reason)
    chargeback_propose_result(
        chargeback_id=chargeback_id,
        won=event == "WON",
        reason=reason.strip() or f"{event} reported by the card scheme",
        actor=actor,
        now=now,
    )
    return Chargeback.objects.get(pk=chargeback_id)


def webhook_endpoint_create(
    *, client: ApiClient, url: str, event_types: Sequence[str], now: datetime
) -> WebhookEndpoint:
    """Register where the client wants events; the signing secret is generated here and shown once."""
    unknown = sorted(set(event_types) - set(WebhookEventType.values))
    if unknown:
        raise RequestInvalid(
            f"event types {unknown}",
            errors=[{"field": "event_types", "code": "unknown", "message": f"unknown: {', '.join(unknown)}"}],
        )
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            client=client,
            url=url,
            secret="whsec_" + secrets.token_hex(24),
            event_types=sorted(set(event_types)) or sorted(WebhookEventType.values),
            created_at=now,
            updated_at=now,
        )
        audit_record(
            action=API_WEBHOOK_ENDPOINT_SAVED,
            actor=client.user,
            obj=endpoint,
            data={"url": url, "event_types": endpoint.event_types},
            now=now,
        )
    return endpoint


def webhook_endpoint_delete(*, client: ApiClient, endpoint_id: int, now: datetime) -> None:
    """Stop sending events to an endpoint (its delivery log stays).

    :raises ResourceNotFound:
    """
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update()
            .filter(client=client, pk=endpoint_id, active=True)
            .first()
        )
        if endpoint is None:
            raise ResourceNotFound(f"endpoint {endpoint_id}", resource="webhook endpoint")
        endpoint.active = False
        endpoint.updated_at = now
        endpoint.save(update_fields=["active", "updated_at"])
        audit_record(
            action=API_WEBHOOK_ENDPOINT_DELETED,
            actor=client.user,
            obj=endpoint,
            data={"url": endpoint.url},
            now=now,
        )
