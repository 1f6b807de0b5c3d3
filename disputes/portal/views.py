"""The customer's claim pages: start a claim, answer one question per page, send it, follow it.

Every page finds the card or the case through the owner-scoped selectors (another customer's ids
answer 404, like missing ones), makes one service call, and shows a refusal as a clear message with
nothing changed. Each answer is saved in the draft on the server (claim_update_draft) and the page
redirects (post/redirect/get), so the back button shows the saved answers and never sends twice.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards import services as card_services
from cards.models import REPORTED_IN_CLAIM_REASON, Card, Transaction
from cards.owned import card_page
from customers.decorators import CustomerRequest
from customers.forms import PortalForm
from disputes.models import Case, CaseState, Channel
from disputes.portal import forms
from disputes.portal.claim_status import claim_clocks, claim_outcome
from disputes.portal.selectors import (
    claim_evidence,
    claim_expected_deadlines,
    claim_preselection,
    claimable_transactions,
)
from disputes.portal.steps import (
    CAUSE_FROM_CANCELLATION,
    SESSION_DRAFTS,
    STEP_NAMES,
    STEPS,
    Step,
    card_still_usable,
    case_page,
    step_navigation,
    step_url,
)
from disputes.rules import DraftProblem
from disputes.services import (
    CAUSE_NOT_ANSWERED,
    ClaimIncomplete,
    DisputeError,
    InvalidClaim,
    case_add_evidence,
    claim_create_draft,
    claim_submit,
    claim_update_draft,
)
from kartosfera import clock
from kartosfera.formatting import format_long_date
from kartosfera.legaltime import WARSAW
from kartosfera.refusals import add_refusal

# The start page shows the card's history a page at a time, however long it is.
TRANSACTIONS_PER_PAGE = 25
# Buttons of the start page that move through the history rather than send the choice.
BROWSE_BUTTONS = ("page", "show")


def _browsing(request: HttpRequest) -> bool:
    return request.method == "POST" and any(name in request.POST for name in BROWSE_BUTTONS)


def _transactions_page(
    request: CustomerRequest,
    card: Card,
    form: PortalForm,
    case: Case | None,
    held: list[Transaction] | None = None,
) -> HttpResponse:
    """One page of the card's claimable transactions, filtered; the ones chosen elsewhere travel along.

    ``held`` are transactions ticked on the card's history that an open claim holds, so not chosen.
    """
    data = request.POST if request.method == "POST" else request.GET
    filters = forms.TransactionFilterForm(data)
    rows = claimable_transactions(customer=request.customer, card_id=card.pk, **filters.selector_filters())
    page = Paginator(rows, TRANSACTIONS_PER_PAGE).get_page(data.get("page") or data.get("current_page"))
    chosen = [str(value) for value in (form["transactions"].value() or [])]
    shown = {str(row.pk) for row in page.object_list}
    return render(
        request,
        "portal/claims/step_transactions.html",
        {
            "card": card,
            "form": form,
            "filters": filters,
            "page": page,
            "chosen": set(chosen),
            "kept": [value for value in dict.fromkeys(chosen) if value not in shown],
            "held": held or [],
            **(
                step_navigation(case, STEPS[0])
                if case
                else {"number": 1, "total": len(STEPS), "step": STEPS[0]}
            ),
        },
    )


def _browse_form(request: HttpRequest, rows: QuerySet[Transaction]) -> forms.TransactionsForm:
    """The choice so far, unchecked: moving to another page or filtering is not sending it."""
    return forms.TransactionsForm(
        initial={
            "transactions": request.POST.getlist("transactions"),
            "draft_token": request.POST.get("draft_token", ""),
        },
        transactions=rows,
    )


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def claim_start(request: CustomerRequest, card: Card) -> HttpResponse:
    """Start a claim about one of the customer's cards, with the transactions chosen on the history page."""
    rows = claimable_transactions(customer=request.customer, card_id=card.pk)
    if request.method == "GET":
        # Ticked on the card's history: one an open claim already holds is not chosen, and the page says why.
        ticked = claim_preselection(transactions=rows, ids=request.GET.getlist("transaction"))
        form = forms.TransactionsForm(
            initial={"transactions": ticked.chosen, "draft_token": uuid.uuid4().hex},
            transactions=rows,
        )
        if "from_history" in request.GET and not ticked.chosen and not ticked.held:
            # "I don't recognise these" sent with no box ticked: say none was chosen, as sending step 1 does.
            form = forms.TransactionsForm({"draft_token": uuid.uuid4().hex}, transactions=rows)
            form.is_valid()
        return _transactions_page(request, card, form, None, held=ticked.held)
    if _browsing(request):
        return _transactions_page(request, card, _browse_form(request, rows), None)
    form = forms.TransactionsForm(request.POST, transactions=rows)
    if not form.is_valid():
        return _transactions_page(request, card, form, None)
    chosen = [t.pk for t in form.cleaned_data["transactions"]]
    drafts = request.session.get(SESSION_DRAFTS, {})
    token = form.cleaned_data["draft_token"]
    try:
        if token and token in drafts:
            # The same start sent again (back button, double click): the same draft, not a second one.
            case = claim_update_draft(
                case_id=drafts[token], transaction_ids=chosen, actor=request.user, now=clock.now()
            )
        else:
            case = claim_create_draft(
                customer=request.customer,
                card_id=card.pk,
                transaction_ids=chosen,
                channel=Channel.PORTAL,
                # Only the card's own cancellation says what happened; else the customer chooses.
                cause=CAUSE_FROM_CANCELLATION.get(card.cancellation_reason, CAUSE_NOT_ANSWERED),
                actor=request.user,
                now=clock.now(),
            )
    except DisputeError as error:
        form.add_error("transactions", str(error))
        return _transactions_page(request, card, form, None)
    if token:
        request.session[SESSION_DRAFTS] = {**drafts, token: case.pk}
    return redirect(step_url(case, "cause"))


