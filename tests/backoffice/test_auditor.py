"""An auditor sees everything and can change nothing: one test per state-changing URL.

Each case is first brought to a state where the step is possible for an analyst, so the refusal
proves the permission check, not a wrong state.
"""

import hashlib

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from disputes.models import Case, DecisionProposal
from disputes.services import (
    ActionNotPermitted,
    case_assess_liability,
    case_propose,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
)
from letters.models import Letter, PrintBatch
from letters.services import (
    letter_issue,
    letter_request_process,
    print_batch_assemble,
    print_batch_mark_printed,
)
from liability.engine import Findings
from tests.backoffice.conftest import NOW, warsaw
from tests.backoffice.test_case_letters_and_card import pending_letter  # noqa: F401 (a fixture)
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


# The print room: an auditor proves what was posted and when (the batches, their letters, the PDF),
# and assembles, marks printed or marks posted nothing.


@pytest.fixture
def paper_letter(pending_letter):  # noqa: F811 (the fixture imported above)
    return letter_issue(letter_request_id=pending_letter.pk, actor=None, now=NOW)


@pytest.fixture
def batch(paper_letter, analyst):
    return print_batch_assemble(actor=analyst, now=NOW)


def test_an_auditor_downloads_a_print_batch_and_the_download_is_audited(
    batch, paper_letter, auditor, as_staff
):
    response = as_staff(auditor).get(reverse("backoffice:print_batch_file", kwargs={"batch_id": batch.pk}))

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    entry = AuditEntry.objects.get(action="print_batch.downloaded")
    assert (entry.actor, entry.object_id, entry.recorded_at) == (auditor, str(batch.pk), NOW)
    assert entry.data == {
        "letters": [paper_letter.pk],
        "sha256": hashlib.sha256(response.content).hexdigest(),
        "size": len(response.content),
    }
    batch.refresh_from_db()
    assert batch.printed_at is None  # downloading is not printing


def refund_letter_waiting(case, analyst, supervisor):
    """The refund letter, signed by the analyst who refunded, issued and waiting for a print batch."""
    analyst.first_name, analyst.last_name = "Piotr", "Wróbel"
    analyst.save(update_fields=["first_name", "last_name"])
    refunded(case, analyst, supervisor)
    request = case.letter_requests.get(letter_type="PROVISIONAL_REFUND")
    return letter_request_process(letter_request_id=request.pk, actor=None, now=NOW).letter


PRINT_ROOM_FORMS = [
    "print_batch_new",
    "print_batch_printed",
    "print_batch_printed_undo",
    "print_batch_posted",
]


def print_room_url(name, batch):
    return reverse(f"backoffice:{name}", kwargs={} if name == "print_batch_new" else {"batch_id": batch.pk})


def _print_room_forms(page: str, batch) -> list[str]:
    return [name for name in PRINT_ROOM_FORMS if f'action="{print_room_url(name, batch)}"' in page]


def test_an_auditor_reads_the_print_room_without_its_buttons(
    case, batch, paper_letter, analyst, supervisor, auditor, as_staff
):
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=NOW)
    # Another paper letter waits, so the page offers to assemble a batch to those who may.
    refund_letter_waiting(case, analyst, supervisor)

    auditor_room = as_staff(auditor).get(reverse("backoffice:print"), HTTP_ACCEPT_LANGUAGE="en")
    auditor_batch = as_staff(auditor).get(
        reverse("backoffice:print_batch", kwargs={"batch_id": batch.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    analyst_room = as_staff(analyst).get(reverse("backoffice:print"), HTTP_ACCEPT_LANGUAGE="en")

    assert (auditor_room.status_code, auditor_batch.status_code) == (200, 200)
    assert _print_room_forms(auditor_room.content.decode(), batch) == []
    assert _print_room_forms(auditor_batch.content.decode(), batch) == []
    assert _print_room_forms(analyst_room.content.decode(), batch) == [
        "print_batch_new",
        "print_batch_printed_undo",
        "print_batch_posted",
    ]
    # The batch's letters and when it was printed are the auditor's to read, with its PDF.
    batch_page = auditor_batch.content.decode()
    assert case.number in batch_page and "Acknowledgement, version 1" in batch_page
    assert reverse("backoffice:print_batch_file", kwargs={"batch_id": batch.pk}) in batch_page
    assert "26 May 2025, 12:00:00" in batch_page


def _print_room_state(case):
    return (
        list(PrintBatch.objects.values_list("pk", "printed_at", "posted_at")),
        list(Letter.objects.filter(case=case).values_list("pk", "dispatched_at")),
    )


@pytest.mark.parametrize("name", PRINT_ROOM_FORMS)
def test_an_auditor_changes_nothing_in_the_print_room(
    case, batch, analyst, supervisor, auditor, as_staff, name
):
    if name == "print_batch_new":  # a paper letter waits for a batch
        refund_letter_waiting(case, analyst, supervisor)
    if name == "print_batch_printed_undo":  # marked printed, not posted
        print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=NOW)
    before = _print_room_state(case)

    response = as_staff(auditor).post(print_room_url(name, batch))

    assert response.status_code == 403
    assert _print_room_state(case) == before
