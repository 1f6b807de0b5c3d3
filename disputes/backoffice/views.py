"""Back-office pages: each view parses the request, makes one service or selector call, and maps the
domain's refusals to a message. Every view requires staff signed in with their second factor
(``access.staff_required``). The queues, approvals, search and claims taken on a customer's behalf are
here; the case page and its steps are ``case_views``, the letter previews and print room
``letter_views``, the sign-in ``access``."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards.models import Card
from customers.models import Customer, User
from disputes.backoffice import chargeback_views, forms
from disputes.backoffice.access import StaffRequest, staff_required
from disputes.backoffice.search import backoffice_search, claim_lookup, claim_target, customer_page
from disputes.backoffice.selectors import (
    QUEUES,
    QueueFilters,
    assignable_staff,
    pending_proposals,
    queue_page,
)
from disputes.backoffice.services import case_take_next, cases_assign_bulk, claim_register_on_behalf
from disputes.models import DecisionProposal
from disputes.services import DisputeError, proposal_approve, proposal_return
from kartosfera import clock
from kartosfera.authz import HANDLE_CASE, SUPERVISE_CASE
from kartosfera.form_pages import errors_as_messages
from kartosfera.paging import query_without_page
from kartosfera.refusals import add_refusal

__all__ = ["staff_required"]  # the reports' and core banking's pages guard with it from here


def _filters(form: forms.QueueFilterForm) -> QueueFilters:
    form.is_valid()
    data = form.cleaned_data  # the valid filters; an invalid one is left out and shown as such
    return QueueFilters(
        state=data.get("state") or "",
        due_within_days=data.get("due_within_days"),
        amount_min=data.get("amount_min"),
        amount_max=data.get("amount_max"),
        brand=data.get("brand") or "",
        channel=data.get("channel") or "",
        cause=data.get("cause") or "",
        assignee_id=data.get("assignee"),
    )


@require_GET
@staff_required
def home(request: StaffRequest) -> HttpResponse:
    """Where staff land: analysts and supervisors on their cases, auditors (no cases) on the reports."""
    if request.user.has_perm(HANDLE_CASE):
        return redirect("backoffice:queue", name="mine")
    return redirect("reports:report")


@require_GET
@staff_required
def queue(request: StaffRequest, name: str = "mine") -> HttpResponse:
    if name not in QUEUES:
        raise Http404("no such queue")
    if name == "chargebacks":  # a queue of chargebacks, not of cases
        return chargeback_views.chargeback_queue(request)
    form = forms.QueueFilterForm(request.GET)
    filters = _filters(form)
    page = form.cleaned_data.get("page") or 1
    result = queue_page(name=name, user=request.user, now=clock.now(), filters=filters, page=page)
    return render(
        request,
        "backoffice/queue.html",
        {
            "page": result,
            "form": form,
            "queues": QUEUES,
            "staff": assignable_staff() if request.user.has_perm(SUPERVISE_CASE) else None,
            "query": query_without_page(request),
        },
    )


@require_GET
@staff_required
def approvals(request: StaffRequest) -> HttpResponse:
    return render(request, "backoffice/approvals.html", {"proposals": list(pending_proposals()[:200])})


def _approvals_with(request: StaffRequest, proposal_id: int, form: forms.ReturnProposalForm) -> HttpResponse:
    """The approvals again with the refused note at its proposal's field; said as a message when that
    proposal is not among them (no longer pending)."""
    proposals = list(pending_proposals()[:200])
    if not any(proposal.pk == proposal_id for proposal in proposals):
        errors_as_messages(request, form)
        return redirect("backoffice:approvals")
    context = {"proposals": proposals, "returned": form, "returned_id": proposal_id}
    return render(request, "backoffice/approvals.html", context, status=400)


@require_POST
@staff_required
def bulk_assign(request: StaffRequest) -> HttpResponse:
    form = forms.BulkAssignForm(request.POST)
    valid = form.is_valid()
    assignee = User.objects.filter(pk=form.cleaned_data["assignee"]).first() if valid else None
    if assignee is None:
        messages.error(request, _("Choose the cases and the assignee."))
    else:
        results = cases_assign_bulk(
            case_ids=form.cleaned_data["cases"], assignee=assignee, actor=request.user, now=clock.now()
        )
        done = sum(1 for error in results.values() if error is None)
        messages.success(request, _("Assigned %(count)d case(s).") % {"count": done})
        for case_id, error in results.items():
            if error is not None:
                messages.error(request, f"#{case_id}: {error}")
    next_url = str(request.POST.get("next", ""))
    if next_url.startswith("/back-office/"):
        return redirect(next_url)
    return redirect("backoffice:queue", name="unassigned")


@require_POST
@staff_required
def take_next(request: StaffRequest) -> HttpResponse:
    try:
        case = case_take_next(actor=request.user, now=clock.now())
    except DisputeError as error:
        messages.error(request, str(error))
        return redirect("backoffice:queue", name="unassigned")
    return redirect("backoffice:case", case_id=case.pk)


def _decide_proposal(request: StaffRequest, step: Callable[[], DecisionProposal], done: str) -> HttpResponse:
    """A second person's answer to a proposal: on to its case, or back to the approvals with the
    refusal."""
    try:
        proposal = step()
    except DisputeError as error:
        messages.error(request, str(error))
        return redirect("backoffice:approvals")
    messages.success(request, done)
    return redirect("backoffice:case", case_id=proposal.case_id)


@require_POST
@staff_required
def approve(request: StaffRequest, proposal_id: int) -> HttpResponse:
    return _decide_proposal(
        request,
        lambda: proposal_approve(proposal_id=proposal_id, actor=request.user, now=clock.now()),
        _("Approved: the step has been taken."),
    )


@require_POST
@staff_required
def return_proposal(request: StaffRequest, proposal_id: int) -> HttpResponse:
    form = forms.ReturnProposalForm(request.POST, auto_id=f"return-{proposal_id}-%s")
    if not form.is_valid():  # a note too long is refused, never dropped
        return _approvals_with(request, proposal_id, form)
    note = form.cleaned_data["note"]
    return _decide_proposal(
        request,
        lambda: proposal_return(proposal_id=proposal_id, note=note, actor=request.user, now=clock.now()),
        _("The proposal was returned."),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def claim_new(request: StaffRequest) -> HttpResponse:
    """Register a claim a customer made by phone, in a branch or on the 828 line: find the customer
    (PESEL, name or phone), choose the card, tick the transactions."""
    target_form = forms.ClaimTargetForm(request.GET)
    if not target_form.is_valid() or target_form.cleaned_data["customer"] is None:
        lookup = forms.SearchForm(request.GET or None, auto_id="claim-lookup-%s")
        query = lookup.cleaned_data["q"] if lookup.is_valid() else ""
        found = claim_lookup(user=request.user, query=query) if query else None
        return render(request, "backoffice/claim_lookup.html", {"lookup": lookup, "found": found})
    try:
        target = claim_target(
            user=request.user,
            customer_id=target_form.cleaned_data["customer"],
            card_id=target_form.cleaned_data["card"],
        )
    except (Customer.DoesNotExist, Card.DoesNotExist):
        raise Http404("no such customer or card") from None
    if target.card is None:
        return render(request, "backoffice/claim_new.html", {"target": target, "form": None})
    form = forms.OnBehalfClaimForm(request.POST or None, transactions=target.transactions, now=clock.now())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = claim_register_on_behalf(
                customer_id=target.customer.pk,
                card_id=target.card.pk,
                transaction_ids=[transaction.pk for transaction in data["transactions"]],
                channel=data["channel"],
                cause=data["cause"],
                received_at=data["received_at"],
                account=data["account"],
                actor=request.user,
                now=clock.now(),
            )
        except DisputeError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Claim %(number)s registered.") % {"number": case.number})
            return redirect("backoffice:case", case_id=case.pk)
    chosen = {str(value) for value in form["transactions"].value() or []}
    return render(request, "backoffice/claim_new.html", {"target": target, "form": form, "chosen": chosen})


@require_GET
@staff_required
def search(request: StaffRequest) -> HttpResponse:
    """The search box: case number, PESEL or bank id, phone, name, card's last four, amount, merchant."""
    # The ids of the header's search box, which the page's error text is tied to.
    form = forms.SearchForm(request.GET, auto_id="site-search-%s")
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = backoffice_search(user=request.user, query=query) if query else None
    return render(request, "backoffice/search.html", {"search_form": form, "results": results})


@require_GET
@staff_required
def customer_detail(request: StaffRequest, customer_id: int) -> HttpResponse:
    try:
        page = customer_page(user=request.user, customer_id=customer_id)
    except Customer.DoesNotExist:
        raise Http404("no such customer") from None
    return render(request, "backoffice/customer.html", {"p": page, "customer": page.customer})
