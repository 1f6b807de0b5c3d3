"""The sections of a letter's snapshot each letter type adds, built from the case as stored.

``letters.builders`` assembles a snapshot: the customer, the case, the deadlines and the signatory for
every letter, and the section(s) of its type from ``SECTIONS`` here (a decision, a delay notice...).
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cards.models import Transaction
from disputes.models import Case, CaseTransaction
from disputes.rules import information_respond_by
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO
from kartosfera.policies import current_policies
from ledger.rules import LedgerKind
from letters.row_reasons import row_reason
from letters.rules import LetterDataError, LetterType
from letters.snapshot import (
    CardCancellation,
    Decision,
    DeemedAcceptance,
    DelayNotice,
    InformationRequest,
    LawEnforcementNotice,
    Liability,
    LiabilityLine,
    Outcome,
    Refund,
    RefundPayment,
    RefundPaymentKind,
    RefundPromise,
)
from liability.explain import LineContext, explain
from liability.record import StoredAssessment, StoredLine
from liability.rules import CAP, RULE_ARTICLES, UNDETECTABLE

SectionBuilder = Callable[..., dict[str, Any]]

# The ledger's credits to the customer, as the REK-8 notice names them.
REFUND_PAYMENT_KINDS = {
    LedgerKind.PROVISIONAL_REFUND: RefundPaymentKind.PROVISIONAL_MADE_FINAL,
    LedgerKind.FINAL_REFUND: RefundPaymentKind.FINAL,
}

# Translated into the customer's language when the snapshot is built; the snapshot freezes it.
LEGAL_GROUNDS = _("{articles} of the Polish Payment Services Act of 19 August 2011 (rules applied: {rules})")
# One provision of that Act: "art. 44 ust. 2" in Polish, "art. 44(2)" in English.
ARTICLE = _("art. {number}({paragraph})")


def _in_language(text: Promise, language: str) -> str:
    """``text`` translated into ``language`` (the snapshot's), whatever language the request has."""
    with translation.override(language):
        return str(text)


def legal_grounds(rule_ids: set[str], language: str) -> str:
    """The provisions of the rules applied (``liability.rules.RULE_ARTICLES``), and the rules' ids.

    :raises LetterDataError: a rule whose provision is not known.
    """
    unknown = sorted(rule_ids - RULE_ARTICLES.keys())
    if unknown:
        raise LetterDataError(f"no provision of the Payment Services Act is known for the rules {unknown}")
    articles = sorted({RULE_ARTICLES[rule] for rule in rule_ids}, key=lambda a: (a.number, a.paragraph))
    article = _in_language(ARTICLE, language)
    return _in_language(LEGAL_GROUNDS, language).format(
        articles=", ".join(article.format(number=a.number, paragraph=a.paragraph) for a in articles),
        rules=", ".join(sorted(rule_ids)),
    )


def tx_reference(transaction: Transaction) -> str:
    """How letters name a disputed transaction: the processor's reference, else its id."""
    return transaction.processor_reference or f"TX-{transaction.pk}"


def _acknowledgement(*, case, **_) -> dict:
    # The very computation the D+1 refund service credits and the claim page shows.
    refunds = case.provisional_refunds_due(current_policies().refund_policy)
    # case.disputed is prefetched with the transactions, in execution order (letters.builders).
    late = [row for row in case.disputed.all() if row.out_of_window]
    sections: dict[str, Any] = {
        "refund_promise": RefundPromise(
            amount=None if refunds is None else sum(refunds.values(), ZERO),
            late=tuple(tx_reference(row.transaction) for row in late),
        )
    }
    if case.card.cancelled_at is not None:
        # Since when nobody can pay with it: a payment after that moment is what the claim may dispute.
        sections.update(_cancellation(case=case))
    return sections


def _information_request(*, context, issued_on, case, **_) -> dict:
    items = tuple(line.strip(" -•\t") for line in context["questions"].splitlines() if line.strip(" -•\t"))
    stored = context.get("respond_by")
    # The date stored with the request when it was made (the SMS said the same); a request stored
    # before that date was kept is counted from the letter as it always was.
    respond_by = (
        date.fromisoformat(stored)
        if stored
        else information_respond_by(asked_on=issued_on, reply_due_on=case.reply_due_on)
    )
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
        str(row.transaction_id): tx_reference(row.transaction)
        for row in CaseTransaction.objects.filter(case=case).select_related("transaction")
    }
    stored = StoredAssessment.parse(assessment.result)
    lines = tuple(
        LiabilityLine(
            transaction_reference=references[line.transaction_id],
            rule_id=line.rule,
            customer_share=line.customer,
            bank_share=line.bank,
            explanation_pl=customer_explanation(stored, line, "pl"),
            explanation_en=customer_explanation(stored, line, "en"),
            to_customer_pl=row_reason(line=line, inputs=stored.inputs, language="pl"),
            to_customer_en=row_reason(line=line, inputs=stored.inputs, language="en"),
            eur_rate=line.rate,
            nbp_table=line.table if line.rate else None,
            rate_effective_on=line.rate_date if line.rate else None,
        )
        for line in stored.lines
    )
    outcome = Outcome(context.get("outcome") or case.outcome or Outcome.ACCEPTED)
    # The sum of the RECOVERY moves of ``case.settlement_moves`` (stored by ``case_decide``, or made for a
    # proposal's preview): what ``case_recover_customer_share`` posts, payment by payment. A payment never
    # refunded provisionally (out of its window, refund withheld) has nothing to take back.
    recover = Decimal(context.get("to_recover", "0") or "0")
    # Likewise the FINAL_REFUND moves, which ``case_decide`` posts with the decision: what of the bank's
    # part is still credited, payment by payment (a payment the D+1 refund skipped is credited in full).
    credit = context.get("refunded_now")
    sections = {
        "liability": Liability(
            lines=lines, customer_total=assessment.customer_total, bank_total=assessment.bank_total
        ),
        "decision": Decision(
            outcome=outcome,
            # The text written for the customer to read; the analyst's internal reason never is.
            factual_grounds=context.get("grounds", ""),
            legal_grounds=legal_grounds({line.rule_id for line in lines}, language),
            # The acceptance path refunds what is owed at the decision itself.
            payment_due_on=None if outcome is Outcome.REJECTED else issued_on,
            # Recovery follows the dispatch of this letter (FULL_THEN_RECOVER), not before the next day;
            # the letter leaves when posted or e-mailed, so it names no date it cannot know.
            customer_share_recovered_after_dispatch=recover > 0,
            # 0 (nothing taken back although the customer bears a share) only in letters that kept it.
            customer_share_to_recover=(
                recover if recover > 0 or ("to_recover" in context and assessment.customer_total) else None
            ),
            bank_share_to_credit=(
                Decimal(credit) if credit is not None and outcome is not Outcome.REJECTED else None
            ),
        ),
    }
    refund = _provisional_refund(case)
    if refund is not None:
        # The letter says what the full D+1 refund was before it says what is taken back.
        sections["refund"] = refund
    return sections