def _not_a_draft(case: Case) -> HttpResponse:
    return redirect("claims:detail", case_id=case.pk)


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_step(request: CustomerRequest, case: Case, step: str) -> HttpResponse:
    """One question of a draft claim; the answer is saved in the draft and the next question follows."""
    if step not in STEP_NAMES:
        raise Http404("no such step")
    current = STEPS[STEP_NAMES.index(step)]
    if case.state != CaseState.DRAFT:
        return _not_a_draft(case)
    if current.name == "evidence":
        return evidence_page(request, case, wizard_step=current)
    if current.name == "review":
        return _review(request, case, current)
    rows = None
    if current.name == "transactions":
        rows = claimable_transactions(customer=request.customer, card_id=case.card_id)
        if _browsing(request):
            return _transactions_page(request, case.card, _browse_form(request, rows), case)
    form = _step_form(request, case, current, rows)
    if request.method == "POST" and form.is_valid():
        try:
            claim_update_draft(
                case_id=case.pk, actor=request.user, now=clock.now(), **current.update(form, case)
            )
        except InvalidClaim as error:
            form.add_error(None, _("This answer cannot be saved: %(problem)s") % {"problem": _problem(error)})
        except DisputeError as error:
            add_refusal(form, error)
        else:
            return redirect(step_url(case, STEP_NAMES[STEP_NAMES.index(step) + 1]))
    if current.name == "transactions":
        return _transactions_page(request, case.card, form, case)
    return render(request, "portal/claims/step.html", {"form": form, **step_navigation(case, current)})


def _step_form(
    request: CustomerRequest, case: Case, step: Step, rows: QuerySet[Transaction] | None
) -> PortalForm:
    """A wizard page's form: bound to the answer sent, or showing the saved answer.

    The transactions page chooses among the card's claimable ``rows``; the evidence and review pages
    have views of their own.
    """
    bound = request.method == "POST"
    if rows is not None:
        if bound:
            return forms.TransactionsForm(request.POST, transactions=rows)
        return forms.TransactionsForm(initial=step.initial(case), transactions=rows)
    if step.form_class is None:
        raise Http404("no form on this step")
    return step.form_class(request.POST) if bound else step.form_class(initial=step.initial(case))


def _problem(error: InvalidClaim) -> str:
    """The claim's refusal in the customer's words."""
    if error.params.get("problem") == "loss_noticed_at":
        return _("the moment you noticed is in the future.")
    return str(error.params.get("problem", ""))


