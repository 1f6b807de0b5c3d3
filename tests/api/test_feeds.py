"""Data in through /api/v1/: tokens and scopes, customers and cards, the transaction feed, idempotency,
problem details, card numbers refused, rate limits, and the audit trail of the calling system."""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from api.models import IdempotencyRecord, TransactionAmendment
from api.services._feed import FEED_FIELDS, _insert_new
from audit.models import AuditEntry
from cards.models import Card, Transaction
from customers.models import Customer
from tests.api.conftest import make_caller, token_for
from tests.audit.helpers import readable_text
from tests.cards.factories import CardProductFactory
from tests.conftest import requires_services

CUSTOMER = {
    "pesel": "85010212342",
    "first_name": "Zofia",
    "last_name": "Wiśniewska",
    "mobile_phone": "+48601234567",
    "email": "zofia.wisniewska@example.pl",
    "preferred_language": "pl",
}


def tx(reference: str, card_token: str, **overrides) -> dict:
    record = {
        "processor_reference": reference,
        "card_token": card_token,
        "status": "SETTLED",
        "channel": "CONTACTLESS",
        "merchant_name": "Żabka Z1234",
        "mcc": "5411",
        "merchant_city": "Kraków",
        "merchant_country": "PL",
        "original_amount": "23.40",
        "original_currency": "PLN",
        "amount_pln": "23.40",
        "executed_at": "2026-11-30T08:15:00+01:00",
        "debited_on": "2026-12-01",
        "processed_on": "2026-12-01",
        "sca_applied": False,
        "authorisation_code": "A1B2C3",
    }
    record.update(overrides)
    return record


@pytest.fixture
def card(bank):
    CardProductFactory(code="visa-classic-debit")
    customer = bank.post("/api/v1/customers", CUSTOMER).json()
    response = bank.post(
        "/api/v1/cards",
        {
            "customer_id": customer["id"],
            "processor_token": "tok_zofia_main",
            "last4": "4821",
            "product_code": "visa-classic-debit",
            "expires_on": "2029-08-31",
        },
    )
    assert response.status_code == 201, response.content
    return Card.objects.get(processor_token="tok_zofia_main")


def test_a_token_is_issued_for_client_credentials_and_its_scopes_are_enforced(feed_only):
    response = feed_only.get("/api/v1/claims")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://kartosfera.example/problems/insufficient-scope",
        "title": "The access token does not carry the scope claims:read.",
        "status": 403,
        "code": "INSUFFICIENT_SCOPE",
        "instance": "/api/v1/claims",
    }


def test_a_scope_the_client_was_not_given_is_not_granted_and_writes_outside_it_change_nothing(feed_only):
    response = feed_only.post("/api/v1/customers", CUSTOMER)

    assert response.status_code == 403
    assert response.json()["code"] == "INSUFFICIENT_SCOPE"
    assert not Customer.objects.filter(pesel=CUSTOMER["pesel"]).exists()


