"""Why a dispute service refused: one exception per reason, each with a message in Polish and English.

A refused action changes nothing (state, ledger and history are as before). Each is a
``kartosfera.refusals.Refusal``: ``str(error)`` is the message in the active language,
``error.message_in("en")`` in a given one, ``error.code`` is stable.
"""

from django.utils.translation import gettext_lazy as _

from disputes.rules import DraftProblem
from kartosfera.refusals import Refusal


class DisputeError(Refusal):
    """A dispute action was refused; nothing was changed. ``detail`` (the first argument) is for
    developers; the keyword arguments are the message's parameters."""

    code = "REFUSED"
    message = _("The action was refused.")


class CaseNotFound(DisputeError, LookupError):
    """No such case, or it is another customer's (answered exactly alike)."""

    code = "CASE_NOT_FOUND"
    message = _("There is no such case.")


class ActionNotPermitted(DisputeError, PermissionError):
    """The actor may not do this (a customer acting as staff, staff without the permission)."""

    code = "NOT_PERMITTED"
    message = _("You are not allowed to do this.")


class FourEyesRequired(ActionNotPermitted):
    """A four-eyes step (a rejection, a recovery, a refund above the limit) called without an approval.

    It takes effect only as the approval of a proposal by a supervisor who is not its proposer.
    """

    code = "FOUR_EYES_REQUIRED"
    message = _(
        "This step needs a second person: propose it, and a supervisor who is not the proposer approves it."
    )


class InvalidClaim(DisputeError, ValueError):
    """The claim's data is not valid (unknown channel or cause, a time in the future, a naive time)."""

    code = "INVALID_CLAIM"
    message = _("The claim is not valid: %(problem)s")


class EmailAddressMissing(DisputeError):
    """Letters by e-mail were asked for, but the customer has no e-mail address on file."""

    code = "EMAIL_ADDRESS_MISSING"
    message = _("Add your e-mail address in your profile first; until then we send letters by post.")


class CardNotFound(DisputeError, LookupError):
    """The card is not the customer's."""

    code = "CARD_NOT_FOUND"
    message = _("There is no such card.")


class TransitionRefused(DisputeError):
    """A workflow step that the state of the case or a rule does not allow."""

    code = "TRANSITION_REFUSED"


class InvalidCaseState(TransitionRefused):
    """The step is not possible from the case's (or chargeback's) current state."""

    code = "INVALID_STATE"
    message = _("This cannot be done while the case is in state “%(state)s”.")


class InvalidChargebackState(InvalidCaseState):
    """The step is not possible from the chargeback's current state."""

    code = "INVALID_CHARGEBACK_STATE"
    message = _("This cannot be done while the chargeback is in state “%(state)s”.")


class NoTransactions(TransitionRefused):
    code = "NO_TRANSACTIONS"
    message = _("Choose at least one transaction.")


class TransactionNotFound(TransitionRefused, LookupError):
    code = "TRANSACTION_NOT_FOUND"
    message = _("A chosen transaction is not on this card.")


class TransactionNotSettled(TransitionRefused):
    code = "TRANSACTION_NOT_SETTLED"
    message = _(
        "Only transactions debited from the account can be claimed; a pending or reversed one cannot."
    )


class TransactionAlreadyDisputed(TransitionRefused):
    code = "TRANSACTION_ALREADY_DISPUTED"
    message = _("A chosen transaction is already in another open claim.")


class TransactionAlreadyRefunded(TransitionRefused):
    code = "TRANSACTION_ALREADY_REFUNDED"
    message = _("A transaction of this claim was already refunded in another claim.")


class RefundNotOwed(TransitionRefused):
    code = "REFUND_NOT_OWED"
    message = _("No D+1 refund is owed: every transaction was reported after its 13-month window.")


class RefundAlreadyMade(TransitionRefused):
    code = "REFUND_ALREADY_MADE"
    message = _("The D+1 refund has already been made.")


class LawEnforcementNoticeMissing(TransitionRefused):
    code = "LAW_ENFORCEMENT_NOTICE_MISSING"
    message = _(
        "The refund can be withheld only with the written notice to law enforcement attached to the case."
    )


class WithholdingGroundsMissing(TransitionRefused):
    code = "WITHHOLDING_GROUNDS_MISSING"
    message = _("State the justified grounds for suspecting fraud by the customer.")


