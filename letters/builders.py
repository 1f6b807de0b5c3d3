"""Build the snapshot a letter is rendered from, out of the case as the workflow stored it.

Everything the letter states comes from stored facts: the case and its deadlines (with their rule
ids), the disputed transactions, the analyst's stored LiabilityAssessment (rates and NBP tables),
the transition that called for the letter (its data and actor), the evidence and the card.
"""

from datetime import date, datetime

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects

from deadlines import engine as deadlines
from disputes.models import Case, CaseLetterRequest, CaseTransaction
from disputes.rules import DECISION_LETTERS, moves_total
from kartosfera.legaltime import warsaw_date
from ledger.rules import LedgerKind
from letters.bank import bank_identity
from letters.models import CustomerAddress, StaffProfile
from letters.rules import LetterDataError, LetterType
from letters.sections import SECTIONS, tx_reference
from letters.snapshot import (
    CardState,
    CaseDetails,
    Customer,
    Deadlines,
    DisputedTransaction,
    LetterSnapshot,
    Outcome,
    PostalAddress,
    Signatory,
)

# The decision letter of each outcome.
DECISION_LETTER_TYPES = DECISION_LETTERS

# REK-8: the workflow asks for an accepted decision when the reply deadline is missed ("deemed" in
# the request's context); there is no decision to state, so the customer gets the REK-8 notice.
DEEMED_KIND = "DECISION_ACCEPTED"

# The card's status as the letters tell the customer what to do with it: a card not activated yet
# is not blocked either, whoever holds it can still activate and use it.
CARD_STATES = {
    "ACTIVE": CardState.ACTIVE,
    "INACTIVE": CardState.ACTIVE,
    "BLOCKED": CardState.BLOCKED,
    "CANCELLED": CardState.CANCELLED,
    "EXPIRED": CardState.EXPIRED,
}


class RecipientAddressMissing(LetterDataError):
    """The customer has no postal address on file for letters."""


class SignatoryMissing(LetterDataError):
    """A reply must name the person replying and their position: the staff user has no profile."""


def letter_type_for(kind: str, *, context: dict | None = None) -> LetterType:
    """The letters engine's type for the workflow's letter kind (and the request's context)."""
    if kind == DEEMED_KIND and (context or {}).get("deemed"):
        return LetterType.DEEMED_ACCEPTED
    return LetterType.from_request(kind)


def letter_reference(letter_request: CaseLetterRequest, version: int) -> str:
    """The letter's own reference ("nasz znak"): the case number, the request and the version."""
    case_number = letter_request.case.number or f"DRAFT-{letter_request.case_id}"
    return f"{case_number}/L{letter_request.pk}/v{version}"


def snapshot_build(*, letter_request: CaseLetterRequest, issued_on: date, version: int = 1) -> LetterSnapshot:
    """The snapshot of everything the requested letter says, as of ``issued_on``.

    :raises RecipientAddressMissing: :raises SignatoryMissing: :raises LetterDataError:
    """
    letter_type = letter_type_for(letter_request.letter_type, context=letter_request.context)
    return _snapshot(
        case=letter_request.case,
        letter_type=letter_type,
        context=letter_request.context,
        transition=letter_request.transition,
        issued_on=issued_on,
        reference=letter_reference(letter_request, version),
    )


def snapshot_request_preview(*, letter_request: CaseLetterRequest, issued_on: date) -> LetterSnapshot:
    """What the requested letter would say if issued on ``issued_on``, marked as a preview.

    The same snapshot as ``snapshot_build`` (the request's own context and transition, signed by who
    took the step) but with a PREVIEW reference, so a printed preview cannot pass for the letter.
    """
    return _snapshot(
        case=letter_request.case,
        letter_type=letter_type_for(letter_request.letter_type, context=letter_request.context),
        context=letter_request.context,
        transition=letter_request.transition,
        issued_on=issued_on,
        reference=f"{letter_reference(letter_request, 1)}/PREVIEW",
    )


def snapshot_preview(*, case: Case, letter_type: LetterType, issued_on: date, actor) -> LetterSnapshot:
    """The snapshot the letter would have if issued now for ``case``, signed by ``actor``."""
    transition = (
        case.transitions.filter(letter_required__in=_kinds(letter_type)).order_by("-occurred_at").first()
    )
    request = (
        case.letter_requests.filter(letter_type__in=_kinds(letter_type))
        .order_by("-requested_at", "-pk")
        .first()
    )
    return _snapshot(
        case=case,
        letter_type=letter_type,
        context=request.context if request is not None else {},
        transition=transition,
        issued_on=issued_on,
        reference=f"{case.number or case.pk}/PREVIEW",
        signer=actor,
    )


def snapshot_proposal_preview(*, proposal, issued_on: date, actor) -> LetterSnapshot:
    """The decision letter a pending DECISION proposal would give if approved by ``actor`` on ``issued_on``.

    Made from the proposal itself (its assessment, outcome and the grounds written for the customer),
    so the approver reads what the customer would read before approving; marked as a preview.
    """
    case = proposal.case
    assessment = case.assessments.filter(pk=proposal.data.get("assessment")).first()
    if assessment is None:
        raise LetterDataError("the proposal's liability assessment is not on the case")
    outcome = Outcome(proposal.data["outcome"])
    moves = case.settlement_moves_on(assessment)
    context = {
        "outcome": outcome.value,
        "grounds": proposal.data.get("customer_grounds", ""),
        "refunded_now": str(moves_total(moves, LedgerKind.FINAL_REFUND)),
        "to_recover": str(moves_total(moves, LedgerKind.RECOVERY)),
    }
    return _snapshot(
        case=case,
        letter_type=DECISION_LETTER_TYPES[outcome],
        context=context,
        transition=None,
        issued_on=issued_on,
        reference=f"{case.number or case.pk}/P{proposal.pk}/PREVIEW",
        signer=actor,
        assessment=assessment,
    )


