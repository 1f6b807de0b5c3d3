"""The card pages that only show: the customer's cards, one card, adding it to a wallet, its transactions."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cards.forms import TransactionFilterForm
from cards.models import Card
from cards.owned import card_page
from cards.selectors import (
    card_event_list_for_card,
    card_list_for_customer,
    card_replacement_for,
    transaction_list_for_card,
    wallet_token_list_for_card,
)
from cards.views._common import TRANSACTIONS_PER_PAGE
from customers.decorators import CustomerRequest, customer_required
from kartosfera.paging import query_without_page


@customer_required
@require_GET
def card_list(request: CustomerRequest) -> HttpResponse:
    """The customer's cards, usable ones first."""
    return render(
        request, "portal/cards/list.html", {"cards": card_list_for_customer(customer=request.customer)}
    )


@card_page
@require_GET
def card_detail(request: CustomerRequest, card: Card) -> HttpResponse:
    """One card: status, what can be done with it, settings, limits, devices and history."""
    return render(
        request,
        "portal/cards/detail.html",
        {
            "card": card,
            "tokens": wallet_token_list_for_card(card=card),
            "events": card_event_list_for_card(card=card),
            "replacement": card_replacement_for(card=card),
            "replaced": card.replaces,
        },
    )


@card_page
@require_GET
def card_add_device(request: CustomerRequest, card: Card) -> HttpResponse:
    """How to add the card to Google Pay, Apple Pay or a watch, and the devices waiting to be confirmed."""
    return render(
        request,
        "portal/cards/add_device.html",
        {"card": card, "tokens": wallet_token_list_for_card(card=card).filter(status="PENDING")},
    )


@card_page
@require_GET
def card_transactions(request: CustomerRequest, card: Card) -> HttpResponse:
    """The card's transactions, filtered and paged; one held by an open claim links to that claim."""
    form = TransactionFilterForm(request.GET or None)
    transactions = transaction_list_for_card(
        customer=request.customer, card_id=card.pk, with_open_claim=True, **form.selector_filters()
    )
    page = Paginator(transactions, TRANSACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/cards/transactions.html",
        {
            "card": card,
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "base_url": reverse("cards:transactions", args=[card.pk]),
        },
    )
