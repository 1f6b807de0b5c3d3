"""Chargebacks: filing within the scheme window, second presentment, pre-arbitration, arbitration, result."""

from datetime import datetime

from deadlines import api as deadlines
from disputes.models import Chargeback, ChargebackState
from disputes.rules import LedgerKind
from disputes.services._core import (
    Actor,
    Entry,
    case_atomic,
    ledger_write,
    lock_chargeback,
    note_computation,
    run_transition,
)
from disputes.services._deadlines import deadline_computation, deadline_json
from disputes.services._errors import InformationMissing, InvalidChargebackState
from kartosfera.legaltime import warsaw_date


def chargeback_file(
    *, chargeback_id: int, acquirer_reference: str, actor: Actor, now: datetime
) -> Chargeback:
    """File a drafted chargeback with the scheme, before its 120-day window ends (CB-VISA-10.4 / CB-MC-4837).

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState:
    :raises InformationMissing: no acquirer reference. :raises ChargebackWindowClosed:
    """
    acquirer_reference = acquirer_reference.strip()
    with case_atomic():
        case, chargeback = lock_chargeback(chargeback_id, actor)
        if not acquirer_reference:
            raise InformationMissing("no acquirer reference")
        run_transition(
            chargeback,
            "file",
            case=case,
            actor=actor,
            now=now,
            acquirer_reference=acquirer_reference,
            data={
                "acquirer_reference": acquirer_reference,
                "filing_due_on": chargeback.filing_due_on.isoformat(),
            },
        )
    return chargeback


def chargeback_record_representment(*, chargeback_id: int, actor: Actor, now: datetime) -> Chargeback:
    """The acquirer's second presentment arrived; for Mastercard the response window (CB-MC-2P) is stored.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState:
    """
    with case_atomic():
        case, chargeback = lock_chargeback(chargeback_id, actor)
        data: dict = {}

        def window() -> None:
            if chargeback.scheme != "MASTERCARD":
                data["response_window"] = "none tracked for this scheme (RULES.md section 2)"
                return
            due = deadlines.chargeback_due(
                processed_on=warsaw_date(chargeback.filed_at),
                scheme=chargeback.scheme,
                stage="SECOND_PRESENTMENT",
            )
            chargeback.response_due_at, chargeback.response_due_on, chargeback.response_rule = (
                due.due_at,
                due.due_date,
                due.rule,
            )
            note_computation(
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

        run_transition(
            chargeback, "record_representment", case=case, actor=actor, now=now, apply=window, data=data
        )
    return chargeback


def chargeback_escalate(*, chargeback_id: int, actor: Actor, now: datetime, reason: str = "") -> Chargeback:
    """Take a represented chargeback to pre-arbitration (within CB-MC-2P), or pre-arbitration to arbitration.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState: :raises ChargebackResponseWindowClosed:
    """
    with case_atomic():
        case, chargeback = lock_chargeback(chargeback_id, actor)
        step = {
            ChargebackState.REPRESENTED: "escalate_to_pre_arbitration",
            ChargebackState.PRE_ARBITRATION: "escalate_to_arbitration",
        }.get(chargeback.state)
        if step is None:
            raise InvalidChargebackState(
                f"escalate from {chargeback.state}", state=chargeback.get_state_display()
            )
        run_transition(chargeback, step, case=case, actor=actor, now=now, reason=reason.strip())
    return chargeback


def chargeback_resolve(
    *, chargeback_id: int, won: bool, actor: Actor, now: datetime, reason: str = ""
) -> Chargeback:
    """The chargeback's result: WON writes the CHARGEBACK_CREDIT ledger entry (once), LOST writes nothing.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState:
    """
    with case_atomic():
        case, chargeback = lock_chargeback(chargeback_id, actor)
        row = run_transition(
            chargeback, "win" if won else "lose", case=case, actor=actor, now=now, reason=reason.strip()
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
            )
    return chargeback


def chargeback_abandon(*, chargeback_id: int, reason: str, actor: Actor, now: datetime) -> Chargeback:
    """Decide not to file a drafted chargeback (e.g. a PIN-verified withdrawal), with the reason.

    :raises ChargebackNotFound, ActionNotPermitted, InvalidCaseState: :raises InformationMissing:
    """
    reason = reason.strip()
    with case_atomic():
        case, chargeback = lock_chargeback(chargeback_id, actor)
        if not reason:
            raise InformationMissing("no reason")

        def note() -> None:
            chargeback.reason = reason

        run_transition(chargeback, "abandon", case=case, actor=actor, now=now, reason=reason, apply=note)
    return chargeback


__all__ = [
    "chargeback_abandon",
    "chargeback_escalate",
    "chargeback_file",
    "chargeback_record_representment",
    "chargeback_resolve",
]
