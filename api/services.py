"""Writes of the bank systems API: its clients, and the data the bank's systems feed in.

Each service is keyword-only, takes the calling ``client`` (whose user is the actor) and ``now``, runs
in a transaction and writes an audit entry; the channel (API) comes from the request's audit context.
Claims and chargeback events go through the dispute workflow's own services, as the back office's do.
"""

import json
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
from chargebacks.models import Chargeback
from customers.models import Customer, User
from disputes.backoffice.services import claim_register_on_behalf
from disputes.models import Case
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


# The audit log is permanent and names a customer by their customer number (the entry's object), never
# by their PESEL (audit.representation): the entry of an upsert records every other field.
_CUSTOMER_NOT_AUDITED = ("pesel",)


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
        before = None if created else audit_snapshot(customer, exclude=_CUSTOMER_NOT_AUDITED)
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
        after = audit_snapshot(customer, exclude=_CUSTOMER_NOT_AUDITED)
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


# PostgreSQL types of the feed's columns for the set-based insert (the others are text).
_FEED_COLUMNS = ("card_id", "processor_reference", *FEED_FIELDS)
_FEED_COLUMN_TYPES = {
    "card_id": "bigint",
    "original_amount": "numeric",
    "amount_pln": "numeric",
    "executed_at": "timestamptz",
    "debited_on": "date",
    "processed_on": "date",
    "sca_applied": "boolean",
}


def _stored_for_update(references: Sequence[str]) -> dict[str, Transaction]:
    """The batch's transactions already stored, by reference, locked until the batch commits."""
    query = Transaction.objects.select_for_update().filter(processor_reference__in=references)
    return {t.processor_reference: t for t in query}


def _insert_new(new: dict[str, tuple[int, dict]], *, set_based: bool) -> dict[str, int]:
    """Store new transactions (reference -> card id and values); returns their ids by reference.

    ``set_based`` (PostgreSQL): one ``INSERT ... SELECT FROM jsonb_to_recordset(rows) ON CONFLICT
    (processor_reference) DO NOTHING``: a reference already stored (or stored meanwhile by another feed)
    is left out of the answer, never duplicated; the rows go as one JSON parameter, which costs a
    fraction of binding 16,000 values or compiling the ORM's multi-row INSERT. Otherwise (SQLite, which
    lets one writer in at a time) the ORM's bulk insert; a stored reference is an IntegrityError there.
    """
    if not new:
        return {}
    if not set_based:
        rows = [
            Transaction(card_id=card_id, processor_reference=reference, **values)
            for reference, (card_id, values) in new.items()
        ]
        Transaction.objects.bulk_create(rows)
        return {row.processor_reference: row.pk for row in rows}
    rows = json.dumps(
        [
            {"card_id": card_id, "processor_reference": reference, **values}
            for reference, (card_id, values) in new.items()
        ],
        default=str,  # Decimal, date and datetime as PostgreSQL reads them
    )
    columns = ", ".join(_FEED_COLUMNS)
    types = ", ".join(f"{column} {_FEED_COLUMN_TYPES.get(column, 'text')}" for column in _FEED_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Transaction._meta.db_table} ({columns}) "  # noqa: S608 (names from the model)
            f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({types}) "
            "ON CONFLICT (processor_reference) DO NOTHING RETURNING processor_reference, id",
            [rows],
        )
        return dict(cursor.fetchall())


@dataclass(slots=True)
class _FeedPlan:
    outcomes: list[FeedOutcome]
    new: dict[str, tuple[int, dict]]  # reference -> (card id, values): transactions to create
    amended: dict[str, Transaction]  # stored transactions with their new values set
    amendments: list[TransactionAmendment]


