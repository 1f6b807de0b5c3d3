"""The customers and cards the bank's systems feed in, created or updated by their identifiers."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from api.errors import RequestInvalid, ResourceConflict, ResourceNotFound, validation_errors
from api.models import ApiClient
from api.selectors import customer_for_client
from audit.services import audit_diff, audit_record, audit_snapshot
from cards.models import Card, CardProduct
from customers.models import Customer

API_CUSTOMER_UPSERTED = "api.customer_upserted"
API_CARD_UPSERTED = "api.card_upserted"


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


def _validated(instance: Model, *, exclude: Sequence[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        raise RequestInvalid(str(error), errors=validation_errors(error)) from error


def _audit_upsert(
    action: str,
    *,
    client: ApiClient,
    obj: Model,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    now: datetime,
) -> None:
    """Record what an upsert changed, as the client's act: the fields created or changed (no entry when
    nothing changed; a created object has no ``before``)."""
    if before != after:
        audit_record(action=action, actor=client.user, obj=obj, **audit_diff(before, after), now=now)


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
        before = None if customer is None else audit_snapshot(customer, exclude=_CUSTOMER_NOT_AUDITED)
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
        _audit_upsert(API_CUSTOMER_UPSERTED, client=client, obj=customer, before=before, after=after, now=now)
    return customer, created


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
            _audit_upsert(API_CARD_UPSERTED, client=client, obj=card, before=before, after=after, now=now)
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
        _audit_upsert(
            API_CARD_UPSERTED, client=client, obj=card, before=None, after=audit_snapshot(card), now=now
        )
    return card, True
