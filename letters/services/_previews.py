"""Letters rendered for a look before they go out: nothing is stored or issued."""

from datetime import datetime

from customers.models import User
from disputes.models import Case, CaseLetterRequest, DecisionProposal, ProposalKind, ProposalStatus
from kartosfera.authz import VIEW_CASE
from kartosfera.legaltime import require_aware, warsaw_date
from letters.builders import (
    DECISION_LETTER_TYPES,
    letter_type_for,
    snapshot_preview,
    snapshot_proposal_preview,
    snapshot_request_preview,
)
from letters.rendering import RenderedLetter, render_letter_pdf
from letters.rules import LetterDataError, LetterType, parse_letter_type
from letters.services._common import LetterNotFound, require_staff, row_or_missing


def letter_preview(
    *, case_id: int, letter_type: LetterType | str, actor: User | None, now: datetime
) -> RenderedLetter:
    """Render a letter for a case without storing anything: the analyst's look before it goes out.

    :raises LetterNotFound: no such case. :raises LetterActionNotPermitted:
    :raises letters.rules.LetterDataError: the case cannot make this letter yet.
    """
    require_staff(actor, VIEW_CASE, system_allowed=False)
    letter_type = parse_letter_type(letter_type)
    case = row_or_missing(Case.objects.select_related("customer", "card"), case_id, LetterNotFound)
    snapshot = snapshot_preview(case=case, letter_type=letter_type, issued_on=warsaw_date(now), actor=actor)
    return render_letter_pdf(letter_type=letter_type, snapshot=snapshot)


def letter_request_preview(
    *, case_id: int, letter_request_id: int, actor: User | None, now: datetime
) -> RenderedLetter:
    """Render a requested letter of a case as it would be issued now, storing and issuing nothing.

    Staff allowed to view cases (the read-only auditor too) look at a letter before it goes out.

    :raises LetterNotFound: no such request on this case. :raises LetterActionNotPermitted:
    :raises letters.rules.LetterDataError: the case cannot make this letter (yet).
    """
    require_aware(now, name="now")
    require_staff(actor, VIEW_CASE, system_allowed=False)
    letter_request = row_or_missing(
        CaseLetterRequest.objects.select_related(
            "case", "case__customer", "case__card", "transition__actor"
        ).filter(case_id=case_id),
        letter_request_id,
        LetterNotFound,
    )
    snapshot = snapshot_request_preview(letter_request=letter_request, issued_on=warsaw_date(now))
    letter_type = letter_type_for(letter_request.letter_type, context=letter_request.context)
    return render_letter_pdf(letter_type=letter_type, snapshot=snapshot)


def letter_proposal_preview(
    *, case_id: int, proposal_id: int, actor: User | None, now: datetime
) -> RenderedLetter:
    """Render the decision letter a pending DECISION proposal would give, storing and issuing nothing.

    The approver reads the grounds as the customer would before approving (signed by the viewer).

    :raises LetterNotFound: no pending decision proposal of that id on this case.
    :raises LetterActionNotPermitted: :raises letters.rules.LetterDataError: the letter cannot be made.
    """
    require_aware(now, name="now")
    require_staff(actor, VIEW_CASE, system_allowed=False)
    proposal = row_or_missing(
        DecisionProposal.objects.select_related("case", "case__customer", "case__card").filter(
            case_id=case_id, kind=ProposalKind.DECISION, status=ProposalStatus.PENDING
        ),
        proposal_id,
        LetterNotFound,
    )
    snapshot = snapshot_proposal_preview(proposal=proposal, issued_on=warsaw_date(now), actor=actor)
    if snapshot.decision is None:  # a DECISION proposal always gives one
        raise LetterDataError(f"proposal {proposal_id} gives no decision")
    return render_letter_pdf(letter_type=DECISION_LETTER_TYPES[snapshot.decision.outcome], snapshot=snapshot)
