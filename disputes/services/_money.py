"""The money and the end of a case: D+1 refund or its withholding, decision, reply, recovery, REK-8, close."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from customers.models import NotificationKind
from disputes.models import (
    Case,
    CaseState,
    CaseTransaction,
    DecisionProposal,
    LedgerEntry,
    LiabilityAssessment,
    ProposalKind,
    ProposalStatus,
)
from disputes.rules import (
    DECISION_LETTERS,
    LedgerKind,
    LetterType,
    MoneyMove,
    Outcome,
    may_approve,
    net_to_customer,
    outcome_for,
    provisional_refunds,
    refund_needs_second_person,
    settlement_moves,
)
from disputes.selectors import refund_made_at
from disputes.services._core import (
    Actor,
    Entry,
    abandon_draft_chargebacks,
    apply_transition,
    case_atomic,
    close_links,
    ledger_write,
    ledger_write_many,
    lock_case,
    record_transitions,
    require_staff,
    run_transition,
)
from disputes.services._errors import (
    CustomerGroundsMissing,
    EstimateNotReady,
    FourEyesRequired,
    InformationMissing,
    InvalidClaim,
    LawEnforcementNoticeDateInvalid,
    LawEnforcementNoticeDetailsMissing,
    ProposalOutdated,
    ReplyLetterStale,
    WithholdingGroundsMissing,
)
from disputes.services._notify import case_notify, notify_decision
from kartosfera.authz import APPROVE_DECISION, HANDLE_CASE
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO


@dataclass(frozen=True, slots=True)
class MoneyResult:
    """A case after a money step, the ledger entries of that step, and whether this call wrote them."""

    case: Case
    entries: list[LedgerEntry]
    created: bool


def _amounts(case: Case) -> dict[int, Decimal]:
    return {link.transaction_id: link.amount for link in case.disputed.all()}


def _entries_of(case: Case, kind: str) -> list[LedgerEntry]:
    return list(case.ledger_entries.filter(kind=kind).order_by("transaction_id"))


def _refund_policy() -> str:
    return settings.KARTOSFERA_POLICIES.get("REFUND_POLICY", "FULL_THEN_RECOVER")


def refund_four_eyes_limit() -> Decimal:
    """The provisional refund above which a second person must approve (setting, PLN)."""
    return Decimal(settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE)


def refund_owed_total(case: Case) -> Decimal:
    """What the D+1 refund of this case comes to: every transaction reported in time."""
    return sum((link.amount for link in case.disputed.all() if not link.out_of_window), ZERO)


def refund_needs_approval(*, case: Case) -> bool:
    """Whether the D+1 refund of this case exceeds the four-eyes limit."""
    return refund_needs_second_person(amount=refund_owed_total(case), limit=refund_four_eyes_limit())


def require_approval(case: Case, *, kind: str, actor: Actor, approval: DecisionProposal | None) -> None:
    """Refuse a four-eyes step unless it runs as the approval of someone else's proposal.

    ``approval`` must be this case's proposal of this kind, already marked approved (in this
    transaction) by ``actor``, a supervisor who is not its proposer; the row is read again from the
    database, so an object built by the caller proves nothing.

    :raises FourEyesRequired:
    """
    if approval is None or actor is None or approval.pk is None or not actor.has_perm(APPROVE_DECISION):
        raise FourEyesRequired(f"{kind} on case {case.pk} without an approval")
    approved = DecisionProposal.objects.filter(
        pk=approval.pk, case=case, kind=kind, status=ProposalStatus.APPROVED, decided_by=actor
    ).first()
    if approved is None or not may_approve(
        approver_id=actor.pk, proposer_id=approved.proposed_by_id, holds_approval=True
    ):
        raise FourEyesRequired(f"proposal {approval.pk} does not approve {kind} on {case.pk} by {actor.pk}")


def case_refund_provisionally(
    *, case_id: int, actor: Actor, now: datetime, approval: DecisionProposal | None = None
) -> MoneyResult:
    """Make the D+1 refund (`UUP-46-1`) of every transaction reported in time, once.

    Above ``KARTOSFERA_FOUR_EYES_REFUND_ABOVE`` only as the ``approval`` of a REFUND proposal
    (``proposal_approve``).

    Policy REFUND_POLICY: FULL_THEN_RECOVER refunds the whole amount, NET_OF_CAP the bank's share of
    the first estimate. Safe to repeat: once made, another call (a double click, a retried task, a
    concurrent worker) returns the entries already written and writes nothing.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises RefundNotOwed: every transaction was reported after its 13-month window.
    :raises EstimateNotReady: NET_OF_CAP and the estimate waits for a rate.
    :raises TransactionAlreadyRefunded: a transaction has an outstanding refund in another claim (one
        reversed when that claim was withdrawn does not count).
    :raises FourEyesRequired: above the limit without an approval by a second person.
    """
    with case_atomic():
        case = lock_case(case_id, actor)
        require_staff(actor, HANDLE_CASE)
        if case.refunded_at is not None:
            return MoneyResult(case, _entries_of(case, LedgerKind.PROVISIONAL_REFUND), created=False)
        if approval is not None or refund_needs_approval(case=case):
            require_approval(case, kind=ProposalKind.REFUND, actor=actor, approval=approval)
        links = list(case.disputed.all())
        amounts = {link.transaction_id: link.amount for link in links}
        owed = [link.transaction_id for link in links if not link.out_of_window]
        policy = _refund_policy()
        bank_shares = None
        if policy == "NET_OF_CAP":
            estimate = (
                case.assessments.filter(kind=LiabilityAssessment.Kind.ESTIMATE)
                .order_by("-created_at", "-pk")
                .first()
            )
            if estimate is None:
                raise EstimateNotReady(f"estimate {case.estimate_status}")
            bank_shares = {
                int(line["transaction_id"]): Decimal(line["bank"]) for line in estimate.result["lines"]
            }
        refunds = provisional_refunds(policy=policy, amounts=amounts, owed=owed, bank_shares=bank_shares)
        row = run_transition(
            case,
            "refund_provisionally",
            case=case,
            actor=actor,
            now=now,
            data={"policy": policy, "refunds": {str(k): str(v) for k, v in refunds.items()}},
            letter_context={"policy": policy, "total": str(sum(refunds.values(), ZERO))},
        )
        entries = ledger_write(
            case,
            [Entry(tx, LedgerKind.PROVISIONAL_REFUND, amount, amounts[tx]) for tx, amount in refunds.items()],
            transition=row,
            actor=actor,
            now=now,
        )
        total = sum(refunds.values(), ZERO)
        if total > ZERO:
            case_notify(case, NotificationKind.REFUND_MADE, now=now, amount=total)
        if not any(entry.amount > 0 for entry in entries):
            # No credit for the core system to confirm: the refund is made as it is recorded.
            case.refund_confirmed_at = now
            case.save(update_fields=["refund_confirmed_at"])
    return MoneyResult(case, entries, created=True)


def case_record_refund_confirmation(*, case_id: int, now: datetime) -> Case:
    """The core system confirmed a provisional refund credit of the case: once it has confirmed every
    positive one, the D+1 refund is made, at the last confirmation (``Case.refund_confirmed_at``,
    docs/WORKFLOW.md "When the D+1 refund is made"). Called by the ``posting_confirmed`` receiver
    inside the confirmation's transaction; safe to repeat (a time once set is kept).

    The case is locked first, so of two credits confirmed at once the second to commit sees the
    first's confirmation and sets the time.

    :raises CaseNotFound:
    """
    with case_atomic():
        case = lock_case(case_id, None)
        if case.refunded_at is None or case.refund_confirmed_at is not None:
            return case
        entries = case.ledger_entries.filter(kind=LedgerKind.PROVISIONAL_REFUND).select_related("posting")
        made_at = refund_made_at(entries)
        if made_at is not None:
            case.refund_confirmed_at = made_at
            case.save(update_fields=["refund_confirmed_at"])
    return case


def case_withhold_refund(
    *,
    case_id: int,
    grounds: str,
    authority: str,
    notified_on: date | None,
    notice_reference: str,
    actor: Actor,
    now: datetime,
) -> Case:
    """Withhold the D+1 refund under the fraud exception (`UUP-46-1-FRAUD`).

    Only with justified, documented grounds to suspect fraud by the customer, the written notice to
    law enforcement attached to the case (evidence LAW_ENFORCEMENT_NOTICE), and before the refund
    deadline ends. The analyst names the authority notified, the date of the written notice and its
    reference: the letter to the customer states exactly those. Needs ``disputes.approve_decision``.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises WithholdingGroundsMissing: :raises LawEnforcementNoticeMissing:
    :raises LawEnforcementNoticeDetailsMissing: :raises LawEnforcementNoticeDateInvalid: a future date.
    :raises RefundDeadlinePassed: :raises RefundNotOwed: :raises RefundAlreadyMade:
    """
    grounds, authority, notice_reference = grounds.strip(), authority.strip(), notice_reference.strip()
    with case_atomic():
        case = lock_case(case_id, actor)
        if not grounds:
            raise WithholdingGroundsMissing("no grounds")
        if not authority or notified_on is None or not notice_reference:
            raise LawEnforcementNoticeDetailsMissing("authority, date and reference of the notice")
        today = warsaw_date(now)
        if notified_on > today:
            raise LawEnforcementNoticeDateInvalid(f"notice dated {notified_on}, today is {today}")
        notices = list(case.evidence.filter(kind="LAW_ENFORCEMENT_NOTICE").values_list("pk", "sha256"))
        notice = {
            "authority": authority,
            "notified_on": notified_on.isoformat(),
            "reference": notice_reference,
        }
        run_transition(
            case,
            "withhold_refund",
            case=case,
            actor=actor,
            now=now,
            reason=grounds,
            grounds=grounds,
            data={
                "law_enforcement_notices": [{"evidence": pk, "sha256": sha} for pk, sha in notices],
                "law_enforcement": notice,
            },
            letter_context={"grounds": grounds, "law_enforcement": notice},
        )
    return case


def _write_moves(
    case: Case, moves: list[MoneyMove], *, transition, actor: Actor, now: datetime
) -> list[LedgerEntry]:
    amounts = _amounts(case)
    return ledger_write(
        case,
        [Entry(move.key, move.kind, move.amount, amounts[move.key]) for move in moves],  # type: ignore[arg-type]
        transition=transition,
        actor=actor,
        now=now,
    )


def case_decide(
    *,
    case_id: int,
    actor: Actor,
    now: datetime,
    reason: str = "",
    customer_grounds: str = "",
    approval: DecisionProposal | None = None,
) -> MoneyResult:
    """Decide the claim on the latest analyst assessment; the outcome follows from its shares.

    ``reason`` is the staff's internal note; ``customer_grounds`` the factual grounds written for the
    customer, which the decision letter states (required unless the claim is accepted in full).

    A rejection takes effect only as the ``approval`` of a DECISION proposal (``proposal_approve``);
    an approved proposal decides on the assessment it was proposed on.

    The bank's share is what the customer finally gets back. What is still owed is refunded at once
    (the acceptance path); a provisional refund above it is recovered only after the decision letter
    is dispatched (``case_recover_customer_share``). Queues the decision letter.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises AssessmentMissing: no analyst assessment stored. :raises RefundQuestionOpen: the D+1
        refund is neither made nor withheld. :raises ReplyDeadlinePassed: too late (REK-8 applies).
    :raises FourEyesRequired: a rejection without an approval by a second person.
    :raises ProposalOutdated: the approved proposal was made on an earlier assessment.
    :raises CustomerGroundsMissing: not accepted in full, and no grounds written for the customer.
    """
    customer_grounds = customer_grounds.strip()
    with case_atomic():
        case = lock_case(case_id, actor)
        assessment = (
            case.assessments.filter(kind=LiabilityAssessment.Kind.ANALYST)
            .order_by("-created_at", "-pk")
            .first()
        )
        outcome = (
            outcome_for(customer_total=assessment.customer_total, bank_total=assessment.bank_total)
            if assessment is not None
            else ""
        )
        if outcome == Outcome.REJECTED or approval is not None:
            require_approval(case, kind=ProposalKind.DECISION, actor=actor, approval=approval)
        proposed_on = approval.data.get("assessment") if approval is not None else None
        if approval is not None and assessment is not None and proposed_on != assessment.pk:
            raise ProposalOutdated(f"proposal {approval.pk} on assessment {proposed_on}")
        data: dict = {}
        moves: list[MoneyMove] = []

        def decided() -> None:
            if outcome != Outcome.ACCEPTED and not customer_grounds:
                raise CustomerGroundsMissing(f"{outcome} without grounds for the customer")
            case.decision_assessment = assessment
            case.customer_share, case.bank_share = assessment.customer_total, assessment.bank_total
            moves.extend(case.settlement_moves())
            data.update(
                outcome=outcome,
                assessment=assessment.pk,
                customer_share=str(assessment.customer_total),
                bank_share=str(assessment.bank_total),
                refunded_now=str(sum((m.amount for m in moves if m.kind == LedgerKind.FINAL_REFUND), ZERO)),
                to_recover=str(sum((m.amount for m in moves if m.kind == LedgerKind.RECOVERY), ZERO)),
                rules=[line["rule"] for line in assessment.result["lines"]],
                reason=reason.strip(),
                grounds=customer_grounds,
            )

        row = run_transition(
            case,
            "decide",
            case=case,
            actor=actor,
            now=now,
            reason=reason.strip(),
            outcome=outcome,
            apply=decided,
            data=data,
            letter_context=data,
        )
        # The acceptance path: what the customer is still owed is refunded at once.
        refunds = [move for move in moves if move.kind == LedgerKind.FINAL_REFUND]
        entries = _write_moves(case, refunds, transition=row, actor=actor, now=now)
        notify_decision(case, outcome, now=now)
    return MoneyResult(case, entries, created=True)


def reply_letter_type(case: Case) -> str:
    """The letter that tells the customer the case's current outcome: the REK-8 notice once deemed."""
    if case.state == CaseState.DEEMED_ACCEPTED:
        return LetterType.DEEMED_ACCEPTED
    return DECISION_LETTERS.get(case.outcome, "")