def _feed_plan(
    *,
    client: ApiClient,
    records: Sequence[FeedRecord],
    cards: dict[str, int],
    stored: dict[str, Transaction],
    now: datetime,
) -> _FeedPlan:
    """What a batch does, record by record in the order sent, given what is stored (no query)."""
    plan = _FeedPlan(outcomes=[], new={}, amended={}, amendments=[])
    for record in records:
        reference = record.processor_reference
        card_id = cards.get(record.card_token)
        if card_id is None:
            plan.outcomes.append(FeedOutcome(reference, "REJECTED", None, "CARD_NOT_FOUND"))
            continue
        row = stored.get(reference)
        if row is None and reference not in plan.new:
            plan.new[reference] = (card_id, dict(record.values))
            plan.outcomes.append(FeedOutcome(reference, "CREATED", None))
            continue
        if row is None:  # sent earlier in this batch
            current_card, current = plan.new[reference]
        else:
            current_card, current = row.card_id, {field: getattr(row, field) for field in FEED_FIELDS}
        if current_card != card_id:
            plan.outcomes.append(FeedOutcome(reference, "REJECTED", row and row.pk, "CARD_MISMATCH"))
            continue
        changes = {
            field: {"before": _plain(current[field]), "after": _plain(value)}
            for field, value in record.values.items()
            if current[field] != value
        }
        if not changes:
            plan.outcomes.append(FeedOutcome(reference, "UNCHANGED", row and row.pk))
            continue
        if row is None:
            current.update(record.values)
        else:
            for field, value in record.values.items():
                setattr(row, field, value)
            plan.amended[reference] = row
            plan.amendments.append(
                TransactionAmendment(transaction=row, changes=changes, client=client, received_at=now)
            )
        plan.outcomes.append(FeedOutcome(reference, "AMENDED", row and row.pk))
    return plan


class _FeedMetStoredRows(Exception):
    """The insert found references already stored (by an earlier batch, or another feed meanwhile)."""


def _id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: one batch's new rows are mostly one run."""
    runs: list[list[int]] = []
    for pk in ids:
        if runs and runs[-1][1] == pk - 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def transactions_ingest(
    *, client: ApiClient, records: Sequence[FeedRecord], request_sha256: str, now: datetime
) -> list[FeedOutcome]:
    """Take a batch of authorisation and clearing records, idempotent on the processor's reference.

    A new reference creates the transaction; a known one with other values is an amendment (the
    transaction takes the new values and a ``TransactionAmendment`` keeps what changed); a known one
    with the same values changes nothing. A record of an unknown card is rejected alone. The batch is
    one audit entry: the SHA-256 of the body the client sent, the outcome counts, the ids of the
    transactions it created (as runs of ids), the references it amended (each amendment's fields are
    in its ``TransactionAmendment``) and those it rejected. Set-based: a fixed number of queries per
    batch, none per record.

    :raises ResourceConflict: other feeds kept storing the batch's references while it was retried.
    """
    tokens = {record.card_token for record in records}
    cards = dict(Card.objects.filter(processor_token__in=tokens).values_list("processor_token", "pk"))
    references = list(dict.fromkeys(record.processor_reference for record in records))
    with transaction.atomic():
        # First as if every reference were new (a fresh feed's case: no lookup). The insert skips any
        # reference already stored; then the batch looks up and locks what is stored and plans again.
        set_based = connection.vendor == "postgresql"
        # SQLite's insert cannot skip a stored reference: it looks first.
        stored = {} if set_based else _stored_for_update(references)
        for _attempt in range(3):
            plan = _feed_plan(client=client, records=records, cards=cards, stored=stored, now=now)
            try:
                with transaction.atomic():  # a savepoint: an insert that met stored rows is undone
                    ids = _insert_new(plan.new, set_based=set_based)
                    if len(ids) != len(plan.new):
                        raise _FeedMetStoredRows
            except _FeedMetStoredRows:
                stored = _stored_for_update(references)
                continue
            break
        else:
            raise ResourceConflict("feed raced", problem="another feed is storing the same references")
        if plan.amended:
            Transaction.objects.bulk_update(list(plan.amended.values()), list(FEED_FIELDS))
            TransactionAmendment.objects.bulk_create(plan.amendments)
        outcomes = [
            FeedOutcome(
                o.processor_reference, o.outcome, o.transaction_id or ids.get(o.processor_reference), o.code
            )
            for o in plan.outcomes
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
                "request_sha256": request_sha256,
                "created_ids": _id_ranges(sorted(ids.values())),
                "amended": sorted(plan.amended),
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
