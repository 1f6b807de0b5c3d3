"""Chargebacks: filing within the scheme window, second presentment, pre-arbitration, arbitration, result.

Each step locks the case and the chargeback, runs the chargeback's transition (audited with its
history row), records the documents the step sends or receives, and keeps the case's chargeback
clock (``Case.chargeback_due_at``, which the queues sort by) in step. The result moves money, so it
takes effect only as the approval of another person's proposal (``chargeback_propose_result``).

The chargeback's own rules (states, transitions, the window guards, the reason codes) are the
``chargebacks`` app's; these steps stay with the case because each runs inside the case's lock,
history, audit chain and four-eyes proposals, which the workflow owns.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.core.files import File

from chargebacks.models import Chargeback, ChargebackDocument, ChargebackState
from chargebacks.rules import fraud_right
from deadlines import engine as deadlines
from disputes.models import (
    Case,
    CaseTransition,
    DecisionProposal,
    EvidenceKind,
    ProposalKind,
    ProposalStatus,
    present,
)
from disputes.services._access import Actor, lock_chargeback
from disputes.services._audit import case_atomic
from disputes.services._core import run_transition, sync_chargeback_clock
from disputes.services._deadlines import deadline_computation, deadline_json
from disputes.services._errors import (
    AcquirerReferenceMissing,
    ChargebackAmountInvalid,
    ChargebackDocumentInvalid,
    ChargebackReasonCodeInvalid,
    FourEyesRequired,
    InvalidChargebackState,
    ReasonMissing,
)
from disputes.services._evidence import evidence_check, evidence_discard, evidence_store
from disputes.services._ledger import Entry, ledger_write
from disputes.services._text import case_text
from kartosfera.authz import APPROVE_DECISION
from kartosfera.legaltime import warsaw_date
from kartosfera.money import Money
from ledger.rules import LedgerKind

CENT = Decimal("0.01")


def _attach(
    case: Case, chargeback: Chargeback, evidence_ids: Sequence[int], *, direction: str, now: datetime
) -> list[int]:
    """Link evidence of the case to the chargeback at its current stage; return the evidence ids.

    :raises ChargebackDocumentInvalid: an id that is not evidence of this case.
    """
    wanted = sorted(set(evidence_ids))
    found = set(case.evidence.filter(pk__in=wanted).values_list("pk", flat=True))
    if len(found) != len(wanted):
        raise ChargebackDocumentInvalid(f"not on case {case.pk}: {sorted(set(wanted) - found)}")
    ChargebackDocument.objects.bulk_create(
        [
            ChargebackDocument(
                chargeback=chargeback,
                evidence_id=pk,
                direction=direction,
                stage=chargeback.state,
                added_at=now,
            )
            for pk in wanted
        ],
        ignore_conflicts=True,
    )
    return wanted


def chargeback_file(
    *,
    chargeback_id: int,
    acquirer_reference: str,
    actor: Actor,
    now: datetime,
    amount: Decimal | None = None,
    reason_code: str = "",
    evidence_ids: Sequence[int] = (),
) -> Chargeback:
    """File a drafted chargeback with the scheme, before its 120-day window ends (CB-VISA-10.4 / CB-MC-4837).

    ``amount``: the whole disputed amount of the transaction (None) or a part of it; ``reason_code``:
    one of the fraud codes the transaction's environment allows (``chargebacks.rules.fraud_right``;
    empty: the first of them); ``evidence_ids``: the case's documents sent with it.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState:
    :raises InformationMissing: no acquirer reference. :raises ChargebackWindowClosed:
    :raises ChargebackAmountInvalid, ChargebackReasonCodeInvalid, ChargebackDocumentInvalid:
    :raises CaseTextTooLong: a reference longer than the chargeback holds.
    """
    acquirer_reference = case_text(Chargeback, "acquirer_reference", acquirer_reference.strip())
    with case_atomic() as audit:
        case, chargeback = lock_chargeback(chargeback_id, actor)
        if not acquirer_reference:
            raise AcquirerReferenceMissing("no acquirer reference")
        right = fraud_right(scheme=chargeback.scheme, channel=chargeback.transaction.channel)
        code = reason_code.strip() or right.default
        if code not in right.codes:
            raise ChargebackReasonCodeInvalid(f"{code} for {chargeback.scheme} ({right.rule})", code=code)
        disputed = case.disputed.get(transaction_id=chargeback.transaction_id).amount
        filed_amount = disputed if amount is None else amount
        if not (Decimal("0") < filed_amount <= disputed) or filed_amount != filed_amount.quantize(CENT):
            raise ChargebackAmountInvalid(f"{filed_amount} of {disputed}", disputed=Money(disputed))
        documents: list[int] = []

        def details() -> None:
            chargeback.amount = filed_amount
            chargeback.reason_code = code

        row = run_transition(
            chargeback,
            "file",
            case=case,
            actor=actor,
            now=now,
            acquirer_reference=acquirer_reference,
            apply=details,
            data={
                "acquirer_reference": acquirer_reference,
                "filing_due_on": chargeback.filing_due_on.isoformat(),
                "reason_code": code,
                "amount": str(filed_amount),
                "partial": filed_amount < disputed,
                "documents": documents,
            },
            audit=audit,
        )
        documents += _attach(
            case, chargeback, evidence_ids, direction=ChargebackDocument.Direction.SENT, now=now
        )
        row.data["documents"] = documents
        row.save(update_fields=["data"])
        sync_chargeback_clock(case)
    return chargeback


def chargeback_record_representment(
    *,
    chargeback_id: int,
    actor: Actor,
    now: datetime,
    documents: Sequence["File[bytes]"] = (),
    note: str = "",
) -> Chargeback:
    """The acquirer's second presentment arrived with its documents; for Mastercard the response window
    (CB-MC-2P) starts and is stored.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState:
    :raises EvidenceEmpty, EvidenceTooLarge, EvidenceTypeNotAllowed: a document that cannot be stored.
    :raises CaseTextTooLong: a note longer than the chargeback's history holds.
    """
    note = case_text(CaseTransition, "reason", note.strip(), field="note")
    checked = [(file, evidence_check(file)) for file in documents]
    stored: list[str] = []
    try:
        with case_atomic() as audit:
            case, chargeback = lock_chargeback(chargeback_id, actor)
            data: dict[str, object] = {}

            def window() -> None:
                if chargeback.scheme != "MASTERCARD":
                    data["response_window"] = "none tracked for this scheme (RULES.md section 2)"
                    return
                due = deadlines.chargeback_due(
                    processed_on=warsaw_date(present(chargeback.filed_at, "filed_at")),
                    scheme=chargeback.scheme,
                    stage="SECOND_PRESENTMENT",
                )
                chargeback.response_due_at, chargeback.response_due_on, chargeback.response_rule = (
                    due.due_at,
                    due.due_date,
                    due.rule,
                )
                audit.note_computation(
                    case,
                    deadline_computation(
                        "chargeback_response",
                        due,
                        chargeback=chargeback.pk,
                        filed_at=chargeback.filed_at,
                        scheme=chargeback.scheme,
                        stage="SECOND_PRESENTMENT",
                    ),
                )
                chargeback.deadline_explanations = {
                    **chargeback.deadline_explanations,
                    "response": deadline_json(due),
                }
                data.update(response_due_on=due.due_date.isoformat(), rule=due.rule)

            row = run_transition(
                chargeback,
                "record_representment",
                case=case,
                actor=actor,
                now=now,
                apply=window,
                data=data,
                reason=note,
                audit=audit,
            )
            evidence = [
                evidence_store(
                    case,
                    kind=EvidenceKind.ACQUIRER_DOCUMENT,
                    file=file,
                    checked=check,
                    description="",
                    actor=actor,
                    now=now,
                    stored=stored,
                    audit=audit,
                )
                for file, check in checked
            ]
            if evidence:
                row.data["documents"] = _attach(
                    case,
                    chargeback,
                    [item.pk for item in evidence],
                    direction=ChargebackDocument.Direction.RECEIVED,
                    now=now,
                )
                row.save(update_fields=["data"])
            sync_chargeback_clock(case)
    except BaseException:
        evidence_discard(stored)
        raise
    return chargeback


def chargeback_escalate(
    *, chargeback_id: int, actor: Actor, now: datetime, reason: str = "", evidence_ids: Sequence[int] = ()
) -> Chargeback:
    """Take a represented chargeback to pre-arbitration (within CB-MC-2P), or pre-arbitration to arbitration,
    with the case's documents sent for the new stage.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState: :raises ChargebackResponseWindowClosed:
    :raises ChargebackDocumentInvalid: :raises CaseTextTooLong: a reason longer than the history holds.
    """
    reason = case_text(CaseTransition, "reason", reason.strip())
    with case_atomic() as audit:
        case, chargeback = lock_chargeback(chargeback_id, actor)
        step = {
            ChargebackState.REPRESENTED: "escalate_to_pre_arbitration",
            ChargebackState.PRE_ARBITRATION: "escalate_to_arbitration",
        }.get(chargeback.state)
        if step is None:
            raise InvalidChargebackState(
                f"escalate from {chargeback.state}", state=chargeback.get_state_display()
            )
        row = run_transition(chargeback, step, case=case, actor=actor, now=now, reason=reason, audit=audit)
        if evidence_ids:
            row.data["documents"] = _attach(
                case, chargeback, evidence_ids, direction=ChargebackDocument.Direction.SENT, now=now
            )
            row.save(update_fields=["data"])
        sync_chargeback_clock(case)
    return chargeback


def require_result_approval(
    chargeback: Chargeback, *, won: bool, actor: Actor, approval: DecisionProposal | None
) -> DecisionProposal:
    """Refuse a chargeback's result unless it runs as a second person's approval of that very result;
    the approval it runs as.

    The proposal is read again from the database: an object built by the caller proves nothing.

    :raises FourEyesRequired:
    """
    if approval is None or actor is None or approval.pk is None or not actor.has_perm(APPROVE_DECISION):
        raise FourEyesRequired(f"result of chargeback {chargeback.pk} without an approval")
    approved = (
        DecisionProposal.objects.filter(
            pk=approval.pk,
            chargeback=chargeback,
            kind=ProposalKind.CHARGEBACK_RESULT,
            status=ProposalStatus.APPROVED,
            decided_by=actor,
        )
        .exclude(proposed_by=actor)
        .values_list("data", flat=True)
        .first()
    )
    if approved is None or approved.get("won") is not won:
        raise FourEyesRequired(f"proposal {approval.pk} does not approve this result of {chargeback.pk}")
    return approval


def chargeback_resolve(
    *,
    chargeback_id: int,
    won: bool,
    actor: Actor,
    now: datetime,
    approval: DecisionProposal | None,
    reason: str = "",
) -> Chargeback:
    """The chargeback's result, as the ``approval`` of a proposal: WON writes the CHARGEBACK_CREDIT ledger
    entry of the amount filed (once); LOST writes nothing, the bank keeps the loss (recorded as such).

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState: :raises FourEyesRequired:
    :raises CaseTextTooLong: a reason longer than the history holds.
    """
    reason = case_text(CaseTransition, "reason", reason.strip())
    with case_atomic() as audit:
        case, chargeback = lock_chargeback(chargeback_id, actor)
        approved = require_result_approval(chargeback, won=won, actor=actor, approval=approval)
        data: dict[str, object] = {"proposal": approved.pk, "proposed_by": approved.proposed_by_id}
        if not won:
            data["bank_loss"] = str(chargeback.amount)
        row = run_transition(
            chargeback,
            "win" if won else "lose",
            case=case,
            actor=actor,
            now=now,
            reason=reason,
            data=data,
            audit=audit,
        )
        if won:
            link = case.disputed.get(transaction_id=chargeback.transaction_id)
            ledger_write(
                case,
                [
                    Entry(
                        chargeback.transaction_id,
                        LedgerKind.CHARGEBACK_CREDIT,
                        chargeback.amount,
                        link.amount,
                        chargeback.pk,
                    )
                ],
                transition=row,
                actor=actor,
                now=now,
                audit=audit,
            )
        sync_chargeback_clock(case)
    return chargeback


def chargeback_abandon(*, chargeback_id: int, reason: str, actor: Actor, now: datetime) -> Chargeback:
    """Decide not to file a drafted chargeback, with the reason (the customer is liable, the window closed).

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState: :raises InformationMissing:
    :raises CaseTextTooLong: a reason longer than the history holds.
    """
    reason = case_text(CaseTransition, "reason", reason.strip())
    with case_atomic() as audit:
        case, chargeback = lock_chargeback(chargeback_id, actor)
        if not reason:
            raise ReasonMissing("no reason")

        def note() -> None:
            chargeback.reason = reason

        run_transition(
            chargeback, "abandon", case=case, actor=actor, now=now, reason=reason, apply=note, audit=audit
        )
        sync_chargeback_clock(case)
    return chargeback


__all__ = [
    "chargeback_abandon",
    "chargeback_escalate",
    "chargeback_file",
    "chargeback_record_representment",
    "chargeback_resolve",
    "require_result_approval",
]
