"""Claims through /api/v1/: filed on a customer's behalf through the back office's service, read with
state, deadlines (rule ids), liability and letters, listed by change with a cursor; chargeback events."""

import time_machine

from api.models import ApiClient
from api.schemas import ClaimIn
from audit.models import AuditEntry
from disputes.models import Case
from tests.api.conftest import make_caller
from tests.disputes.conftest import warsaw
from tests.disputes.test_lifecycle import _accepted

FILED_AT = warsaw(2025, 5, 26, 10, 5)


def claim_body(theft, **overrides) -> dict:
    body = {
        "customer_id": theft.customer.pk,
        "card_token": theft.card.processor_token,
        "processor_references": [theft.atm.processor_reference, theft.contactless.processor_reference],
        "channel": "BRANCH",
        "cause": "STOLEN",
        "received_at": "2025-05-26T10:00:00+02:00",
        "account": "Klientka zgłosiła w oddziale kradzież karty w tramwaju.",
    }
    body.update(overrides)
    return body


def test_a_claim_filed_through_the_api_is_submitted_as_one_taken_in_a_branch(theft, eur_rates):
    with time_machine.travel(FILED_AT, tick=True):
        crm = make_caller("branch-crm", ["claims:write", "claims:read"])
        response = crm.post("/api/v1/claims", claim_body(theft))

    assert response.status_code == 201, response.content
    claim = response.json()
    case = Case.objects.get(pk=claim["id"])
    assert (claim["state"], claim["channel"], claim["cause"], claim["number"]) == (
        "SUBMITTED",
        "BRANCH",
        "STOLEN",
        case.number,
    )
    assert claim["transactions"] == [
        {
            "id": theft.atm.pk,
            "processor_reference": theft.atm.processor_reference,
            "amount_pln": "800.00",
            "disputed_amount": "800.00",
        },
        {
            "id": theft.contactless.pk,
            "processor_reference": theft.contactless.processor_reference,
            "amount_pln": "120.00",
            "disputed_amount": "120.00",
        },
    ]
    deadlines = {(d["kind"], d["rule"], d["due_on"]) for d in claim["deadlines"]}
    assert ("REFUND", case.refund_rule, "2025-05-27") in deadlines
    assert ("REPLY", case.reply_rule, "2025-06-25") in deadlines
    assert claim["refund"] == {
        "owed": True,
        "due_at": "2025-05-27T22:00:00Z",
        "recorded_at": None,
        "confirmed_at": None,
    }
    client = ApiClient.objects.get(name="branch-crm")
    submitted = (
        AuditEntry.objects.filter(object_id=str(case.pk), action="case.transition")
        .order_by("sequence")
        .last()
    )
    assert (submitted.channel, submitted.actor_id) == ("API", client.user_id)


def test_a_client_without_claims_write_cannot_file_a_claim(theft, eur_rates):
    with time_machine.travel(FILED_AT, tick=True):
        reader = make_caller("reporting", ["claims:read"])
        response = reader.post("/api/v1/claims", claim_body(theft))

    assert response.status_code == 403
    assert response.json()["code"] == "INSUFFICIENT_SCOPE"
    assert not Case.objects.filter(customer=theft.customer).exists()


def test_a_claim_about_another_customers_card_is_not_found_and_files_nothing(theft, eur_rates):
    with time_machine.travel(FILED_AT, tick=True):
        crm = make_caller("branch-crm", ["claims:write"])
        response = crm.post("/api/v1/claims", claim_body(theft, customer_id=theft.customer.pk + 1000))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert not Case.objects.exists()


def test_a_refusal_of_the_workflow_is_a_problem_with_its_own_code(theft, eur_rates):
    with time_machine.travel(FILED_AT, tick=True):
        crm = make_caller("branch-crm", ["claims:write"])
        crm.post("/api/v1/claims", claim_body(theft))
        again = crm.post("/api/v1/claims", claim_body(theft), language="pl")

    assert again.status_code == 409
    assert again.json()["code"] == "TRANSACTION_ALREADY_DISPUTED"
    assert Case.objects.count() == 1


