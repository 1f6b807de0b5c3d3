"""A back-office field with an error is marked invalid and names its error text (WCAG 3.3.1, 1.3.1)."""

import re
from decimal import Decimal

from django.urls import reverse

from chargebacks.models import ChargebackState
from disputes.models import DecisionProposal
from disputes.services import chargeback_file
from tests.accessible_errors import described_by, element
from tests.backoffice.conftest import warsaw

CLAIM = reverse("backoffice:claim_new")


def _tag(page: str, pattern: str) -> str:
    found = re.search(rf"<(?:input|select|textarea)[^>]*{pattern}[^>]*>", page)
    assert found, pattern
    return found.group(0)


def test_a_claim_on_behalf_without_transactions_marks_each_choice_and_names_the_error(
    client, analyst, as_staff, theft
):
    as_staff(analyst)

    response = client.post(
        f"{CLAIM}?customer={theft.customer.pk}&card={theft.card.pk}",
        {"channel": "PHONE", "cause": "STOLEN", "received_at": "not a moment", "account": "Skradziona."},
    )

    page = response.content.decode()
    choice = _tag(page, 'name="transactions"')
    moment = _tag(page, 'name="received_at"')
    for field in (choice, moment):
        assert 'aria-invalid="true"' in field
        described = re.search(r'aria-describedby="([^"]+)"', field)
        assert described, field
        ids = described.group(1).split()
        assert all(f'id="{named}"' in page for named in ids), ids
        assert any(f'<p class="field-error" id="{named}">' in page for named in ids), ids


def _chargeback_url(case, chargeback, action: str) -> str:
    return reverse(
        "backoffice:chargeback_action",
        kwargs={"case_id": case.pk, "chargeback_id": chargeback.pk, "action": action},
    )


def test_a_chargeback_filed_with_wrong_fields_names_each_error_at_its_field(
    client, analyst, as_staff, case, theft
):
    atm = case.chargebacks.get(transaction=theft.atm)
    as_staff(analyst)
    client.cookies["django_language"] = "en"

    response = client.post(_chargeback_url(case, atm, "file"), {"acquirer_reference": "", "amount": "0"})

    page = response.content.decode()
    assert response.status_code == 400
    reference = element(page, "input", name_="acquirer_reference", id=f"cb{atm.pk}-file-acquirer_reference")
    amount = element(page, "input", name_="amount", id=f"cb{atm.pk}-file-amount")
    assert (reference["aria-invalid"], amount["aria-invalid"]) == ("true", "true")
    assert described_by(page, reference) == ["This field is required."]
    assert described_by(page, amount) == [
        "Empty: the whole disputed amount; or a part of it.",
        "Ensure this value is greater than or equal to 0.01.",
    ]
    assert amount["value"] == "0"  # what was typed stays
    filing = _chargeback_url(case, atm, "file")
    assert f'<details open><summary>File the chargeback</summary><form method="post" action="{filing}"' in (
        page
    )
    # The errors are still said at the top of the page too, as before.
    assert [str(m) for m in response.context["messages"]] == [
        "Acquirer reference (ARN): This field is required.",
        "Amount to charge back (PLN): Ensure this value is greater than or equal to 0.01.",
    ]
    atm.refresh_from_db()
    assert (atm.state, atm.transitions.count()) == (ChargebackState.DRAFT, 0)


def test_a_chargeback_not_filed_without_a_reason_names_the_error_at_the_reason(
    client, analyst, as_staff, case, theft
):
    atm, contactless = case.chargebacks.order_by("pk")
    as_staff(analyst)
    client.cookies["django_language"] = "en"

    page = client.post(_chargeback_url(case, atm, "abandon"), {"reason": ""}).content.decode()

    reason = element(page, "textarea", id=f"cb{atm.pk}-abandon-reason")
    assert reason["aria-invalid"] == "true"
    assert described_by(page, reason) == ["This field is required."]
    # The other chargeback's same step is not marked.
    other = element(page, "textarea", id=f"cb{contactless.pk}-abandon-reason")
    assert ("aria-invalid" in other, "aria-describedby" in other) == (False, False)
    atm.refresh_from_db()
    assert atm.state == ChargebackState.DRAFT