def case_dispatch_reply(
    *,
    case_id: int,
    letter_id: int,
    channel: str,
    dispatched_at: datetime,
    actor: Actor,
    now: datetime,
    letter_type: str = "",
) -> Case:
    """Record on the case that its decision letter ``letter_id`` left the bank by ``channel``.

    The one caller is the letters app, through the outbox (``disputes.tasks.record_reply_dispatched``),
    once the channel that sent the letter recorded its dispatch: the e-mail left, or the print batch
    was marked posted. Dispatch before the end of the due date is what counts (REK-6); a later one is
    recorded as it happened, the reply is late and the case is deemed accepted (REK-8).
    ``dispatched_at`` may be before ``now``.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: :raises InvalidClaim: in the future.
    Only the letter matching the case's current outcome counts (``letter_type``, when the letters app
    gives it): the DEEMED_ACCEPTED notice once the case is deemed accepted, else the DECISION_<outcome>
    letter. A stale decision letter is refused.

    :raises ReplyAlreadyDispatched: :raises ReplyLetterStale:
    """
    if dispatched_at > now:
        raise InvalidClaim("dispatched_at is in the future", problem="dispatched_at")
    with case_atomic():
        case = lock_case(case_id, actor)
        expected = reply_letter_type(case)
        if letter_type and letter_type != expected:
            raise ReplyLetterStale(f"{letter_type} on case {case.pk}, whose reply is {expected}")
        run_transition(
            case,
            "dispatch_reply",
            case=case,
            actor=actor,
            now=dispatched_at,
            data={
                "letter": letter_id,
                "channel": channel,
                "dispatched_at": dispatched_at.isoformat(),
                "recorded_at": now.isoformat(),
                "in_time": case.reply_due_at is not None and dispatched_at < case.reply_due_at,
            },
        )
    return case


