"""Reads behind the back office's search box and the customer page.

Each lookup is a query an index serves on PostgreSQL (migration ``0007_search_indexes``): the case
number, PESEL, bank id and phone by their unique or plain b-tree indexes, a card's last four digits
and an amount by b-tree indexes, names and merchants by pg_trgm GIN indexes on the folded text.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import CharField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Lower

from cards.models import Card, Transaction
from cards.selectors import card_list_for_customer
from customers.models import Customer, User
from disputes.backoffice.search_rules import FOLDED_LETTERS, SearchTerms, parse_query
from disputes.models import Case, CaseTransaction
from disputes.portal.selectors import claimable_transactions
from kartosfera.authz import VIEW_CASE

RESULTS = 20
CUSTOMER_TRANSACTIONS = 100


class Folded(Func):
    """Text folded as ``search_rules.fold`` folds it, in SQL.

    PostgreSQL: ``LOWER(TRANSLATE(…))``, immutable, so an index can hold it. SQLite: the function
    ``kartosfera_fold`` (``search_rules.fold`` itself, registered on each connection by
    ``kartosfera.db``), because SQLite's ``LOWER`` knows only ASCII.
    """

    function = "kartosfera_fold"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        letters = "".join(FOLDED_LETTERS)
        plain = "".join(FOLDED_LETTERS.values())
        return Lower(
            Func(*self.get_source_expressions(), Value(letters), Value(plain), function="TRANSLATE")
        ).as_sql(compiler, connection, **extra_context)


def folded(expression) -> Func:
    """``expression`` folded for comparison with ``search_rules.fold`` of a query."""
    return Folded(expression)


def customer_name_folded() -> Func:
    """The customer's first, last and company name, folded (the name index's expression)."""
    return folded(Concat(F("first_name"), Value(" "), F("last_name"), Value(" "), F("company_name")))


def merchant_folded() -> Func:
    """The transaction's merchant name, folded (the merchant index's expression)."""
    return folded(F("merchant_name"))


@dataclass
class SearchResults:
    query: str
    terms: SearchTerms
    customers: list[Customer] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.customers or self.cases)


def _is_staff(user: User) -> bool:
    return user.is_active and user.has_perm(VIEW_CASE)


def customers_matching(*, terms: SearchTerms) -> QuerySet[Customer]:
    """Customers found by PESEL, bank id, phone, a card's last four digits or words of their name."""
    conditions = Q()
    if terms.pesel:
        conditions |= Q(pesel=terms.pesel)
    if terms.bank_id:
        conditions |= Q(bank_id=terms.bank_id)
    if terms.phone:
        conditions |= Q(mobile_phone=terms.phone)
    if terms.last4:
        conditions |= Q(Exists(Card.objects.filter(customer=OuterRef("pk"), last4=terms.last4)))
    if not conditions and not terms.words:
        return Customer.objects.none()
    customers = Customer.objects.all()
    if terms.words:
        customers = customers.alias(name_folded=customer_name_folded())
        by_name = Q()
        for word in terms.words:
            by_name &= Q(name_folded__contains=word)
        conditions |= by_name
    return customers.filter(conditions).order_by("last_name", "first_name", "id")


def _cases_where(condition: Q) -> QuerySet[Case]:
    return Case.objects.filter(condition, number__isnull=False)


