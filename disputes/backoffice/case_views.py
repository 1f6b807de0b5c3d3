"""The back office's case page and each step taken from it: the view parses the form, calls the one
service the step names (``ACTIONS``), and shows the domain's refusal on the page."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from customers.models import User
from disputes.backoffice import chargeback_views, forms
from disputes.backoffice.access import StaffRequest, staff_required
from disputes.backoffice.case_page import CASE_FORMS, case_form, render_case
from disputes.backoffice.selectors import evidence_get_for_staff
from disputes.downloads import evidence_attachment
from disputes.models import Evidence
from disputes.services import (
    ActionNotPermitted,
    DisputeError,
    case_add_evidence,
    case_add_note,
    case_assess_liability,
    case_assign,
    case_close,
    case_customer_responded,
    case_deem_accepted,
    case_extend_reply,
    case_propose,
    case_refund_or_propose,
    case_request_information,
    case_start_review,
    case_withdraw,
    case_withhold_refund,
)
from kartosfera import clock
from kartosfera.form_pages import errors_as_messages
from kartosfera.refusals import add_refusal
from liability.engine import Findings


def _form_key(action: str, data: QueryDict) -> str:
    """The case page's key of the form an action was sent from (two forms propose)."""
    if action == "propose":
        return "propose_recovery" if data.get("kind") == "RECOVERY" else "propose_decision"
    return action


@require_GET
@staff_required
def case_detail(request: StaffRequest, case_id: int) -> HttpResponse:
    return render_case(request, case_id)


# A step: the form sent (None for a step without one), the case's id, the actor and now; it returns the
# message the staff member sees (a gettext msgid).
Step = Callable[[Form | None, int, User, datetime], str]
# A step's service call, given the form's cleaned data (empty without a form).
Call = Callable[[dict[str, Any], int, User, datetime], object]


def _refund(form: Form | None, case_id: int, user: User, now: datetime) -> str:
    if case_refund_or_propose(case_id=case_id, actor=user, now=now) is not None:
        return gettext_noop("The refund is above the four-eyes limit: it waits for a supervisor's approval.")
    return gettext_noop("Refunded.")


def _assess(data: dict[str, Any], case_id: int, user: User, now: datetime) -> object:
    fields = ("intent", "gross_negligence", "undetectable", "bank_staff", "no_means_to_report")
    findings = Findings(**{k: data[k] for k in fields})
    return case_assess_liability(case_id=case_id, findings=findings, note=data["note"], actor=user, now=now)


def _assign(data: dict[str, Any], case_id: int, user: User, now: datetime) -> object:
    assignee = User.objects.filter(pk=data["assignee"]).first()
    if assignee is None:
        raise Http404("no such user")
    return case_assign(case_id=case_id, assignee=assignee, actor=user, now=now)


def _done(message: str, call: Call) -> Step:
    """The step that makes ``call`` and says ``message``."""

    def run(form: Form | None, case_id: int, user: User, now: datetime) -> str:
        call(form.cleaned_data if form is not None else {}, case_id, user, now)
        return message

    return run


def _step(message: str, service: Callable[..., object], **from_form: str) -> Step:
    """The step that calls ``service`` on the case as the actor, now, with each keyword the value of the
    form field it names ("" for a field the form has not), and says ``message``."""

    def call(data: dict[str, Any], case_id: int, user: User, now: datetime) -> object:
        given = {keyword: data.get(name, "") for keyword, name in from_form.items()}
        return service(case_id=case_id, actor=user, now=now, **given)

    return _done(message, call)


def _take(data: dict[str, Any], case_id: int, user: User, now: datetime) -> object:
    return case_assign(case_id=case_id, assignee=user, actor=user, now=now)