def _kinds(letter_type: LetterType) -> list[str]:
    if letter_type is LetterType.DEEMED_ACCEPTED:
        return [DEEMED_KIND]
    return [letter_type.request_code]


def _snapshot(
    *, case, letter_type, context, transition, issued_on, reference, signer=None, assessment=None
) -> LetterSnapshot:
    customer = _customer(case)
    # The disputed transactions, read once for the case section and the acknowledgement's refund promise.
    prefetch_related_objects(
        [case],
        Prefetch(
            "disputed",
            queryset=CaseTransaction.objects.select_related("transaction").order_by(
                "transaction__executed_at", "transaction_id"
            ),
        ),
    )
    signer = signer if signer is not None else (transition.actor if transition is not None else None)
    sections: dict = {}
    if letter_type is not LetterType.CARD_CANCELLATION:
        sections["case"] = _case_details(case)
        sections["deadlines"] = _deadlines(case)
    builder = SECTIONS.get(letter_type)
    if builder is not None:
        sections.update(
            builder(
                case=case,
                context=context,
                transition=transition,
                issued_on=issued_on,
                language=customer.language,
                assessment=assessment,
            )
        )
    is_reply = letter_type.outcome is not None
    # REK-8: the notice is the reply, sent without anyone acting: the person responsible signs it.
    system_reply = letter_type is LetterType.DEEMED_ACCEPTED
    return LetterSnapshot(
        reference=reference,
        issued_on=issued_on,
        bank=bank_identity(),
        customer=customer,
        signatory=_signatory(
            signer, language=customer.language, required=is_reply, system_reply=system_reply
        ),
        **sections,
    )


def _customer(case: Case) -> Customer:
    owner = case.customer
    address = CustomerAddress.objects.filter(customer=owner).first()
    if address is None:
        raise RecipientAddressMissing(f"customer {owner.pk} has no postal address for letters")
    return Customer(
        full_name=owner.full_name,
        address=PostalAddress(
            street=address.street, postal_code=address.postal_code, city=address.city, country=address.country
        ),
        language=owner.preferred_language,
        customer_number=owner.bank_id or "",
    )


def _signatory(user, *, language: str, required: bool, system_reply: bool = False) -> Signatory:
    profile = StaffProfile.objects.filter(user=user).first() if user is not None else None
    if profile is not None:
        position = profile.position_en if language == "en" and profile.position_en else profile.position
        return Signatory(name=user.get_full_name(), position=position)
    if system_reply:
        configured = getattr(settings, "KARTOSFERA_REPLY_SIGNATORY", None) or {}
        if not configured.get("name") or not configured.get("position"):
            raise SignatoryMissing("a reply names the person replying: set KARTOSFERA_REPLY_SIGNATORY")
        position = configured["position"]
        if language == "en" and configured.get("position_en"):
            position = configured["position_en"]
        return Signatory(name=configured["name"], position=position)
    if required:
        raise SignatoryMissing("a reply names the person replying and their position (StaffProfile)")
    # Letters the system sends on its own (an acknowledgement) are signed by the department.
    bank = bank_identity()
    return Signatory(name=bank.complaint_department, position=bank.name)


def _case_details(case: Case) -> CaseDetails:
    rows = case.disputed.all()  # prefetched in execution order (_snapshot)
    return CaseDetails(
        number=case.number or f"DRAFT-{case.pk}",
        received_on=warsaw_date(_received_at(case)),
        card_masked=case.card.masked,
        # As the card is when the letter is issued, not when the claim was made.
        card_state=CARD_STATES.get(case.card.status),
        transactions=tuple(
            DisputedTransaction(
                reference=tx_reference(row.transaction),
                executed_on=warsaw_date(row.transaction.executed_at),
                merchant=", ".join(
                    p for p in (row.transaction.merchant_name, row.transaction.merchant_city) if p
                ),
                amount=row.amount,
            )
            for row in rows
        ),
    )


def _received_at(case: Case) -> datetime:
    if case.received_at is None:
        raise LetterDataError(f"case {case.pk} was not received: a letter is about a received complaint")
    return case.received_at


def _deadlines(case: Case) -> Deadlines:
    received_at = _received_at(case)
    extended = deadlines.reply_due(received_at=received_at, regime=case.reply_regime, extended=True)
    if case.reply_extended:
        reply = deadlines.reply_due(received_at=received_at, regime=case.reply_regime, extended=False)
        reply_on, reply_rule = reply.due_date, reply.rule
    elif case.reply_due_on is None:
        raise LetterDataError(f"case {case.pk} has no reply date yet")
    else:
        reply_on, reply_rule = case.reply_due_on, case.reply_rule
    return Deadlines(
        # Without a D+1 refund owed (every transaction reported late), the reply date is the first
        # date the customer hears from us.
        refund_due_on=(case.refund_owed and case.refund_due_on) or reply_on,
        reply_due_on=reply_on,
        extended_reply_due_on=extended.due_date,
        refund_rule_id=(case.refund_owed and case.refund_rule) or reply_rule,
        reply_rule_id=reply_rule,
        extended_reply_rule_id=extended.rule,
    )