def test_a_chargeback_amount_above_the_disputed_sum_is_refused_at_the_amount_keeping_what_was_typed(
    client, analyst, as_staff, case, theft
):
    atm = case.chargebacks.get(transaction=theft.atm)
    as_staff(analyst)
    client.cookies["django_language"] = "en"

    response = client.post(
        _chargeback_url(case, atm, "file"), {"acquirer_reference": "MC-ARN-7781", "amount": "800.01"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    filing = _chargeback_url(case, atm, "file")
    assert f'<details open><summary>File the chargeback</summary><form method="post" action="{filing}"' in (
        page
    )
    reference = element(page, "input", name_="acquirer_reference", id=f"cb{atm.pk}-file-acquirer_reference")
    amount = element(page, "input", name_="amount", id=f"cb{atm.pk}-file-amount")
    assert (reference["value"], amount["value"]) == ("MC-ARN-7781", "800.01")
    assert "aria-invalid" not in reference
    assert amount["aria-invalid"] == "true"
    refusal = "The chargeback amount must be more than 0 and at most the disputed PLN 800.00."
    assert described_by(page, amount) == ["Empty: the whole disputed amount; or a part of it.", refusal]
    # Said at the top of the page too, as the form's own errors are.
    assert [str(m).replace("\xa0", " ") for m in response.context["messages"]] == [refusal]
    atm.refresh_from_db()
    assert (atm.state, atm.amount, atm.transitions.count()) == (ChargebackState.DRAFT, Decimal("800.00"), 0)


def test_a_lost_chargeback_result_without_a_reason_is_refused_at_the_reason(
    client, analyst, as_staff, case, theft
):
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN-1", actor=analyst, now=warsaw(2025, 6, 5))
    as_staff(analyst)
    client.cookies["django_language"] = "en"

    response = client.post(_chargeback_url(case, atm, "result"), {"won": "0", "reason": ""})

    page = response.content.decode()
    assert response.status_code == 400
    reason = element(page, "textarea", id=f"cb{atm.pk}-lose-reason")
    assert reason["aria-invalid"] == "true"
    assert described_by(page, reason) == ["Give the reason: it is recorded with this step."]
    assert not DecisionProposal.objects.filter(chargeback=atm).exists()


def test_a_wrong_queue_filter_is_marked_and_names_its_error(case, supervisor, as_staff):
    url = reverse("backoffice:queue", kwargs={"name": "all"})

    response = as_staff(supervisor).get(
        url, {"amount_min": "abc", "assignee": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    amount = element(page, "input", name_="amount_min")
    assignee = element(page, "select", id="id_assignee")
    assert (amount["aria-invalid"], assignee["aria-invalid"]) == ("true", "true")
    assert described_by(page, amount) == ["Enter a number."]
    assert described_by(page, assignee) == ["Enter a whole number."]
    assert "Some filters are not valid and were left out" in page  # said first, as before


def test_a_claim_lookup_without_a_query_is_marked_and_names_its_error(client, analyst, as_staff):
    as_staff(analyst)

    page = client.get(CLAIM, {"q": ""}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    query = element(page, "input", id="claim-lookup-q")
    assert query["aria-invalid"] == "true"
    assert described_by(page, query) == ["This field is required."]


def test_a_search_too_long_marks_the_header_search_box_and_names_its_error(client, analyst, as_staff):
    as_staff(analyst)

    page = client.get(
        reverse("backoffice:search"), {"q": "x" * 101}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    box = element(page, "input", id="site-search")
    assert box["aria-invalid"] == "true"
    assert described_by(page, box) == ["Ensure this value has at most 100 characters (it has 101)."]
