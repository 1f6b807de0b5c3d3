"""Build the snapshot a letter is rendered from, out of the case as the workflow stored it.

Everything the letter states comes from stored facts: the case and its deadlines (with their rule
ids), the disputed transactions, the analyst's stored LiabilityAssessment (rates and NBP tables),
the transition that called for the letter (its data and actor), the evidence and the card.
"""

from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deadlines import engine as deadlines
from disputes.models import Case, CaseLetterRequest, CaseTransaction
from disputes.rules import DECISION_LETTERS, information_respond_by
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO
from ledger.rules import LedgerKind
from letters.bank import bank_identity
from letters.models import CustomerAddress, StaffProfile
from letters.rules import LetterDataError, LetterType
from letters.snapshot import (
    CardCancellation,
    CardState,
    CaseDetails,
    Customer,
    Deadlines,
    Decision,
    DeemedAcceptance,
    DelayNotice,
    DisputedTransaction,
    InformationRequest,
    LawEnforcementNotice,
    LetterSnapshot,
    Liability,
    LiabilityLine,
    Outcome,
    PostalAddress,
    Refund,
    RefundPayment,
    RefundPaymentKind,
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

# The ledger's credits to the customer, as the REK-8 notice names them.
REFUND_PAYMENT_KINDS = {
    LedgerKind.PROVISIONAL_REFUND: RefundPaymentKind.PROVISIONAL_MADE_FINAL,
    LedgerKind.FINAL_REFUND: RefundPaymentKind.FINAL,
}

# Translated into the customer's language when the snapshot is built; the snapshot freezes it.
LEGAL_GROUNDS = _("Article 46 of the Polish Payment Services Act of 19 August 2011 (rules applied: {rules})")


def _in_language(text: Promise, language: str) -> str:
    """``text`` translated into ``language`` (the snapshot's), whatever language the request has."""
    with translation.override(language):
        return str(text)


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
    to_recover = sum((m.amount for m in case.settlement_moves_on(assessment) if m.kind == "RECOVERY"), ZERO)
    context = {
        "outcome": outcome.value,
        "grounds": proposal.data.get("customer_grounds", ""),
        "to_recover": str(to_recover),
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
    signer = signer if signer is not None else (transition.actor if transition is not None else None)
    sections: dict = {}
    if letter_type is not LetterType.CARD_CANCELLATION:
        sections["case"] = _case_details(case)
        sections["deadlines"] = _deadlines(case)
    builder = _SECTIONS.get(letter_type)
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
    return LetterSnapshot(
        reference=reference,
        issued_on=issued_on,
        bank=bank_identity(),
        customer=customer,
        signatory=_signatory(signer, language=customer.language, required=is_reply),
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


def _signatory(user, *, language: str, required: bool) -> Signatory:
    profile = StaffProfile.objects.filter(user=user).first() if user is not None else None
    if profile is not None:
        position = profile.position_en if language == "en" and profile.position_en else profile.position
        return Signatory(name=user.get_full_name(), position=position)
    if required:
        raise SignatoryMissing("a reply names the person replying and their position (StaffProfile)")
    # Letters the system sends on its own (an acknowledgement) are signed by the department.
    bank = bank_identity()
    return Signatory(name=bank.complaint_department, position=bank.name)


def _case_details(case: Case) -> CaseDetails:
    rows = (
        CaseTransaction.objects.filter(case=case)
        .select_related("transaction")
        .order_by("transaction__executed_at", "transaction_id")
    )
    return CaseDetails(
        number=case.number or f"DRAFT-{case.pk}",
        received_on=warsaw_date(case.received_at),
        card_masked=case.card.masked,
        # As the card is when the letter is issued, not when the claim was made.
        card_state=CARD_STATES.get(case.card.status),
        transactions=tuple(
            DisputedTransaction(
                reference=_tx_reference(row.transaction),
                executed_on=warsaw_date(row.transaction.executed_at),
                merchant=", ".join(
                    p for p in (row.transaction.merchant_name, row.transaction.merchant_city) if p
                ),
                amount=row.amount,
            )
            for row in rows
        ),
    )


def _tx_reference(transaction) -> str:
    return transaction.processor_reference or f"TX-{transaction.pk}"


def _deadlines(case: Case) -> Deadlines:
    extended = deadlines.reply_due(received_at=case.received_at, regime=case.reply_regime, extended=True)
    if case.reply_extended:
        reply = deadlines.reply_due(received_at=case.received_at, regime=case.reply_regime, extended=False)
        reply_on, reply_rule = reply.due_date, reply.rule
    else:
        reply_on, reply_rule = case.reply_due_on, case.reply_rule
    return Deadlines(
        # Without a D+1 refund owed, the reply date is the first date the customer hears from us.
        refund_due_on=case.refund_due_on or reply_on,
        reply_due_on=reply_on,
        extended_reply_due_on=extended.due_date,
        refund_rule_id=case.refund_rule or reply_rule,
        reply_rule_id=reply_rule,
        extended_reply_rule_id=extended.rule,
    )


def _information_request(*, context, issued_on, case, **_) -> dict:
    items = tuple(line.strip(" -•\t") for line in context["questions"].splitlines() if line.strip(" -•\t"))
    respond_by = information_respond_by(asked_on=issued_on, reply_due_on=case.reply_due_on)
    return {"information_request": InformationRequest(items=items, respond_by=respond_by)}


def _delay(*, context, **_) -> dict:
    return {
        "delay": DelayNotice(
            reason=context["reason"],
            remaining_to_establish=context["outstanding"],
            expected_reply_on=date.fromisoformat(context["expected_reply_on"]),
        )
    }


def _refund(*, context, transition, case, **_) -> dict:
    return {
        "refund": Refund(
            amount=Decimal(context["total"]),
            credited_on=warsaw_date(transition.occurred_at),
            # The refund goes to the account the card debits: named by the card, as on statements.
            account_masked=f"{case.card.masked}",
        )
    }


def _decision(*, case, context, issued_on, language, assessment=None, **_) -> dict:
    assessment = assessment if assessment is not None else case.decision_assessment
    if assessment is None:
        raise LetterDataError("a decision letter needs the case's decided liability assessment")
    references = {
        str(row.transaction_id): _tx_reference(row.transaction)
        for row in CaseTransaction.objects.filter(case=case).select_related("transaction")
    }
    lines = tuple(
        LiabilityLine(
            transaction_reference=references[str(line["transaction_id"])],
            rule_id=line["rule"],
            customer_share=Decimal(line["customer"]),
            bank_share=Decimal(line["bank"]),
            explanation_pl=line["explanation_pl"],
            explanation_en=line["explanation_en"],
            eur_rate=Decimal(line["rate"]) if line.get("rate") else None,
            nbp_table=line.get("table") if line.get("rate") else None,
            rate_effective_on=date.fromisoformat(line["rate_date"]) if line.get("rate") else None,
        )
        for line in assessment.result["lines"]
    )
    outcome = Outcome(context.get("outcome") or case.outcome or Outcome.ACCEPTED)
    rules = ", ".join(sorted({line.rule_id for line in lines}))
    recover = Decimal(context.get("to_recover", "0") or "0")
    sections = {
        "liability": Liability(
            lines=lines, customer_total=assessment.customer_total, bank_total=assessment.bank_total
        ),
        "decision": Decision(
            outcome=outcome,
            # The text written for the customer to read; the analyst's internal reason never is.
            factual_grounds=context.get("grounds", ""),
            legal_grounds=_in_language(LEGAL_GROUNDS, language).format(rules=rules),
            # The acceptance path refunds what is owed at the decision itself.
            payment_due_on=None if outcome is Outcome.REJECTED else issued_on,
            # Recovery follows the dispatch of this letter (FULL_THEN_RECOVER), not before the next day;
            # the letter leaves when posted or e-mailed, so it names no date it cannot know.
            customer_share_recovered_after_dispatch=recover > 0,
        ),
    }
    refund = _provisional_refund(case)
    if refund is not None:
        # The letter says what the full D+1 refund was before it says what is taken back.
        sections["refund"] = refund
    return sections


def _provisional_refund(case: Case) -> Refund | None:
    """The D+1 refund the case made, from its ledger (None when none was made)."""
    if case.refunded_at is None:
        return None
    total = sum(
        case.ledger_entries.filter(kind=LedgerKind.PROVISIONAL_REFUND).values_list("amount", flat=True),
        ZERO,
    )
    if total <= ZERO:
        return None
    return Refund(amount=total, credited_on=warsaw_date(case.refunded_at), account_masked=case.card.masked)


def _law_enforcement(*, context, **_) -> dict:
    # Named as the analyst recorded it when withholding the refund: the authority, the date of the
    # written notice and its reference, never guessed from a file's description or hash.
    notice = context.get("law_enforcement") or {}
    if not all(notice.get(key) for key in ("authority", "notified_on", "reference")):
        raise LetterDataError(
            "UUP-46-1-FRAUD: the withholding step recorded no authority, notice date and reference"
        )
    return {
        "law_enforcement": LawEnforcementNotice(
            authority=notice["authority"],
            notified_on=date.fromisoformat(notice["notified_on"]),
            reference=notice["reference"],
        )
    }


def _cancellation(*, case, **_) -> dict:
    card = case.card
    if card.cancelled_at is None:
        raise LetterDataError("the card is not cancelled")
    return {
        "cancellation": CardCancellation(
            card_masked=card.masked,
            reason=card.cancellation_reason,
            reported_at=card.cancelled_at.replace(microsecond=0),
        )
    }


def _deemed_acceptance(*, case, context, **_) -> dict:
    if case.deemed_accepted_at is None:
        raise LetterDataError("REK-8: the case was not deemed accepted")
    credited: dict[tuple[RefundPaymentKind, date], Decimal] = {}
    entries = (
        case.ledger_entries.filter(kind__in=list(REFUND_PAYMENT_KINDS))
        .order_by("created_at", "pk")
        .values_list("kind", "amount", "created_at")
    )
    for kind, amount, created_at in entries:
        key = (REFUND_PAYMENT_KINDS[kind], warsaw_date(created_at))
        credited[key] = credited.get(key, ZERO) + amount
    missed_on = context.get("reply_due_on")
    return {
        "deemed_acceptance": DeemedAcceptance(
            missed_deadline_on=date.fromisoformat(missed_on) if missed_on else case.reply_due_on,
            missed_deadline_rule_id=context.get("reply_rule") or case.reply_rule,
            deemed_on=warsaw_date(case.deemed_accepted_at),
            payments=tuple(
                RefundPayment(kind=kind, amount=amount, paid_on=paid_on)
                for (kind, paid_on), amount in credited.items()
            ),
        )
    }


_SECTIONS = {
    LetterType.INFORMATION_REQUEST: _information_request,
    LetterType.DELAY_NOTICE: _delay,
    LetterType.PROVISIONAL_REFUND: _refund,
    LetterType.DECISION_ACCEPTED: _decision,
    LetterType.DECISION_PARTIALLY_ACCEPTED: _decision,
    LetterType.DECISION_REJECTED: _decision,
    LetterType.REFUND_WITHHELD: _law_enforcement,
    LetterType.CARD_CANCELLATION: _cancellation,
    LetterType.DEEMED_ACCEPTED: _deemed_acceptance,
}
