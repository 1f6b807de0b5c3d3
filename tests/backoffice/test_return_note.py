"""A proposal returned or withdrawn with a note too long is refused, with the reason at the note, and stays
pending: the note is never dropped."""

import re

import pytest
from django.urls import reverse

from disputes.backoffice.forms import ReturnProposalForm
from disputes.models import ProposalStatus
from disputes.services import (
    case_assess_liability,
    case_propose,
    case_refund_provisionally,
    case_start_review,
)
from liability.engine import Findings
from tests.backoffice.conftest import warsaw
from tests.disputes.helpers import snapshot

AT = warsaw(2025, 5, 27, 10, 0)
GROUNDS = "Wypłatę z bankomatu potwierdzono kodem PIN, którego karta nie ujawnia."
LIMIT = ReturnProposalForm.base_fields["note"].max_length


@pytest.fixture
def proposal(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=AT)
    case_assess_liability(case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=AT)
    return case_propose(
        case_id=case.pk, kind="DECISION", reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )


@pytest.mark.parametrize(
    ("who", "language", "said"), [("supervisor", "pl", "co najwyżej"), ("analyst", "en", "at most")]
)
def test_a_note_too_long_is_refused_at_its_field_and_the_proposal_stays_pending(
    client, as_staff, proposal, request, who, language, said
):
    as_staff(request.getfixturevalue(who))
    client.cookies["django_language"] = language
    before = snapshot(proposal.case)

    response = client.post(
        reverse("backoffice:return_proposal", kwargs={"proposal_id": proposal.pk}),
        {"note": "x" * (LIMIT + 1)},
    )

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.decision_note == ""
    assert snapshot(proposal.case) == before
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'<p class="field-error" id="return-{proposal.pk}-note_error">([^<]*)</p>', page)
    assert error and said in error.group(1)
    note = re.search(rf'<input id="return-{proposal.pk}-note"[^>]*>', page)
    assert note
    assert 'aria-invalid="true"' in note.group(0)
    assert f'aria-describedby="return-{proposal.pk}-note_error"' in note.group(0)


def test_the_note_input_holds_no_more_than_the_form_takes(client, as_staff, supervisor, proposal):
    as_staff(supervisor)

    page = client.get(reverse("backoffice:approvals")).content.decode()

    note = re.search(rf'<input id="return-{proposal.pk}-note"[^>]*>', page)
    assert note and f'maxlength="{LIMIT}"' in note.group(0)