def test_claims_are_listed_by_change_with_a_cursor(theft, eur_rates):
    other = __import__("tests.disputes.conftest", fromlist=["make_theft"]).make_theft(username="jan")
    with time_machine.travel(FILED_AT, tick=True):
        crm = make_caller("branch-crm", ["claims:write", "claims:read"])
        first = crm.post("/api/v1/claims", claim_body(theft)).json()
        second = crm.post(
            "/api/v1/claims",
            claim_body(
                other,
                customer_id=other.customer.pk,
                card_token=other.card.processor_token,
                processor_references=[other.atm.processor_reference],
            ),
        ).json()
        page_one = crm.get("/api/v1/claims", {"limit": 1, "updated_since": "2025-05-26T00:00:00Z"}).json()
        page_two = crm.get("/api/v1/claims", {"limit": 1, "cursor": page_one["next_cursor"]}).json()
        later = crm.get("/api/v1/claims", {"updated_since": "2099-01-01T00:00:00Z"}).json()
        bad = crm.get("/api/v1/claims", {"cursor": "bm9wZQ"})

    assert [c["id"] for c in page_one["items"]] == [first["id"]]
    assert [c["id"] for c in page_two["items"]] == [second["id"]]
    assert page_two["next_cursor"] is None
    assert later == {"items": [], "next_cursor": None}
    assert (bad.status_code, bad.json()["code"]) == (422, "VALIDATION_FAILED")


def test_an_account_longer_than_the_case_holds_is_a_problem_naming_the_limit_not_a_server_error(
    theft, eur_rates
):
    limit = Case._meta.get_field("customer_account").max_length
    with time_machine.travel(FILED_AT, tick=True):
        crm = make_caller("branch-crm", ["claims:write", "claims:read"])
        refused = crm.post("/api/v1/claims", claim_body(theft, account="ż" * (limit + 1)), language="pl")
        accepted = crm.post("/api/v1/claims", claim_body(theft, account="ż" * limit))

    # The request body declares the column's limit (and the OpenAPI document says it), so the API
    # names the field before the service's own refusal (tests/disputes/test_text_limits.py) is reached.
    problem = refused.json()
    assert (refused.status_code, problem["code"]) == (422, "VALIDATION_FAILED")
    assert [error["field"] for error in problem["errors"]] == ["payload.account"]
    assert ClaimIn.model_json_schema()["properties"]["account"]["maxLength"] == limit
    assert accepted.status_code == 201, accepted.content
    assert list(Case.objects.filter(customer=theft.customer).values_list("pk", flat=True)) == [
        accepted.json()["id"]
    ]


def test_chargeback_events_drive_the_chargeback_services(case, theft, analyst, supervisor):
    from disputes.services import chargeback_file

    _accepted(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(
        chargeback_id=atm.pk, acquirer_reference="MC-ARN-1", actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    with time_machine.travel(warsaw(2025, 6, 20, 10, 0), tick=True):
        scheme = make_caller("scheme-gateway", ["chargebacks:write", "claims:read"])
        represented = scheme.post(f"/api/v1/chargebacks/{atm.pk}/events", {"event": "REPRESENTMENT_RECEIVED"})
        refused = scheme.post(f"/api/v1/chargebacks/{atm.pk}/events", {"event": "REPRESENTMENT_RECEIVED"})
        pre_arbitration = scheme.post(
            f"/api/v1/chargebacks/{atm.pk}/events", {"event": "PRE_ARBITRATION", "reason": "CCTV"}
        )
        claim = scheme.get(f"/api/v1/claims/{case.pk}").json()
        won = scheme.post(f"/api/v1/chargebacks/{atm.pk}/events", {"event": "WON"})

    assert represented.json()["state"] == "REPRESENTED"
    # The outcome moves money: it waits for a supervisor's approval, nothing credited yet.
    assert (won.status_code, won.json()["state"]) == (200, "PRE_ARBITRATION")
    proposal = atm.proposals.get()
    assert (proposal.kind, proposal.status, proposal.data["won"]) == ("CHARGEBACK", "PENDING", True)
    assert not atm.ledger_entries.exists()
    assert (refused.status_code, refused.json()["code"]) == (409, "INVALID_CHARGEBACK_STATE")
    assert pre_arbitration.json()["state"] == "PRE_ARBITRATION"
    assert list(atm.transitions.values_list("name", "actor__username")) == [
        ("file", "analyst"),
        ("record_representment", "api:scheme-gateway"),
        ("escalate_to_pre_arbitration", "api:scheme-gateway"),
    ]
    assert {(c["id"], c["state"]) for c in claim["chargebacks"]} >= {(atm.pk, "PRE_ARBITRATION")}
    assert ("CHARGEBACK_RESPONSE", "CB-MC-2P", "2025-07-20") in {
        (d["kind"], d["rule"], d["due_on"]) for d in claim["deadlines"]
    }