def case_recover_customer_share(
    *, case_id: int, actor: Actor, now: datetime, approval: DecisionProposal | None = None
) -> MoneyResult:
    """Recover the customer's share refunded provisionally (FULL_THEN_RECOVER), after the final decision.

    Takes effect only as the ``approval`` of a RECOVERY proposal (``proposal_approve``).

    Only once the decision letter stating the amount and its reason was dispatched. Safe to repeat:
    after the recovery, another call returns the entries already written.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ReplyNotDispatched: :raises RecoveryTooEarly: :raises NothingToRecover:
    :raises FourEyesRequired: without an approval by a second person.
    """
    with case_atomic():
        case = lock_case(case_id, actor)
        require_staff(actor, HANDLE_CASE)
        if case.recovered_at is not None and not case.settlement_moves():
            return MoneyResult(case, _entries_of(case, LedgerKind.RECOVERY), created=False)
        require_approval(case, kind=ProposalKind.RECOVERY, actor=actor, approval=approval)
        moves = [move for move in case.settlement_moves() if move.kind == LedgerKind.RECOVERY]
        row = run_transition(
            case,
            "recover_customer_share",
            case=case,
            actor=actor,
            now=now,
            data={"recovered": {str(m.key): str(m.amount) for m in moves}},
        )
        entries = _write_moves(case, moves, transition=row, actor=actor, now=now)
    return MoneyResult(case, entries, created=True)