class LawEnforcementNoticeDetailsMissing(TransitionRefused):
    """The withholding letter names the authority, the notice's date and its reference (UUP-46-1-FRAUD)."""

    code = "LAW_ENFORCEMENT_NOTICE_DETAILS_MISSING"
    message = _(
        "Enter the law-enforcement authority notified, the date of the written notice and its reference: "
        "the letter to the customer states them."
    )


class LawEnforcementNoticeDateInvalid(TransitionRefused):
    code = "LAW_ENFORCEMENT_NOTICE_DATE_INVALID"
    message = _("The date of the written notice cannot be in the future.")


class CustomerGroundsMissing(TransitionRefused):
    """A decision not accepting the claim in full states its factual grounds in words for the customer."""

    code = "CUSTOMER_GROUNDS_MISSING"
    message = _(
        "Write the factual grounds as the customer will read them: the decision letter states them "
        "unless the claim is accepted in full."
    )


class RefundDeadlinePassed(TransitionRefused):
    code = "REFUND_DEADLINE_PASSED"
    message = _("The D+1 refund deadline has passed; the refund can no longer be withheld.")


class RefundQuestionOpen(TransitionRefused):
    code = "REFUND_QUESTION_OPEN"
    message = _("Make or withhold the D+1 refund first: its deadline waits for nobody.")


class EstimateNotReady(TransitionRefused):
    code = "ESTIMATE_NOT_READY"
    message = _("The liability estimate waits for the NBP rate, so the bank's share cannot be refunded yet.")


class ReplyAlreadyExtended(TransitionRefused):
    code = "REPLY_ALREADY_EXTENDED"
    message = _("The reply deadline has already been extended.")


class DelayNoticeTooLate(TransitionRefused):
    code = "DELAY_NOTICE_TOO_LATE"
    message = _("The delay notice must go out before the reply deadline ends.")


class ExtensionDetailsMissing(TransitionRefused):
    code = "EXTENSION_DETAILS_MISSING"
    message = _("A delay notice states the reason for the delay and what remains to be established.")


class ExpectedReplyDateInvalid(TransitionRefused):
    code = "EXPECTED_REPLY_DATE_INVALID"
    message = _("The expected reply date must be between today and the extended deadline, %(due)s.")


class ReplyDeadlineNotPassed(TransitionRefused):
    code = "REPLY_DEADLINE_NOT_PASSED"
    message = _("The reply deadline has not passed yet.")


class ReplyDeadlinePassed(TransitionRefused):
    code = "REPLY_DEADLINE_PASSED"
    message = _("The reply deadline has passed: the claim is deemed accepted (REK-8).")


class ReplyAlreadyDispatched(TransitionRefused):
    code = "REPLY_ALREADY_DISPATCHED"
    message = _("The reply has already been dispatched.")


class ReplyNotDispatched(TransitionRefused):
    code = "REPLY_NOT_DISPATCHED"
    message = _("The decision letter has to be dispatched first.")


class ReplyLetterStale(DisputeError):
    """The letter reported sent does not match the case's current outcome (e.g. a decision letter after
    the case was deemed accepted): it is not the reply."""

    code = "REPLY_LETTER_STALE"
    message = _("This letter no longer states the case's outcome; it is not recorded as the reply.")


class RecoveryTooEarly(TransitionRefused):
    code = "RECOVERY_BEFORE_DAY_AFTER_DISPATCH"
    message = _("The customer's share can be taken back from the day after the decision letter was sent.")


class AssessmentMissing(TransitionRefused):
    code = "ASSESSMENT_MISSING"
    message = _("Assess the liability with the analyst's findings first.")


class AssessmentRateUnavailable(TransitionRefused):
    code = "ASSESSMENT_RATE_UNAVAILABLE"
    message = _("The NBP exchange rate needed for the assessment is not available yet; try again later.")


class NothingToRecover(TransitionRefused):
    code = "NOTHING_TO_RECOVER"
    message = _("Nothing is left to recover from the customer.")


class MoneyNotSettled(TransitionRefused):
    code = "MONEY_NOT_SETTLED"
    message = _("The money of the case is not settled yet.")


class ChargebacksPending(TransitionRefused):
    code = "CHARGEBACKS_PENDING"
    message = _("A chargeback of the case is still pending.")


class ChargebackWindowClosed(TransitionRefused):
    code = "CHARGEBACK_WINDOW_CLOSED"
    message = _("The scheme's chargeback filing window has closed.")


class ChargebackResponseWindowClosed(TransitionRefused):
    code = "CHARGEBACK_RESPONSE_WINDOW_CLOSED"
    message = _("The window to answer the second presentment has closed.")


