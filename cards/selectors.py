"""Reads of cards and transactions, always scoped by the customer who owns them.

A card id that belongs to another customer answers exactly like one that does not exist
(``Card.DoesNotExist``), so an interface maps both to 404 and reveals nothing.
"""

from django.db.models import Case, F, FilteredRelation, IntegerField, Q, QuerySet, Value, When

from cards.models import Card, CardEvent, CardStatus, Transaction, TransactionChannel, WalletToken
from customers.models import Customer

# The order cards are listed in: usable cards first, dead ones last.
_STATUS_ORDER = [
    CardStatus.ACTIVE,
    CardStatus.INACTIVE,
    CardStatus.BLOCKED,
    CardStatus.CANCELLED,
    CardStatus.EXPIRED,
]


def card_get_for_customer(*, customer: Customer, card_id: int) -> Card:
    """The customer's card with this id, with its product.

    :raises Card.DoesNotExist: no such card, or it belongs to another customer.
    """
    return Card.objects.select_related("product", "customer").get(pk=card_id, customer=customer)


def card_list_for_customer(*, customer: Customer) -> QuerySet[Card]:
    """The customer's cards, usable ones first, newest first within a status."""
    status_rank = Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(_STATUS_ORDER)),
        default=Value(len(_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return (
        Card.objects.filter(customer=customer)
        .select_related("product")
        .alias(status_rank=status_rank)
        .order_by("status_rank", "-created_at", "-id")
    )


def transaction_list_for_card(
    *,
    customer: Customer,
    card_id: int,
    channel: str | None = None,
    foreign: bool | None = None,
    search: str | None = None,
    with_open_claim: bool = False,
) -> QuerySet[Transaction]:
    """The history of one of the customer's cards, newest first, optionally filtered.

    ``channel`` is a ``TransactionChannel`` value, ``foreign`` keeps only transactions abroad (True)
    or at home (False), ``search`` matches the merchant's name or city. ``with_open_claim`` gives each
    transaction the submitted claim that holds it, ``open_claim_id`` and ``open_claim_number`` (None
    when none), read in the same query.

    :raises Card.DoesNotExist: no such card, or it belongs to another customer.
    :raises ValueError: ``channel`` is not a transaction channel.
    """
    card = card_get_for_customer(customer=customer, card_id=card_id)
    transactions = Transaction.objects.filter(card=card).select_related("card", "wallet_token")
    if channel is not None:
        transactions = transactions.filter(channel=TransactionChannel(channel))
    if foreign is not None:
        transactions = transactions.filter(is_foreign=foreign)
    if search is not None and search.strip():
        term = search.strip()
        transactions = transactions.filter(
            Q(merchant_name__icontains=term) | Q(merchant_city__icontains=term)
        )
    if with_open_claim:
        transactions = _with_open_claim(transactions)
    return transactions.order_by("-executed_at", "-id")


def _with_open_claim(transactions: QuerySet[Transaction]) -> QuerySet[Transaction]:
    # The claims name their transactions (disputes' CaseTransaction, reverse name ``dispute_links``) and
    # sit above the cards, so the card reads them by that relation's name, never by importing them. A
    # transaction is in at most one open claim (a partial unique index), so the join adds no rows.
    return transactions.annotate(
        open_link=FilteredRelation("dispute_links", condition=Q(dispute_links__is_open=True)),
        open_claim_id=F("open_link__case_id"),
        open_claim_number=F("open_link__case__number"),
    )


def wallet_token_list_for_card(*, card: Card) -> QuerySet[WalletToken]:
    """The phones and watches the card was added to, removed ones last, newest first."""
    removed_last = Case(When(status="REMOVED", then=Value(1)), default=Value(0), output_field=IntegerField())
    return card.wallet_tokens.alias(removed_last=removed_last).order_by("removed_last", "-created_at", "-id")


def wallet_token_get_for_customer(*, customer: Customer, card_id: int, token_id: int) -> WalletToken:
    """One device of one of the customer's cards.

    :raises WalletToken.DoesNotExist: no such device on that card, or the card is another customer's.
    """
    return WalletToken.objects.select_related("card").get(
        pk=token_id, card_id=card_id, card__customer=customer
    )


def card_event_list_for_card(*, card: Card, limit: int = 20) -> list[CardEvent]:
    """The card's latest history entries, newest first."""
    return list(card.events.order_by("-occurred_at", "-id")[:limit])


def card_replacement_for(*, card: Card) -> Card | None:
    """The card that took this one's place, if any: the one ordered to replace it, or, for an expired
    card, its renewal (a card of the same product issued to the customer after it, still in use)."""
    ordered = Card.objects.filter(replaces=card).first()
    if ordered is not None or card.status != CardStatus.EXPIRED:
        return ordered
    return (
        Card.objects.filter(
            customer_id=card.customer_id,
            product_id=card.product_id,
            created_at__gt=card.created_at,
            status__in=(CardStatus.INACTIVE, CardStatus.ACTIVE, CardStatus.BLOCKED),
        )
        .order_by("-created_at")
        .first()
    )