def customer_explanation(stored: StoredAssessment, line: StoredLine, language: str) -> str:
    """The line's explanation as the customer reads it: a cap line's EUR to the cent, as on the portal.

    The assessment's record keeps the EUR left of the cap to 6 decimals; the letter words the same
    figures with the cent (``liability.explain``, ``eur_to_cents``), and says what a payment leaves of the
    cap only for the capped payments after it (``capped_after``). An undetectable line is worded from
    the claim's cause (card details taken are no lost card). Other lines: the stored explanation.
    """
    stored_text = line.explanation_en if language == "en" else line.explanation_pl
    before, after = line.remaining_eur_before, line.remaining_eur_after
    is_cap = line.rule == CAP and before is not None and after is not None
    # An undetectable line is worded again from the claim's cause: records made before the wording
    # knew card details taken without the card spoke of a lost card there.
    if not is_cap and line.rule != UNDETECTABLE:
        return stored_text
    inputs = stored.inputs
    context = LineContext(
        rule=line.rule,
        amount=line.amount,
        customer=line.customer,
        bank=line.bank,
        executed_at=line.executed_at,
        debited_on=line.debited_on,
        window_end=line.window_end,
        rate=line.rate,
        table=line.table,
        cap=line.cap,
        remaining_eur_before=Fraction(before) if is_cap and before is not None else None,
        remaining_eur_after=Fraction(after) if is_cap and after is not None else None,
        reported_at=inputs.reported_at,
        cause=inputs.cause,
        undetectable=inputs.findings.undetectable,
        bank_staff=inputs.findings.bank_staff,
    )
    return explain(
        context, language, eur_to_cents=True, capped_after=stored.capped_after(line) if is_cap else None
    )


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


SECTIONS: dict[LetterType, SectionBuilder] = {
    LetterType.CLAIM_ACKNOWLEDGEMENT: _acknowledgement,
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
