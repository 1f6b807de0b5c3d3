"""The back office's case page as its steps show it: the forms of the case's steps and of its
chargebacks' steps, a form sent with an error shown open with what was typed and the error."""

from typing import Any

from django.forms import Form
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

from disputes.backoffice import forms
from disputes.backoffice.access import StaffRequest
from disputes.backoffice.selectors import assignable_staff, case_page
from disputes.models import Case
from disputes.services import refund_needs_approval
from kartosfera import clock
from kartosfera.authz import SUPERVISE_CASE

# The case page's forms, one per step: each form's ids start with its key, so ids are unique on the
# page although several steps ask for a "reason".
CASE_FORMS: dict[str, type[Form]] = {
    "withhold_refund": forms.WithholdForm,
    "request_information": forms.QuestionsForm,
    "customer_responded": forms.ResponseForm,
    "extend_reply": forms.ExtendForm,
    "assess": forms.FindingsForm,
    "propose_decision": forms.DecisionProposalForm,
    "propose_recovery": forms.ProposalForm,
    "withdraw": forms.ReasonForm,
    "note": forms.NoteForm,
    "evidence": forms.EvidenceForm,
}

# What a form sends without asking: the two proposal forms say which proposal they make.
CASE_FORM_INITIAL = {"propose_decision": {"kind": "DECISION"}, "propose_recovery": {"kind": "RECOVERY"}}


def case_form(key: str, data: QueryDict | None = None, files: MultiValueDict[str, Any] | None = None) -> Form:
    """The case page's form of step ``key``, its ids starting with the key."""
    return CASE_FORMS[key](data, files, auto_id=f"{key}-%s", initial=CASE_FORM_INITIAL.get(key))


def chargeback_form_ids(chargeback_id: int, step: str) -> str:
    """The ids of a chargeback's step form's fields, as "backoffice/_chargebacks.html" writes them: one
    page shows several chargebacks, and each asks for a "reason" in more than one step."""
    return f"cb{chargeback_id}-{step}-%s"


def render_case(
    request: StaffRequest,
    case_id: int,
    *,
    bound_key: str = "",
    bound: Form | None = None,
    chargeback_sent: tuple[int, str, Form] | None = None,
) -> HttpResponse:
    """The case page; a form sent with an error (``bound`` under ``bound_key``, or a chargeback's step
    form as (chargeback id, step, form)) is shown open, with what was typed and the error."""
    try:
        page = case_page(user=request.user, case_id=case_id, now=clock.now())
    except Case.DoesNotExist:
        raise Http404("no such case") from None
    case_forms = {
        key: bound if bound is not None and key == bound_key else case_form(key) for key in CASE_FORMS
    }
    # The chargeback step forms sent with an error, by chargeback and step ("backoffice_labels.sent_to").
    chargebacks_sent = {}
    if chargeback_sent is not None:
        chargeback_id, step, form = chargeback_sent
        chargebacks_sent = {chargeback_id: {step: form}}
    return render(
        request,
        "backoffice/case.html",
        {
            "p": page,
            "case": page.case,
            "staff": assignable_staff() if request.user.has_perm(SUPERVISE_CASE) else None,
            "refund_needs_approval": "refund_provisionally" in page.allowed
            and refund_needs_approval(case=page.case),
            "forms": case_forms,
            "open_form": bound_key,
            "chargebacks_sent": chargebacks_sent,
        },
        status=400 if bound is not None or chargeback_sent is not None else 200,
    )