def cases_matching(*, terms: SearchTerms, limit: int = RESULTS) -> list[Case]:
    """Submitted cases found by number, a card's last four digits, an amount or a merchant, newest first.

    Each reading is its own indexed query (an OR across tables would defeat the indexes); the
    results are merged.
    """
    queries: list[QuerySet[Case]] = []
    if terms.case_number:
        queries.append(_cases_where(Q(number=terms.case_number)))
    if terms.last4:
        queries.append(_cases_where(Q(card__last4=terms.last4)))
    if terms.amount is not None:
        queries.append(_cases_where(Q(disputed_amount=terms.amount)))
        queries.append(
            _cases_where(Q(pk__in=CaseTransaction.objects.filter(amount=terms.amount).values("case_id")))
        )
    if terms.words:
        merchants = Transaction.objects.alias(merchant=merchant_folded()).filter(
            merchant__contains=terms.text
        )
        queries.append(
            _cases_where(
                Q(pk__in=CaseTransaction.objects.filter(transaction__in=merchants).values("case_id"))
            )
        )
    found: dict[int, Case] = {}
    for query in queries:
        for case in query.select_related("customer", "card").order_by("-id")[:limit]:
            found.setdefault(case.pk, case)
    return sorted(found.values(), key=lambda case: -case.pk)[:limit]


def backoffice_search(*, user: User, query: str) -> SearchResults:
    """The customers and cases a search box query finds, at most ``RESULTS`` of each.

    :raises PermissionError: the user is not back-office staff.
    """
    if not _is_staff(user):
        raise PermissionError("not back-office staff")
    terms = parse_query(query)
    return SearchResults(
        query=query,
        terms=terms,
        customers=list(customers_matching(terms=terms)[:RESULTS]),
        cases=cases_matching(terms=terms),
    )


@dataclass
class CustomerPage:
    customer: Customer
    cards: list[Card]
    transactions: Sequence[Transaction]  # each with its open case's id
    cases: list[Case]


def customer_page(*, user: User, customer_id: int) -> CustomerPage:
    """A customer with their cards, latest transactions (each with its open case's id) and cases.

    :raises Customer.DoesNotExist: no such customer, or the user is not back-office staff.
    """
    if not _is_staff(user):
        raise Customer.DoesNotExist("not back-office staff")
    customer = Customer.objects.get(pk=customer_id)
    held = CaseTransaction.objects.filter(transaction=OuterRef("pk"), is_open=True).order_by("-case_id")
    transactions = list(
        Transaction.objects.filter(card__customer=customer)
        .select_related("card")
        .annotate(open_case_id=Subquery(held.values("case_id")[:1]))
        .order_by("-executed_at", "-id")[:CUSTOMER_TRANSACTIONS]
    )
    cases = list(
        Case.objects.filter(customer=customer)
        .select_related("card", "assignee")
        .order_by("-created_at", "-id")
    )
    return CustomerPage(
        customer=customer,
        cards=list(card_list_for_customer(customer=customer)),
        transactions=transactions,
        cases=cases,
    )


def claim_lookup(*, user: User, query: str) -> list[Customer]:
    """The customers a claim taken by phone may be for: found by PESEL, bank id, name or phone.

    :raises PermissionError: the user is not back-office staff.
    """
    if not _is_staff(user):
        raise PermissionError("not back-office staff")
    return list(customers_matching(terms=parse_query(query))[:RESULTS])


@dataclass
class ClaimTarget:
    """The customer a claim is registered for, their cards, and the chosen card's transactions."""

    customer: Customer
    cards: list[Card]
    card: Card | None
    transactions: QuerySet[Transaction] | None


def claim_target(*, user: User, customer_id: int, card_id: int | None) -> ClaimTarget:
    """The customer, their cards and, once a card is chosen, its transactions a claim may dispute.

    :raises Customer.DoesNotExist: no such customer, or the user is not back-office staff.
    :raises Card.DoesNotExist: the card is not the customer's.
    """
    if not _is_staff(user):
        raise Customer.DoesNotExist("not back-office staff")
    customer = Customer.objects.get(pk=customer_id)
    cards = list(card_list_for_customer(customer=customer))
    if card_id is None:
        return ClaimTarget(customer, cards, None, None)
    card = next((card for card in cards if card.pk == card_id), None)
    if card is None:
        raise Card.DoesNotExist("not the customer's card")
    return ClaimTarget(customer, cards, card, claimable_transactions(customer=customer, card_id=card.pk))
