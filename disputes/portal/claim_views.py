"""A customer's sent claims: the list, the status page, the reply's delivery, documents, withdrawal."""

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.decorators import CustomerRequest, customer_required
from customers.forms import PortalForm
from customers.models import Customer
from customers.selectors import customer_get_for_user
from disputes.downloads import evidence_attachment
from disputes.models import FINISHED_STATES, Case, CaseState, CaseTransition, Evidence
from disputes.portal import forms
from disputes.portal.claim_status import claim_clocks, claim_outcome, claim_refund_withdrawal_takes_back
from disputes.portal.selectors import (
    claim_available_actions,
    claim_evidence,
    claim_information_request,
    claim_timeline,
    evidence_get_for_user,
)
from disputes.portal.steps import STEP_NAMES, card_still_usable, case_page, step_url
from disputes.portal.views import evidence_page
from disputes.selectors import case_list_for_customer
from disputes.services import (
    DisputeError,
    case_customer_responded,
    case_set_reply_delivery,
    case_withdraw,
)
from kartosfera import clock
from kartosfera.form_pages import carried_out
from kartosfera.legaltime import warsaw_date


@customer_required
@require_GET
def claim_list(request: CustomerRequest) -> HttpResponse:
    """The customer's claims, newest first."""
    return render(
        request, "portal/claims/list.html", {"cases": case_list_for_customer(customer=request.customer)}
    )


@never_cache
@case_page
@require_GET
def claim_detail(request: CustomerRequest, case: Case) -> HttpResponse:
    """A claim's status: deadlines, the questions asked, its timeline, letters and documents."""
    now = clock.now()
    outcome = claim_outcome(case=case, language=get_language())
    return render(
        request,
        "portal/claims/detail.html",
        {
            "case": case,
            "offer_block": card_still_usable(case),
            "disputed": case.disputed.select_related("transaction"),
            "timeline": [
                (item, CaseState(item.row.to_state).label if isinstance(item.row, CaseTransition) else "")
                for item in claim_timeline(case=case)
            ],
            "delivery_form": forms.ReplyDeliveryForm(initial={"reply_delivery": case.reply_delivery}),
            "evidence": claim_evidence(case=case),
            "actions": claim_available_actions(case=case, user=request.user, now=now),
            "information_request": claim_information_request(case=case),
            "first_step_url": step_url(case, STEP_NAMES[0]),
            "clocks": claim_clocks(case=case, outcome=outcome, now=now),
            "outcome": outcome,
            # Whether the first day the customer's share may be taken back has come (Warsaw's day).
            "today": warsaw_date(now),
            # The appeal routes (and a late refund's apology) name the bank's complaint department as
            # its letters do.
            "appeal_bank": settings.KARTOSFERA_BANK,
        },
    )


@case_page
@require_POST
def claim_delivery(request: CustomerRequest, case: Case) -> HttpResponse:
    """The customer changes how the bank's letters about the claim reach them; back to the claim."""
    form = forms.ReplyDeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how we send you our letters."))
    else:
        try:
            case_set_reply_delivery(
                case_id=case.pk,
                delivery=form.cleaned_data["reply_delivery"],
                actor=request.user,
                now=clock.now(),
            )
        except DisputeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Saved: we send your letters about this claim as you chose."))
    return redirect(reverse("claims:detail", args=[case.pk]) + "#letters-title")


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_documents(request: CustomerRequest, case: Case) -> HttpResponse:
    """Add a document to a submitted claim."""
    if case.state == CaseState.DRAFT:
        return redirect(step_url(case, "evidence"))
    if case.state in FINISHED_STATES:
        # The claim's page offers no "Add a document" then; its address alone would only be refused.
        messages.info(request, _("Documents can no longer be added to this claim."))
        return redirect("claims:detail", case_id=case.pk)
    return evidence_page(request, case, wizard_step=None)


def _carried_out(
    request: CustomerRequest, case: Case, form: PortalForm, change: Callable[..., object], done: str
) -> HttpResponse | None:
    """Make the ``change`` a valid form asks for (a case service, given the case, actor and time): back to
    the claim saying ``done``, or None with the service's refusal shown on the form."""
    change_case = partial(change, case_id=case.pk, actor=request.user, now=clock.now())
    return carried_out(request, form, change_case, done=done, then=redirect("claims:detail", case_id=case.pk))


def _back_unless_allowed(request: CustomerRequest, case: Case, action: str, why: str) -> HttpResponse | None:
    """Back to the claim saying ``why`` when the case no longer allows the customer's ``action`` (done
    already, from the back button or a second tab): its form would only lead to a refusal."""
    if action in claim_available_actions(case=case, user=request.user, now=clock.now()):
        return None
    messages.info(request, why)
    return redirect("claims:detail", case_id=case.pk)


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_withdraw(request: CustomerRequest, case: Case) -> HttpResponse:
    """Withdraw the claim (or throw away a draft)."""
    if gone := _back_unless_allowed(request, case, "withdraw", _("This claim can no longer be withdrawn.")):
        return gone
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdraw = partial(case_withdraw, reason=form.cleaned_data["reason"])
        if answer := _carried_out(request, case, form, withdraw, _("The claim has been withdrawn.")):
            return answer
    refund = claim_refund_withdrawal_takes_back(case=case)
    return render(request, "portal/claims/withdraw.html", {"case": case, "form": form, "refund": refund})


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_respond(request: CustomerRequest, case: Case) -> HttpResponse:
    """Answer the bank's request for information."""
    if gone := _back_unless_allowed(
        request, case, "customer_responded", _("The bank is not waiting for your answer on this claim.")
    ):
        return gone
    form = forms.RespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        respond = partial(case_customer_responded, response=form.cleaned_data["response"])
        if answer := _carried_out(request, case, form, respond, _("Thank you: we have your answer.")):
            return answer
    return render(
        request,
        "portal/claims/respond.html",
        {"case": case, "form": form, "information_request": claim_information_request(case=case)},
    )


def evidence_download(request: HttpRequest, case_id: int, evidence_id: int) -> HttpResponseBase:
    """A document of a claim, for its own customer or staff who may view cases; 404 for anyone else."""
    if not request.user.is_authenticated:
        raise Http404("not signed in")
    try:
        customer = customer_get_for_user(user=request.user)
    except Customer.DoesNotExist:
        customer = None
    try:
        evidence = evidence_get_for_user(
            user=request.user, customer=customer, case_id=case_id, evidence_id=evidence_id
        )
    except (Case.DoesNotExist, Evidence.DoesNotExist) as error:
        raise Http404("no such document") from error
    if request.method != "GET":  # after the access check: a foreign id answers 404 whatever the method
        return HttpResponseNotAllowed(["GET"])
    response = evidence_attachment(evidence)
    response["Cache-Control"] = "private, no-store"
    return response