class ChargebackAmountInvalid(TransitionRefused):
    code = "CHARGEBACK_AMOUNT_INVALID"
    field = "amount"
    message = _("The chargeback amount must be more than 0 and at most the disputed %(disputed)s.")


class ChargebackReasonCodeInvalid(TransitionRefused):
    code = "CHARGEBACK_REASON_CODE_INVALID"
    message = _(
        "The reason code %(code)s is not a fraud reason code of this card's scheme for this transaction."
    )


class ChargebackDocumentInvalid(TransitionRefused):
    code = "CHARGEBACK_DOCUMENT_INVALID"
    message = _("A chosen document is not on this case.")


class ChargebackNotFound(DisputeError, LookupError):
    code = "CHARGEBACK_NOT_FOUND"
    message = _("There is no such chargeback.")


class EvidenceInvalid(DisputeError, ValueError):
    """The file cannot be added to the case; the refusal is about the form's ``file``."""

    code = "EVIDENCE_INVALID"
    field = "file"
    message = _("The file cannot be added: %(problem)s")


class EvidenceEmpty(EvidenceInvalid):
    code = "EVIDENCE_EMPTY"
    message = _("The file is empty.")


class EvidenceTooLarge(EvidenceInvalid):
    code = "EVIDENCE_TOO_LARGE"
    message = _("The file is too large: a file can be at most %(limit)s.")


class EvidenceTypeNotAllowed(EvidenceInvalid):
    code = "EVIDENCE_TYPE_NOT_ALLOWED"
    message = _(
        "Only PDF, JPEG and PNG files can be added. We check what the file contains, not its name, "
        "and this file is none of them."
    )


class InformationMissing(TransitionRefused):
    """A text the step needs is empty; each subclass says which one (the code stays the same)."""

    code = "INFORMATION_MISSING"
    message = _("Say what is asked or answered.")


class ReasonMissing(InformationMissing):
    field = "reason"
    message = _("Give the reason: it is recorded with this step.")


class NoteMissing(InformationMissing):
    field = "text"  # the case note's field (NoteForm)
    message = _("The note is empty: write what it should say.")


class AcquirerReferenceMissing(InformationMissing):
    field = "acquirer_reference"
    message = _("Enter the acquirer's reference number (ARN) of the chargeback.")


class ReturnNoteMissing(InformationMissing):
    field = "note"
    message = _("Say in the note why the proposal goes back, so the proposer knows what to change.")


# The refusal raised for each failed transition guard (see ``guard`` in disputes/models).
REFUSALS: dict[str, type[TransitionRefused]] = {
    error.code: error
    for error in (
        NoTransactions,
        RefundNotOwed,
        RecoveryTooEarly,
        RefundAlreadyMade,
        LawEnforcementNoticeMissing,
        RefundDeadlinePassed,
        RefundQuestionOpen,
        ReplyAlreadyExtended,
        DelayNoticeTooLate,
        ReplyDeadlineNotPassed,
        ReplyDeadlinePassed,
        ReplyAlreadyDispatched,
        ReplyNotDispatched,
        AssessmentMissing,
        NothingToRecover,
        MoneyNotSettled,
        ChargebacksPending,
        ChargebackWindowClosed,
        ChargebackResponseWindowClosed,
    )
}


class ProposalOutdated(TransitionRefused):
    """A new assessment came after the proposal: approving it would decide on what nobody proposed."""

    code = "PROPOSAL_OUTDATED"
    message = _(
        "The case changed after this proposal (a new liability assessment): return it and propose again."
    )


class RefundAmountChanged(ProposalOutdated):
    """What the D+1 refund would credit now is not the amount the approved proposal stated (the
    estimate was completed or redone, or the refund policy changed): approving it would credit a
    figure nobody approved."""

    code = "REFUND_AMOUNT_CHANGED"
    message = _(
        "The refund now comes to a different amount than the one proposed (the liability estimate or the"
        " refund policy changed since): return this proposal and propose the refund again."
    )


class ClaimIncomplete(DisputeError, ValueError):
    """A draft the customer sends is missing an answer or has an impossible one (``problems``, in the
    wizard's order; the first says which page to go back to)."""

    code = "CLAIM_INCOMPLETE"
    message = _("The claim is not complete yet: please check the highlighted answer and send it again.")

    def __init__(self, detail: str = "", *, problems: list[DraftProblem]) -> None:
        super().__init__(detail)
        self.problems = problems