def evidence_page(request: CustomerRequest, case: Case, *, wizard_step: Step | None) -> HttpResponse:
    """Add documents one by one (police report, receipts); the list shows what the case holds."""
    here = step_url(case, "evidence") if wizard_step else reverse("claims:documents", args=[case.pk])
    if request.method == "POST":
        form = forms.EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence = case_add_evidence(
                    case_id=case.pk,
                    kind=form.cleaned_data["kind"],
                    file=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                    actor=request.user,
                    now=clock.now(),
                )
            except DisputeError as error:
                add_refusal(form, error)
            else:
                messages.success(
                    request, _("We have added “%(name)s” to the claim.") % {"name": evidence.original_name}
                )
                return redirect(here)
    else:
        form = forms.EvidenceForm()
    context = {
        "form": form,
        "case": case,
        "evidence": claim_evidence(case=case),
        "wizard": wizard_step is not None,
    }
    if wizard_step:
        context |= step_navigation(case, wizard_step) | {"next_url": step_url(case, "review")}
    return render(request, "portal/claims/evidence.html", context)


def _draft_problem_message(problem: DraftProblem, case: Case) -> str:
    """What the customer must fix on the page the submission sent them back to."""
    match problem.code:
        case "NO_TRANSACTIONS":
            return _("Choose at least one transaction you do not recognise.")
        case "IN_FUTURE":
            return _("The day you noticed cannot be in the future. Enter the day you noticed.")
        case "REQUIRED" if problem.step == "cause":
            return _("Choose what happened to the card.")
        case "BEFORE_CARD_ISSUED":
            return _("The day you noticed cannot be before the card was issued (%(issued)s).") % {
                "issued": format_long_date(
                    case.card.created_at.astimezone(WARSAW).date(), language=get_language()
                )
            }
    return _("Please answer this question before sending the claim.")


def _review(request: CustomerRequest, case: Case, step: Step) -> HttpResponse:
    """Everything the claim says, the deadlines it can expect, and the button that sends it."""
    error = ""
    if request.method == "POST":
        try:
            claim_submit(case_id=case.pk, actor=request.user, now=clock.now(), answers_required=True)
        except ClaimIncomplete as refusal:
            # Back to the first page with a missing or impossible answer, saying what is wrong there.
            first = refusal.problems[0]
            messages.error(request, _draft_problem_message(first, case))
            return redirect(step_url(case, first.step))
        except DisputeError as refusal:
            error = str(refusal)
        else:
            return redirect("claims:submitted", case_id=case.pk)
    return render(
        request,
        "portal/claims/review.html",
        {
            "disputed": case.disputed.select_related("transaction"),
            "evidence": claim_evidence(case=case),
            "expected": claim_expected_deadlines(case=case, now=clock.now()),
            "error": error,
            "step_urls": {name: step_url(case, name) for name in STEP_NAMES},
            **step_navigation(case, step),
        },
    )


@case_page
@require_POST
def claim_block_card(request: CustomerRequest, case: Case) -> HttpResponse:
    """Block the claim's card from inside the wizard, then back to the page the customer was on."""
    try:
        card_services.card_block(
            customer=request.customer,
            card_id=case.card_id,
            actor=request.user,
            channel=Channel.PORTAL,
            now=clock.now(),
            reason=REPORTED_IN_CLAIM_REASON,  # translated for each reader
        )
    except card_services.CardServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The card is blocked. You can unblock it from “My cards” if you find it.")
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = (
            step_url(case, "cause")
            if case.state == CaseState.DRAFT
            else reverse("claims:detail", args=[case.pk])
        )
    return redirect(target)


@case_page
@require_GET
def claim_submitted(request: CustomerRequest, case: Case) -> HttpResponse:
    """The claim was sent: its number and the dates the customer can count on."""
    if case.state == CaseState.DRAFT:
        return redirect(step_url(case, "review"))
    outcome = claim_outcome(case=case, language=get_language())
    return render(
        request,
        "portal/claims/submitted.html",
        {
            "case": case,
            "offer_block": card_still_usable(case),
            "clocks": claim_clocks(case=case, outcome=outcome, now=clock.now()),
            # A late refund's apology gives the bank's complaint line.
            "appeal_bank": settings.KARTOSFERA_BANK,
        },
    )
