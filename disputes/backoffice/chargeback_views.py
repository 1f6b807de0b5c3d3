"""Back-office pages of chargebacks: the queue of chargebacks by deadline, and each step of the scheme
cycle from the case page. Each view parses the request and makes one service or selector call."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from disputes.backoffice import forms
from disputes.backoffice.access import StaffRequest
from disputes.backoffice.case_page import chargeback_form_ids, render_case
from disputes.backoffice.selectors import chargeback_queue_page
from disputes.services import (
    ActionNotPermitted,
    DisputeError,
    chargeback_abandon,
    chargeback_escalate,
    chargeback_file,
    chargeback_propose_result,
    chargeback_record_representment,
)
from kartosfera import clock
from kartosfera.form_pages import errors_as_messages
from kartosfera.refusals import add_refusal


def chargeback_queue(request: HttpRequest) -> HttpResponse:
    """The chargebacks the bank or the acquirer still has to act on, the nearest deadline first."""
    form = forms.QueueFilterForm(request.GET)
    form.is_valid()
    page = form.cleaned_data.get("page") or 1
    result = chargeback_queue_page(now=clock.now(), page=page)
    return render(request, "backoffice/chargeback_queue.html", {"page": result, "name": "chargebacks"})


def _file(data, chargeback_id, user, now):
    chargeback_file(
        chargeback_id=chargeback_id,
        acquirer_reference=data["acquirer_reference"],
        reason_code=data["reason_code"],
        amount=data["amount"],
        evidence_ids=data["evidence"],
        actor=user,
        now=now,
    )


def _representment(data, chargeback_id, user, now):
    chargeback_record_representment(
        chargeback_id=chargeback_id,
        documents=[data["document"]] if data["document"] else [],
        note=data["note"],
        actor=user,
        now=now,
    )


def _escalate(data, chargeback_id, user, now):
    chargeback_escalate(
        chargeback_id=chargeback_id, reason=data["reason"], evidence_ids=data["evidence"], actor=user, now=now
    )


def _result(data, chargeback_id, user, now):
    chargeback_propose_result(
        chargeback_id=chargeback_id, won=data["won"], reason=data["reason"], actor=user, now=now
    )


def _abandon(data, chargeback_id, user, now):
    chargeback_abandon(chargeback_id=chargeback_id, reason=data["reason"], actor=user, now=now)


# Each step of a chargeback: the form it needs, the service it calls, and what is said once it is done.
# The message is said whenever the service returned without raising, whatever it returned.
ACTIONS: dict[str, tuple[type, Callable[..., None], Promise]] = {
    "file": (forms.ChargebackFileForm, _file, gettext_lazy("Chargeback filed with the scheme.")),
    "representment": (
        forms.ChargebackRepresentmentForm,
        _representment,
        gettext_lazy("Second presentment recorded."),
    ),
    "escalate": (forms.ChargebackEscalateForm, _escalate, gettext_lazy("Escalated.")),
    "result": (
        forms.ChargebackResultForm,
        _result,
        gettext_lazy("Proposed: the result waits for a second person's approval."),
    ),
    "abandon": (forms.ChargebackAbandonForm, _abandon, gettext_lazy("The chargeback will not be filed.")),
}


def _step(action: str, data: QueryDict) -> str:
    """The case page's step a chargeback's form was sent from: a result is proposed won or lost."""
    if action == "result":
        return "win" if data.get("won") == "1" else "lose"
    return action


@require_POST
def chargeback_action(request: StaffRequest, case_id: int, chargeback_id: int, action: str) -> HttpResponse:
    """Run one step of a chargeback; a refusal is shown and changes nothing."""
    if action not in ACTIONS:
        raise Http404("no such action")
    form_class, run, done = ACTIONS[action]
    step = _step(action, request.POST)
    form = form_class(request.POST, request.FILES, auto_id=chargeback_form_ids(chargeback_id, step))
    back = reverse("backoffice:case", kwargs={"case_id": case_id}) + f"#cb-{chargeback_id}"
    if not form.is_valid():
        # Said at the top of the page as before, and at each field, which names its error.
        errors_as_messages(request, form)
        return render_case(request, case_id, chargeback_sent=(chargeback_id, step, form))
    try:
        run(form.cleaned_data, chargeback_id, request.user, clock.now())
    except DisputeError as error:
        if error.code == "CHARGEBACK_NOT_FOUND":
            raise Http404("no such chargeback") from None
        messages.error(request, str(error))
        # A refusal of what was typed keeps it, with the reason at its field; a step the user may not
        # take at all is said once, on the page.
        if not isinstance(error, ActionNotPermitted):
            add_refusal(form, error)
            return render_case(request, case_id, chargeback_sent=(chargeback_id, step, form))
    else:
        messages.success(request, str(done))
    return redirect(back)