def case_deem_accepted(*, case_id: int, actor: Actor, now: datetime) -> MoneyResult:
    """REK-8: the reply deadline passed without a dispatched reply; the claim is resolved for the customer.

    The acceptance path starts at once: everything disputed that is not refunded is refunded, and
    nothing is ever recovered. Run by the sweep (actor None) or a supervisor. Safe to repeat.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ReplyDeadlineNotPassed: :raises ReplyAlreadyDispatched:
    """
    with case_atomic():
        case = lock_case(case_id, actor)
        if case.state == CaseState.DEEMED_ACCEPTED:
            return MoneyResult(case, _entries_of(case, LedgerKind.FINAL_REFUND), created=False)
        [result] = deem_accepted_locked([case], actor=actor, now=now)
    return result


_DEEMED_FIELDS = ["state", "outcome", "deemed_accepted_at", "resume_state", "updated_at"]


def deem_accepted_locked(cases: list[Case], *, actor: Actor, now: datetime) -> list[MoneyResult]:
    """Deem accepted (REK-8) cases the caller has locked, a few queries for the whole batch.

    The one implementation behind ``case_deem_accepted`` and the sweep: each case is checked by its
    transition's guards, and ends with everything disputed refunded (FINAL_REFUND) and its letter queued.

    :raises InvalidCaseState, ActionNotPermitted, ReplyDeadlineNotPassed, ReplyAlreadyDispatched:
    """
    ids = [case.pk for case in cases]
    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for case_id, tx, amount in CaseTransaction.objects.filter(case_id__in=ids).values_list(
        "case_id", "transaction_id", "amount"
    ):
        amounts[case_id][tx] = amount
    paid: dict[int, list] = defaultdict(list)
    for case_id, *entry in LedgerEntry.objects.filter(case_id__in=ids).values_list(
        "case_id", "transaction_id", "kind", "amount"
    ):
        paid[case_id].append(entry)
    applied, moves_of = [], {}
    for case in cases:
        owed = amounts[case.pk]
        # Deemed accepted: the customer gets back everything disputed, whatever was decided before.
        moves = settlement_moves(amounts=owed, targets=owed, net=net_to_customer(paid[case.pk]))
        data = {
            "reply_due_on": case.reply_due_on.isoformat() if case.reply_due_on else None,
            "reply_rule": case.reply_rule,
            "deemed": True,
            "refunded_now": {str(m.key): str(m.amount) for m in moves},
        }
        applied.append(
            apply_transition(
                case,
                "deem_accepted",
                case=case,
                actor=actor,
                now=now,
                reason="REK-8",
                data=data,
                letter_context=data,
            )
        )
        case.updated_at = now
        moves_of[case.pk] = moves
        notify_decision(case, "DEEMED_ACCEPTED", now=now)
    Case.objects.bulk_update(cases, _DEEMED_FIELDS)
    rows = record_transitions(applied)
    entries = ledger_write_many(
        [
            (item.case, Entry(m.key, m.kind, m.amount, amounts[item.case.pk][m.key]), row)  # type: ignore[index]
            for item, row in zip(applied, rows, strict=True)
            for m in moves_of[item.case.pk]
        ],
        actor=actor,
        now=now,
    )
    return [MoneyResult(case, [e for e in entries if e.case_id == case.pk], created=True) for case in cases]


