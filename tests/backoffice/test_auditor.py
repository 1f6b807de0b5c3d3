"""An auditor sees everything and can change nothing: one test per state-changing URL.

Each case is first brought to a state where the step is possible for an analyst, so the refusal
proves the permission check, not a wrong state.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from disputes.models import Case, DecisionProposal
from disputes.services import (
    ActionNotPermitted,
    case_assess_liability,
    case_propose,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
)
from liability.engine import Findings
from tests.backoffice.conftest import warsaw
from tests.disputes.helpers import four_eyes, pdf, snapshot

AT = warsaw(2025, 5, 26, 11, 0)
# The factual grounds a decision letter states, written for the customer.
GROUNDS = "Wypłatę z bankomatu potwierdzono kodem PIN, którego karta nie ujawnia."


def refunded(case, analyst, supervisor):
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=AT)


def awaiting(case, analyst, supervisor):
    refunded(case, analyst, supervisor)
    case_request_information(case_id=case.pk, questions="Where was the card?", actor=analyst, now=AT)


def assessed(case, analyst, supervisor):
    refunded(case, analyst, supervisor)
    case_assess_liability(case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=AT)


def decided(case, analyst, supervisor):
    assessed(case, analyst, supervisor)
    four_eyes("DECISION", case=case, proposer=analyst, approver=supervisor, now=AT, reason="fraud")


def submitted(case, analyst, supervisor):
    pass


CASE_ACTIONS = [
    ("assign", submitted, {"assignee": "ANALYST"}),
    ("take", submitted, {}),
    ("start_review", submitted, {}),
    ("refund", submitted, {}),
    (
        "withhold_refund",
        submitted,
        {
            "reason": "Customer's phone used at the ATM",
            "authority": "Prokuratura Rejonowa Kraków-Śródmieście",
            "notified_on": "2025-05-26",
            "notice_reference": "KB/BZ/2025/0417",
        },
    ),
    ("request_information", refunded, {"questions": "Where was the card?"}),
    ("customer_responded", awaiting, {"response": "In my bag"}),
    ("extend_reply", refunded, {"reason": "Scheme", "outstanding": "TV", "expected_reply_on": "2025-07-20"}),
    ("assess", refunded, {"gross_negligence": "on"}),
    ("propose", assessed, {"kind": "DECISION", "reason": "fraud"}),
    ("deem_accepted", refunded, {}),
    ("withdraw", refunded, {"reason": "Found the payments were mine"}),
    ("close", decided, {}),
    ("note", submitted, {"text": "Called the customer"}),
    ("evidence", submitted, {"kind": "OTHER", "description": "x"}),
]  # fmt: skip


def refused(response) -> bool:
    with translation.override("en"):
        expected = ActionNotPermitted().message_in("en")
    return any(str(m) == expected for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize(("action", "stage", "data"), CASE_ACTIONS, ids=[a for a, _, _ in CASE_ACTIONS])
def test_an_auditor_changes_nothing_on_a_case(
    case, analyst, supervisor, auditor, as_staff, action, stage, data
):
    stage(case, analyst, supervisor)
    data = {k: (analyst.pk if v == "ANALYST" else v) for k, v in data.items()}
    if action == "evidence":
        data["file"] = pdf()
    before = snapshot(case)
    client = as_staff(auditor)

    response = client.post(
        reverse("backoffice:case_action", kwargs={"case_id": case.pk, "action": action}),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert refused(response)
    assert snapshot(case) == before
    assert not DecisionProposal.objects.filter(case=case, proposed_by=auditor).exists()


def test_an_auditor_cannot_bulk_assign(case, analyst, auditor, as_staff):
    before = snapshot(case)

    as_staff(auditor).post(reverse("backoffice:bulk_assign"), {"assignee": analyst.pk, "cases": [case.pk]})

    assert snapshot(case) == before


def test_an_auditor_cannot_take_the_next_case(case, auditor, as_staff):
    before = snapshot(case)

    as_staff(auditor).post(reverse("backoffice:take_next"))

    assert snapshot(case) == before


@pytest.mark.parametrize("url", ["backoffice:approve", "backoffice:return_proposal"])
def test_an_auditor_cannot_approve_or_return_a_proposal(case, analyst, supervisor, auditor, as_staff, url):
    assessed(case, analyst, supervisor)
    proposal = case_propose(
        case_id=case.pk, kind="DECISION", reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )
    before = snapshot(case)

    as_staff(auditor).post(reverse(url, kwargs={"proposal_id": proposal.pk}), {"note": "no"})

    proposal.refresh_from_db()
    assert proposal.status == "PENDING"
    assert snapshot(case) == before


def test_an_auditor_cannot_register_a_claim(theft, auditor, as_staff):
    response = as_staff(auditor).post(
        reverse("backoffice:claim_new") + f"?customer={theft.customer.pk}&card={theft.card.pk}",
        {
            "transactions": theft.transaction_ids,
            "channel": "LINE_828",
            "cause": "STOLEN",
            "received_at": "2025-05-26T09:00",
            "account": "Stolen from my bag",
        },
    )

    assert response.status_code == 200
    assert not Case.objects.filter(customer=theft.customer).exists()


def test_an_auditor_is_not_led_to_register_a_claim(case, auditor, analyst, as_staff):
    # The auditor reads; registering would be refused only once every form is filled in.
    register = f'href="{reverse("backoffice:claim_new")}"'
    queue = reverse("backoffice:queue", kwargs={"name": "all"})

    assert register not in as_staff(auditor).get(queue).content.decode()
    assert register in as_staff(analyst).get(queue).content.decode()