# Each state-changing step of the case page: the form it needs and the service it calls.
ACTIONS: dict[str, tuple[type[Form] | None, Step]] = {
    "assign": (forms.AssignForm, _done(gettext_noop("Assigned."), _assign)),
    "take": (None, _done(gettext_noop("Assigned."), _take)),
    "start_review": (None, _step(gettext_noop("Review started."), case_start_review)),
    "refund": (None, _refund),
    "withhold_refund": (
        forms.WithholdForm,
        _step(
            gettext_noop("Refund withheld."),
            case_withhold_refund,
            grounds="reason",
            authority="authority",
            notified_on="notified_on",
            notice_reference="notice_reference",
        ),
    ),
    "request_information": (
        forms.QuestionsForm,
        _step(gettext_noop("Information requested."), case_request_information, questions="questions"),
    ),
    "customer_responded": (
        forms.ResponseForm,
        _step(gettext_noop("Answer recorded."), case_customer_responded, response="response"),
    ),
    "extend_reply": (
        forms.ExtendForm,
        _step(
            gettext_noop("Reply deadline extended; the delay notice is queued."),
            case_extend_reply,
            reason="reason",
            outstanding="outstanding",
            expected_reply_on="expected_reply_on",
        ),
    ),
    "assess": (forms.FindingsForm, _done(gettext_noop("Liability assessed."), _assess)),
    "propose": (
        forms.ProposalForm,
        _step(
            gettext_noop("Proposed: it waits for a supervisor's approval."),
            case_propose,
            kind="kind",
            reason="reason",
            customer_grounds="customer_grounds",  # the decision's form only
        ),
    ),
    "deem_accepted": (None, _step(gettext_noop("Deemed accepted."), case_deem_accepted)),
    "withdraw": (forms.ReasonForm, _step(gettext_noop("Withdrawn."), case_withdraw, reason="reason")),
    "close": (None, _step(gettext_noop("Closed."), case_close)),
    "note": (forms.NoteForm, _step(gettext_noop("Note added."), case_add_note, text="text")),
    "evidence": (
        forms.EvidenceForm,
        _step(
            gettext_noop("Evidence added."),
            case_add_evidence,
            kind="kind",
            file="file",
            description="description",
        ),
    ),
}


@require_POST
@staff_required
def case_action(request: StaffRequest, case_id: int, action: str) -> HttpResponse:
    """Run one step on the case; a refusal is shown and changes nothing."""
    if action not in ACTIONS:
        raise Http404("no such action")
    form_class, run = ACTIONS[action]
    key = _form_key(action, request.POST)
    form = None
    if form_class is not None:
        form = (
            case_form(key, request.POST, request.FILES)
            if key in CASE_FORMS
            else form_class(request.POST, request.FILES)
        )
    if form is not None and not form.is_valid():
        if key in CASE_FORMS:
            return render_case(request, case_id, bound_key=key, bound=form)
        errors_as_messages(request, form)
        return redirect("backoffice:case", case_id=case_id)
    try:
        done = run(form, case_id, request.user, clock.now())
    except DisputeError as error:
        if error.code == "CASE_NOT_FOUND":
            raise Http404("no such case") from None
        # A refusal of what was typed keeps it, with the reason; a step the user may not take at all
        # is said once, on the page.
        if form is not None and key in CASE_FORMS and not isinstance(error, ActionNotPermitted):
            add_refusal(form, error)
            return render_case(request, case_id, bound_key=key, bound=form)
        messages.error(request, str(error))
    else:
        messages.success(request, _(done))
    return redirect("backoffice:case", case_id=case_id)


chargeback_action = require_POST(staff_required(chargeback_views.chargeback_action))


@require_GET
@staff_required
def evidence_file(request: StaffRequest, evidence_id: int) -> FileResponse:
    """The evidence file, to staff only, as an attachment (never rendered inline from our origin)."""
    try:
        evidence = evidence_get_for_staff(user=request.user, evidence_id=evidence_id)
    except Evidence.DoesNotExist:
        raise Http404("no such evidence") from None
    return evidence_attachment(evidence)