def _refunds_reversed_in_full(case: Case, reversals: list[MoneyMove]) -> dict[int, LedgerEntry]:
    """The case's provisional refunds that ``reversals`` undo whole, by transaction."""
    undone = {move.key: move.amount for move in reversals}
    return {
        refund.transaction_id: refund
        for refund in case.ledger_entries.filter(kind=LedgerKind.PROVISIONAL_REFUND, reversed_by=None)
        if undone.get(refund.transaction_id) == refund.amount
    }


def case_withdraw(*, case_id: int, reason: str, actor: Actor, now: datetime) -> MoneyResult:
    """The customer withdraws the claim: its transactions are released and a refund made is reversed.

    A provisional refund reversed in full is marked so (``reversed_by``): it no longer holds its
    transaction, which a new claim may then dispute and have refunded again. Chargebacks not yet
    filed are dropped; filed ones stay to be resolved with the acquirer.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: :raises InformationMissing: no reason.
    """
    reason = reason.strip()
    with case_atomic():
        case = lock_case(case_id, actor)
        if not reason:
            raise InformationMissing("no reason")
        net = net_to_customer(case.ledger_entries.values_list("transaction_id", "kind", "amount"))
        reversals = [MoneyMove(tx, LedgerKind.REVERSAL, amount) for tx, amount in net.items() if amount > 0]
        refunds = _refunds_reversed_in_full(case, reversals)
        row = run_transition(
            case,
            "withdraw",
            case=case,
            actor=actor,
            now=now,
            reason=reason,
            data={
                "reversed": {str(m.key): str(m.amount) for m in reversals},
                "reversed_refunds": sorted(refund.pk for refund in refunds.values()),
            },
        )
        entries = _write_moves(case, reversals, transition=row, actor=actor, now=now)
        for entry in entries:
            refund = refunds.get(entry.transaction_id)
            if refund is not None:
                refund.reversed_by = entry
                refund.save(update_fields=["reversed_by"])
        close_links(case)
        abandon_draft_chargebacks(case, actor=actor, now=now, reason="claim withdrawn")
    return MoneyResult(case, entries, created=True)


def case_close(*, case_id: int, actor: Actor, now: datetime) -> Case:
    """Close a decided case whose money is settled and whose chargebacks are finished.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ReplyNotDispatched: :raises MoneyNotSettled: :raises ChargebacksPending:
    """
    with case_atomic():
        case = lock_case(case_id, actor)
        net = net_to_customer(case.ledger_entries.values_list("transaction_id", "kind", "amount"))
        run_transition(
            case,
            "close",
            case=case,
            actor=actor,
            now=now,
            data={"net_refunded": {str(k): str(v) for k, v in sorted(net.items())}},
        )
        close_links(case)
    return case


__all__ = [
    "MoneyResult",
    "case_close",
    "case_decide",
    "case_deem_accepted",
    "case_dispatch_reply",
    "case_recover_customer_share",
    "case_refund_provisionally",
    "case_withdraw",
    "case_withhold_refund",
    "deem_accepted_locked",
    "refund_four_eyes_limit",
    "refund_needs_approval",
    "refund_owed_total",
    "require_approval",
]
