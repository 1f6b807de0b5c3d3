"""Reading a case back in tests: its ledger, history, letters and a full snapshot for "nothing changed"."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from corebanking.gateway import PostingReceipt
from corebanking.services import postings_dispatch_due
from disputes.models import Case


def ledger(case: Case) -> list[tuple[int, str, Decimal]]:
    """(transaction id, kind, amount) of every ledger entry, in the order written."""
    return list(case.ledger_entries.order_by("pk").values_list("transaction_id", "kind", "amount"))


def history(case: Case) -> list[tuple[str, str, str]]:
    """(name, from, to) of every transition of the case itself, in order."""
    return list(
        case.transitions.filter(chargeback=None).order_by("pk").values_list("name", "from_state", "to_state")
    )


def letters(case: Case) -> list[str]:
    """The letters requested, in order."""
    return list(case.letter_requests.order_by("pk").values_list("letter_type", flat=True))


def snapshot(case: Case) -> dict:
    """Everything a refused step must leave as it was."""
    fresh = Case.objects.get(pk=case.pk)
    return {
        "case": model_to_dict(fresh, exclude=["transactions"]) | {"state": fresh.state},
        "links": list(fresh.disputed.order_by("pk").values()),
        "ledger": list(fresh.ledger_entries.order_by("pk").values()),
        "transitions": list(fresh.transitions.order_by("pk").values()),
        "events": list(fresh.events.order_by("pk").values()),
        "letters": list(fresh.letter_requests.order_by("pk").values()),
        "assessments": list(fresh.assessments.order_by("pk").values()),
        "evidence": list(fresh.evidence.order_by("pk").values()),
        "chargebacks": list(fresh.chargebacks.order_by("pk").values()),
    }


def pdf(
    name: str = "zawiadomienie.pdf", content: bytes = b"%PDF-1.4 notice to the prosecutor"
) -> SimpleUploadedFile:
    """A small uploaded document."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def four_eyes(
    kind: str,
    *,
    case: Case,
    proposer,
    approver,
    now,
    reason: str = "Uzasadnienie decyzji",
    grounds: str | None = None,
):
    """A four-eyes step as it takes effect: proposed by one person, approved by a supervisor who is not them.

    A decision's grounds for the customer are ``grounds``, by default the same text as the ``reason``.
    Returns the approved proposal; a refusal of the step raises from ``proposal_approve``.
    """
    from disputes.services import case_propose, proposal_approve

    extra = {"customer_grounds": reason if grounds is None else grounds} if kind == "DECISION" else {}
    proposal = case_propose(case_id=case.pk, kind=kind, reason=reason, actor=proposer, now=now, **extra)
    return proposal_approve(proposal_id=proposal.pk, actor=approver, now=now)


class CoreSystemConfirmingAt:
    """The core banking system behind its port (``CoreBankingGateway``), applying and confirming every
    posting at ``at``: for tests whose refunds must count as made without the simulator process."""

    def __init__(self, at) -> None:
        self.at = at

    def post(self, *, idempotency_key, account, direction, amount, currency, description) -> PostingReceipt:
        return PostingReceipt(idempotency_key, f"CB-{idempotency_key[-20:]}", self.at)

    def statement(self, *, business_date) -> list:
        return []


def confirm_postings(*, at) -> dict[str, int]:
    """The dispatcher at ``at``: every posting due is sent and confirmed (the refunds are made then)."""
    return postings_dispatch_due(gateway=CoreSystemConfirmingAt(at), now=at, limit=10_000)