def test_no_token_or_a_wrong_token_is_401_in_polish_by_default(bank):
    response = bank.http.get(
        "/api/v1/claims", HTTP_AUTHORIZATION="Bearer nonsense", HTTP_ACCEPT_LANGUAGE="pl"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response.json()["title"] == "Potrzebny jest ważny token dostępu (OAuth 2.0 client credentials)."


def test_customer_upsert_creates_then_updates_and_audits_the_calling_system_through_the_api(bank):
    first = bank.post("/api/v1/customers", CUSTOMER)
    second = bank.post("/api/v1/customers", {**CUSTOMER, "email": "z.wisniewska@example.pl"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    customer = Customer.objects.get(pesel=CUSTOMER["pesel"])
    assert customer.email == "z.wisniewska@example.pl"
    entries = list(AuditEntry.objects.filter(action="api.customer_upserted").order_by("sequence"))
    assert [(e.channel, e.role, e.actor_id) for e in entries] == [("API", "SYSTEM", bank.client.user_id)] * 2
    assert entries[1].after == {"email": "z.wisniewska@example.pl"}


def test_a_customer_created_through_the_api_is_audited_without_their_pesel(bank):
    created = bank.post("/api/v1/customers", CUSTOMER)

    entry = AuditEntry.objects.get(action="api.customer_upserted")
    assert created.status_code == 201
    assert entry.object_id == str(created.json()["id"])
    assert entry.after["first_name"] == "Zofia" and entry.after["email"] == CUSTOMER["email"]
    assert "pesel" not in entry.after
    assert CUSTOMER["pesel"] not in readable_text(entry)


def test_a_card_number_anywhere_in_a_request_is_refused_and_not_stored_or_logged(bank, caplog):
    body = {**CUSTOMER, "first_name": "Zofia 4111 1111 1111 1111"}

    response = bank.post("/api/v1/customers", body)

    assert response.status_code == 422
    assert response.json()["code"] == "CARD_NUMBER_REFUSED"
    assert "4111" not in response.content.decode()
    assert "4111" not in caplog.text
    assert not Customer.objects.filter(pesel=CUSTOMER["pesel"]).exists()


def test_the_feed_creates_amends_and_ignores_duplicates_on_the_processor_reference(bank, card):
    first = bank.post(
        "/api/v1/transactions/batch",
        {"transactions": [tx("ZB-1", card.processor_token), tx("ZB-2", card.processor_token)]},
    )
    second = bank.post(
        "/api/v1/transactions/batch",
        {
            "transactions": [
                tx("ZB-1", card.processor_token),
                tx("ZB-2", card.processor_token, amount_pln="32.40", original_amount="32.40"),
                tx("ZB-3", "tok_nobody"),
            ]
        },
    )

    assert first.json()["created"] == 2
    assert {k: second.json()[k] for k in ("created", "amended", "unchanged", "rejected")} == {
        "created": 0,
        "amended": 1,
        "unchanged": 1,
        "rejected": 1,
    }
    assert [(r["processor_reference"], r["outcome"], r["code"]) for r in second.json()["results"]] == [
        ("ZB-1", "UNCHANGED", ""),
        ("ZB-2", "AMENDED", ""),
        ("ZB-3", "REJECTED", "CARD_NOT_FOUND"),
    ]
    amended = Transaction.objects.get(processor_reference="ZB-2")
    assert str(amended.amount_pln) == "32.40"
    assert Transaction.objects.filter(processor_reference__startswith="ZB-").count() == 2
    assert list(
        TransactionAmendment.objects.filter(transaction=amended).values_list("changes", flat=True)
    ) == [
        {
            "amount_pln": {"before": "23.40", "after": "32.40"},
            "original_amount": {"before": "23.400", "after": "32.40"},
        }
    ]


def test_a_replayed_key_returns_the_first_response_and_writes_nothing_more(bank, card):
    body = {"transactions": [tx("ZB-9", card.processor_token)]}
    first = bank.post("/api/v1/transactions/batch", body, key="feed-2026-12-01-0001")
    Transaction.objects.filter(processor_reference="ZB-9").update(merchant_name="Zmieniony")

    replay = bank.post("/api/v1/transactions/batch", body, key="feed-2026-12-01-0001")

    assert replay.status_code == first.status_code == 200
    assert replay.json() == first.json()
    assert replay.json()["created"] == 1
    assert Transaction.objects.get(processor_reference="ZB-9").merchant_name == "Zmieniony"
    assert TransactionAmendment.objects.count() == 0


def test_the_same_key_with_another_body_is_refused_with_409(bank, card):
    bank.post("/api/v1/transactions/batch", {"transactions": [tx("ZB-10", card.processor_token)]}, key="k-1")

    response = bank.post(
        "/api/v1/transactions/batch", {"transactions": [tx("ZB-11", card.processor_token)]}, key="k-1"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert not Transaction.objects.filter(processor_reference="ZB-11").exists()


def test_a_write_without_an_idempotency_key_is_refused(bank):
    response = bank.post("/api/v1/customers", CUSTOMER, key=None)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Customer.objects.filter(pesel=CUSTOMER["pesel"]).exists()


def test_a_refused_write_keeps_no_key_so_the_corrected_request_can_use_it(bank):
    refused = bank.post("/api/v1/customers", {**CUSTOMER, "pesel": "85010212343"}, key="c-1")
    accepted = bank.post("/api/v1/customers", CUSTOMER, key="c-1")

    assert refused.status_code == 422
    assert refused.json()["code"] == "VALIDATION_FAILED"
    assert accepted.status_code == 201
    assert IdempotencyRecord.objects.filter(key="c-1").count() == 1


def test_validation_problems_name_the_field(bank, card):
    response = bank.post(
        "/api/v1/transactions/batch", {"transactions": [tx("ZB-12", card.processor_token, mcc="54")]}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_FAILED"
    assert response.json()["errors"][0]["field"] == "payload.transactions.0.mcc"


def test_each_client_has_a_rate_limit(db):
    caller = make_caller("branch-crm", ["claims:read"], rate_limit=3)

    statuses = [caller.get("/api/v1/claims").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert caller.get("/api/v1/claims").json()["code"] == "RATE_LIMITED"


def test_a_token_cannot_carry_a_scope_its_client_lacks(feed_only):
    with pytest.raises(AssertionError):
        token_for(feed_only.client_id, feed_only.client_secret, ["claims:read"])


def test_the_openapi_document_is_served(bank):
    response = bank.http.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "Kartosfera bank systems API"


STORED_FIELDS = ("processor_reference", "card__processor_token", *FEED_FIELDS, "is_foreign")


def test_the_feed_stores_exactly_what_was_sent_and_audits_the_batch_once(bank, card):
    """The same stored rows on both setups (PostgreSQL's set-based insert, SQLite's ORM insert)."""
    bank.post("/api/v1/transactions/batch", {"transactions": [tx("ZB-20", card.processor_token)]})
    body = {
        "transactions": [
            tx("ZB-20", card.processor_token, merchant_name="Żabka Z1235"),
            tx(
                "ZB-21",
                card.processor_token,
                status="AUTHORISED",
                channel="INTERNET",
                merchant_country="BH",
                merchant_city="",
                original_amount="12.345",
                original_currency="BHD",
                amount_pln="131.07",
                executed_at="2026-11-30T23:30:00Z",
                debited_on=None,
                processed_on=None,
                sca_applied=True,
                authorisation_code="",
            ),
            tx("ZB-22", card.processor_token),
            tx("ZB-22", card.processor_token, amount_pln="25.00", original_amount="25.00"),
            tx("ZB-23", "tok_nobody"),
        ]
    }

    response = bank.post("/api/v1/transactions/batch", body)

    assert [(r["processor_reference"], r["outcome"]) for r in response.json()["results"]] == [
        ("ZB-20", "AMENDED"),
        ("ZB-21", "CREATED"),
        ("ZB-22", "CREATED"),
        ("ZB-22", "AMENDED"),
        ("ZB-23", "REJECTED"),
    ]
    rows = Transaction.objects.filter(processor_reference__startswith="ZB-2").order_by("processor_reference")
    assert [
        tuple(str(v) if v is not None else None for v in row) for row in rows.values_list(*STORED_FIELDS)
    ] == [
        ("ZB-20", "tok_zofia_main", "CONTACTLESS", "Żabka Z1235", "5411", "Kraków", "PL", "23.400", "PLN",
         "23.40", "2026-11-30 07:15:00+00:00", "2026-12-01", "2026-12-01", "False", "A1B2C3", "SETTLED",
         "False"),
        ("ZB-21", "tok_zofia_main", "INTERNET", "Żabka Z1234", "5411", "", "BH", "12.345", "BHD", "131.07",
         "2026-11-30 23:30:00+00:00", None, None, "True", "", "AUTHORISED", "True"),
        ("ZB-22", "tok_zofia_main", "CONTACTLESS", "Żabka Z1234", "5411", "Kraków", "PL", "25.000", "PLN",
         "25.00", "2026-11-30 07:15:00+00:00", "2026-12-01", "2026-12-01", "False", "A1B2C3", "SETTLED",
         "False"),
    ]  # fmt: skip
    ids = {r["processor_reference"]: r["transaction_id"] for r in response.json()["results"]}
    entry = AuditEntry.objects.filter(action="api.transactions_fed").order_by("-sequence").first()
    assert (entry.channel, entry.actor_id) == ("API", bank.client.user_id)
    assert entry.data == {
        "client": "integration-hub",
        "counts": {"AMENDED": 2, "CREATED": 2, "REJECTED": 1},
        "request_sha256": hashlib.sha256(json.dumps(body).encode()).hexdigest(),
        "created_ids": [[ids["ZB-21"], ids["ZB-22"]]],
        "amended": ["ZB-20"],
        "rejected": ["ZB-23"],
    }


@requires_services
def test_the_set_based_insert_stores_the_same_rows_as_the_orm_insert(card):
    values = {
        "channel": "ATM",
        "merchant_name": "Bankomat Euronet",
        "mcc": "6011",
        "merchant_city": "Gdańsk",
        "merchant_country": "PL",
        "original_amount": Decimal("200.000"),
        "original_currency": "PLN",
        "amount_pln": Decimal("200.00"),
        "executed_at": datetime(2026, 12, 1, 22, 59, 59, 999999, tzinfo=UTC),
        "debited_on": date(2026, 12, 2),
        "processed_on": date(2026, 12, 3),
        "sca_applied": True,
        "authorisation_code": "Z9",
        "status": "SETTLED",
    }

    with transaction.atomic():
        by_orm = _insert_new({"SB-ORM": (card.pk, values)}, set_based=False)
        by_set = _insert_new({"SB-SET": (card.pk, values)}, set_based=True)
        again = _insert_new({"SB-SET": (card.pk, values)}, set_based=True)

    assert again == {}
    fields = [f for f in STORED_FIELDS if f != "processor_reference"]
    stored = {t["processor_reference"]: t for t in Transaction.objects.filter(
        pk__in=[*by_orm.values(), *by_set.values()]).values("processor_reference", *fields)}  # fmt: skip
    assert {k: v for k, v in stored["SB-SET"].items() if k != "processor_reference"} == {
        k: v for k, v in stored["SB-ORM"].items() if k != "processor_reference"
    }
    assert Transaction.objects.filter(processor_reference="SB-SET").count() == 1
