"""The customer's claim pages: start a claim, answer one question per page, send it, follow it.

Every page finds the card or the case through the owner-scoped selectors (another customer's ids
answer 404, like missing ones), makes one service call, and shows a refusal as a clear message with
nothing changed. Each answer is saved in the draft on the server (claim_update_draft) and the page
redirects (post/redirect/get), so the back button shows the saved answers and never sends twice.
"""

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards import services as card_services
from cards.models import CancellationReason, Card, CardStatus
from cards.selectors import card_get_for_customer
from customers.decorators import customer_required
from customers.models import Customer
from customers.selectors import customer_get_for_user
from disputes.models import Case, CaseState, Cause, Channel, Evidence
from disputes.portal import forms
from disputes.portal.selectors import (
    claim_available_actions,
    claim_clocks,
    claim_expected_deadlines,
    claim_information_request,
    claim_outcome,
    claim_timeline,
    claimable_transactions,
    evidence_get_for_user,
)
from disputes.rules import DraftProblem
from disputes.selectors import case_get_for_customer, case_list_for_customer
from disputes.services import (
    Circumstances,
    ClaimIncomplete,
    DisputeError,
    EvidenceInvalid,
    InvalidClaim,
    case_add_evidence,
    case_customer_responded,
    case_set_reply_delivery,
    case_withdraw,
    claim_create_draft,
    claim_submit,
    claim_update_draft,
)
from kartosfera import clock
from kartosfera.formatting import format_long_date
from kartosfera.legaltime import WARSAW

# The cause a claim starts with when the card was cancelled; the customer confirms it on the next page.
CAUSE_FROM_CANCELLATION = {
    CancellationReason.LOST: Cause.LOST,
    CancellationReason.STOLEN: Cause.STOLEN,
    CancellationReason.COMPROMISED: Cause.MISAPPROPRIATED,
}
SESSION_DRAFTS = "claim_drafts"
LOST_OR_STOLEN = (Cause.LOST, Cause.STOLEN)


def case_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in customer's own case, as ``case`` (404 for anyone else's)."""

    @customer_required
    @wraps(view)
    def wrapper(request: HttpRequest, case_id: int, *args, **kwargs) -> HttpResponse:
        try:
            case = case_get_for_customer(customer=request.customer, case_id=case_id)
        except Case.DoesNotExist as error:
            raise Http404("no such case") from error
        return view(request, case, *args, **kwargs)

    return wrapper


def _circumstances(case: Case, **changes) -> Circumstances:
    """The draft's account with ``changes`` (the service takes the account whole)."""
    current = Circumstances(
        loss_noticed_at=case.loss_noticed_at,
        card_whereabouts=case.card_whereabouts,
        access_to_card_and_phone=case.access_to_card_and_phone,
        card_in_mobile_wallet=case.card_in_mobile_wallet,
        police_notified=case.police_notified,
        police_reference=case.police_reference,
        account=case.customer_account,
    )
    return dataclasses.replace(current, **changes)


def _yes_no(value: bool | None) -> str:
    return {True: forms.YES, False: forms.NO}.get(value, forms.UNKNOWN)


@dataclass(frozen=True)
class Step:
    """One page of the claim: its form, the saved answer as initial data, and the draft update it makes."""

    name: str
    title: str
    form_class: type | None = None
    initial: Callable[[Case], dict] = lambda case: {}
    update: Callable[[object, Case], dict] = lambda form, case: {}


STEPS = [
    Step(
        "transactions",
        gettext_lazy("Transactions"),
        forms.TransactionsForm,
        lambda case: {"transactions": [link.transaction_id for link in case.disputed.all()]},
        lambda form, case: {"transaction_ids": [t.pk for t in form.cleaned_data["transactions"]]},
    ),
    Step(
        "cause",
        gettext_lazy("What happened"),
        forms.CauseForm,
        lambda case: {"cause": case.cause},
        lambda form, case: {"cause": form.cleaned_data["cause"]},
    ),
    Step(
        "noticed",
        gettext_lazy("When you noticed"),
        forms.NoticedForm,
        lambda case: (
            {
                "noticed_on": case.loss_noticed_at.astimezone(WARSAW).date(),
                "noticed_time": case.loss_noticed_at.astimezone(WARSAW).time(),
            }
            if case.loss_noticed_at
            else {}
        ),
        lambda form, case: {"circumstances": _circumstances(case, loss_noticed_at=form.noticed_at())},
    ),
    Step(
        "whereabouts",
        gettext_lazy("Where the card was"),
        forms.WhereaboutsForm,
        lambda case: {"card_whereabouts": case.card_whereabouts},
        lambda form, case: {
            "circumstances": _circumstances(case, card_whereabouts=form.cleaned_data["card_whereabouts"])
        },
    ),
    Step(
        "access",
        gettext_lazy("Who had access"),
        forms.AccessForm,
        lambda case: {"access_to_card_and_phone": case.access_to_card_and_phone},
        lambda form, case: {
            "circumstances": _circumstances(
                case, access_to_card_and_phone=form.cleaned_data["access_to_card_and_phone"]
            )
        },
    ),
    Step(
        "wallet",
        gettext_lazy("Mobile wallet"),
        forms.WalletForm,
        # None is both "I do not know" and "not answered yet": only a yes or a no is shown as chosen.
        lambda case: (
            {"card_in_mobile_wallet": _yes_no(case.card_in_mobile_wallet)}
            if case.card_in_mobile_wallet is not None
            else {}
        ),
        lambda form, case: {"circumstances": _circumstances(case, card_in_mobile_wallet=form.value())},
    ),
    Step(
        "police",
        gettext_lazy("Police"),
        forms.PoliceForm,
        lambda case: (
            {"police_notified": _yes_no(case.police_notified), "police_reference": case.police_reference}
            if case.police_notified or case.police_reference
            else {}
        ),
        lambda form, case: {
            "circumstances": _circumstances(
                case,
                police_notified=form.cleaned_data["police_notified"] == forms.YES,
                police_reference=form.cleaned_data["police_reference"],
            )
        },
    ),
    Step(
        "account",
        gettext_lazy("In your words"),
        forms.AccountForm,
        lambda case: {"account": case.customer_account},
        lambda form, case: {"circumstances": _circumstances(case, account=form.cleaned_data["account"])},
    ),
    Step(
        "delivery",
        gettext_lazy("How we write to you"),
        forms.ReplyDeliveryForm,
        lambda case: {"reply_delivery": case.reply_delivery},
        lambda form, case: {"reply_delivery": form.cleaned_data["reply_delivery"]},
    ),
    Step("evidence", gettext_lazy("Documents"), forms.EvidenceForm),
    Step("review", gettext_lazy("Check and send")),
]
STEP_NAMES = [step.name for step in STEPS]


def _step_url(case: Case, name: str) -> str:
    return reverse("claims:step", kwargs={"case_id": case.pk, "step": name})


def _navigation(case: Case, step: Step) -> dict[str, object]:
    index = STEP_NAMES.index(step.name)
    return {
        "case": case,
        # A card said to be lost or stolen that still works: the wizard offers to block or cancel it.
        "offer_block": case.cause in LOST_OR_STOLEN and case.card.status == CardStatus.ACTIVE,
        "step": step,
        "number": index + 1,
        "total": len(STEPS),
        "previous_url": _step_url(case, STEP_NAMES[index - 1]) if index else None,
    }


# The start page shows the card's history a page at a time, however long it is.
TRANSACTIONS_PER_PAGE = 25
# Buttons of the start page that move through the history rather than send the choice.
BROWSE_BUTTONS = ("page", "show")


def _browsing(request: HttpRequest) -> bool:
    return request.method == "POST" and any(name in request.POST for name in BROWSE_BUTTONS)


def _transactions_page(request: HttpRequest, card: Card, form, case: Case | None) -> HttpResponse:
    """One page of the card's claimable transactions, filtered; the ones chosen elsewhere travel along."""
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
            **(_navigation(case, STEPS[0]) if case else {"number": 1, "total": len(STEPS), "step": STEPS[0]}),
        },
    )


def _browse_form(request: HttpRequest, rows) -> forms.TransactionsForm:
    """The choice so far, unchecked: moving to another page or filtering is not sending it."""
    return forms.TransactionsForm(
        initial={
            "transactions": request.POST.getlist("transactions"),
            "draft_token": request.POST.get("draft_token", ""),
        },
        transactions=rows,
    )


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def claim_start(request: HttpRequest, card_id: int) -> HttpResponse:
    """Start a claim about one of the customer's cards, with the transactions chosen on the history page."""
    try:
        card = card_get_for_customer(customer=request.customer, card_id=card_id)
        rows = claimable_transactions(customer=request.customer, card_id=card.pk)
    except Card.DoesNotExist as error:
        raise Http404("no such card") from error
    if request.method == "GET":
        form = forms.TransactionsForm(
            initial={"transactions": request.GET.getlist("transaction"), "draft_token": uuid.uuid4().hex},
            transactions=rows,
        )
        return _transactions_page(request, card, form, None)
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
                cause=CAUSE_FROM_CANCELLATION.get(card.cancellation_reason, Cause.OTHER),
                actor=request.user,
                now=clock.now(),
            )
    except DisputeError as error:
        form.add_error("transactions", str(error))
        return _transactions_page(request, card, form, None)
    if token:
        request.session[SESSION_DRAFTS] = {**drafts, token: case.pk}
    return redirect(_step_url(case, "cause"))


def _not_a_draft(case: Case) -> HttpResponse:
    return redirect("claims:detail", case_id=case.pk)


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_step(request: HttpRequest, case: Case, step: str) -> HttpResponse:
    """One question of a draft claim; the answer is saved in the draft and the next question follows."""
    if step not in STEP_NAMES:
        raise Http404("no such step")
    current = STEPS[STEP_NAMES.index(step)]
    if case.state != CaseState.DRAFT:
        return _not_a_draft(case)
    if current.name == "evidence":
        return _evidence_page(request, case, wizard_step=current)
    if current.name == "review":
        return _review(request, case, current)
    kwargs = {}
    if current.name == "transactions":
        kwargs["transactions"] = claimable_transactions(customer=request.customer, card_id=case.card_id)
    if current.name == "transactions" and _browsing(request):
        return _transactions_page(request, case.card, _browse_form(request, kwargs["transactions"]), case)
    if request.method == "POST":
        form = current.form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                claim_update_draft(
                    case_id=case.pk, actor=request.user, now=clock.now(), **current.update(form, case)
                )
            except InvalidClaim as error:
                form.add_error(
                    None, _("This answer cannot be saved: %(problem)s") % {"problem": _problem(error)}
                )
            except DisputeError as error:
                form.add_error(None, str(error))
            else:
                return redirect(_step_url(case, STEP_NAMES[STEP_NAMES.index(step) + 1]))
    else:
        form = current.form_class(initial=current.initial(case), **kwargs)
    if current.name == "transactions":
        return _transactions_page(request, case.card, form, case)
    return render(request, "portal/claims/step.html", {"form": form, **_navigation(case, current)})


def _problem(error: InvalidClaim) -> str:
    """The claim's refusal in the customer's words."""
    if error.params.get("problem") == "loss_noticed_at":
        return _("the moment you noticed is in the future.")
    return str(error.params.get("problem", ""))


def _evidence_page(request: HttpRequest, case: Case, *, wizard_step: Step | None) -> HttpResponse:
    """Add documents one by one (police report, receipts); the list shows what the case holds."""
    here = _step_url(case, "evidence") if wizard_step else reverse("claims:documents", args=[case.pk])
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
            except EvidenceInvalid as error:
                form.add_error("file", str(error))
            except DisputeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("We have added “%(name)s” to the claim.") % {"name": evidence.original_name}
                )
                return redirect(here)
    else:
        form = forms.EvidenceForm()
    context = {"form": form, "case": case, "evidence": case.evidence.all(), "wizard": wizard_step is not None}
    if wizard_step:
        context |= _navigation(case, wizard_step) | {"next_url": _step_url(case, "review")}
    return render(request, "portal/claims/evidence.html", context)


def _draft_problem_message(problem: DraftProblem, case: Case) -> str:
    """What the customer must fix on the page the submission sent them back to."""
    match problem.code:
        case "NO_TRANSACTIONS":
            return _("Choose at least one transaction you do not recognise.")
        case "IN_FUTURE":
            return _("The day you noticed cannot be in the future. Enter the day you noticed.")
        case "BEFORE_CARD_ISSUED":
            return _("The day you noticed cannot be before the card was issued (%(issued)s).") % {
                "issued": format_long_date(
                    case.card.created_at.astimezone(WARSAW).date(), language=get_language()
                )
            }
    return _("Please answer this question before sending the claim.")


def _review(request: HttpRequest, case: Case, step: Step) -> HttpResponse:
    """Everything the claim says, the deadlines it can expect, and the button that sends it."""
    error = ""
    if request.method == "POST":
        try:
            claim_submit(case_id=case.pk, actor=request.user, now=clock.now(), answers_required=True)
        except ClaimIncomplete as refusal:
            # Back to the first page with a missing or impossible answer, saying what is wrong there.
            first = refusal.problems[0]
            messages.error(request, _draft_problem_message(first, case))
            return redirect(_step_url(case, first.step))
        except DisputeError as refusal:
            error = str(refusal)
        else:
            return redirect("claims:submitted", case_id=case.pk)
    return render(
        request,
        "portal/claims/review.html",
        {
            "disputed": case.disputed.select_related("transaction"),
            "evidence": case.evidence.all(),
            "expected": claim_expected_deadlines(case=case, now=clock.now()),
            "error": error,
            "step_urls": {name: _step_url(case, name) for name in STEP_NAMES},
            **_navigation(case, step),
        },
    )


@case_page
@require_POST
def claim_block_card(request: HttpRequest, case: Case) -> HttpResponse:
    """Block the claim's card from inside the wizard, then back to the page the customer was on."""
    try:
        card_services.card_block(
            customer=request.customer,
            card_id=case.card_id,
            actor=request.user,
            channel=Channel.PORTAL,
            now=clock.now(),
            reason=_("Reported lost or stolen in a claim."),
        )
    except card_services.CardServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The card is blocked. You can unblock it from “My cards” if you find it.")
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = (
            _step_url(case, "cause")
            if case.state == CaseState.DRAFT
            else reverse("claims:detail", args=[case.pk])
        )
    return redirect(target)


@case_page
@require_GET
def claim_submitted(request: HttpRequest, case: Case) -> HttpResponse:
    """The claim was sent: its number and the dates the customer can count on."""
    if case.state == CaseState.DRAFT:
        return redirect(_step_url(case, "review"))
    return render(request, "portal/claims/submitted.html", {"case": case, "clocks": claim_clocks(case=case)})


@customer_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    """The customer's claims, newest first."""
    return render(
        request, "portal/claims/list.html", {"cases": case_list_for_customer(customer=request.customer)}
    )


@never_cache
@case_page
@require_GET
def claim_detail(request: HttpRequest, case: Case) -> HttpResponse:
    """A claim's status: deadlines, the questions asked, its timeline, letters and documents."""
    return render(
        request,
        "portal/claims/detail.html",
        {
            "case": case,
            "disputed": case.disputed.select_related("transaction"),
            "timeline": [
                (item, CaseState(item.row.to_state).label if item.kind == "TRANSITION" else "")
                for item in claim_timeline(case=case)
            ],
            "delivery_form": forms.ReplyDeliveryForm(initial={"reply_delivery": case.reply_delivery}),
            "evidence": case.evidence.all(),
            "actions": claim_available_actions(case=case, user=request.user),
            "questions": claim_information_request(case=case),
            "first_step_url": _step_url(case, STEP_NAMES[0]),
            "clocks": claim_clocks(case=case),
            "outcome": claim_outcome(case=case, language=get_language()),
            # The appeal routes name the bank's complaint department as its letters do.
            "appeal_bank": settings.KARTOSFERA_BANK,
        },
    )


@case_page
@require_POST
def claim_delivery(request: HttpRequest, case: Case) -> HttpResponse:
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
def claim_documents(request: HttpRequest, case: Case) -> HttpResponse:
    """Add a document to a submitted claim."""
    if case.state == CaseState.DRAFT:
        return redirect(_step_url(case, "evidence"))
    return _evidence_page(request, case, wizard_step=None)


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_withdraw(request: HttpRequest, case: Case) -> HttpResponse:
    """Withdraw the claim (or throw away a draft)."""
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_withdraw(
                case_id=case.pk, reason=form.cleaned_data["reason"], actor=request.user, now=clock.now()
            )
        except DisputeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The claim has been withdrawn."))
            return redirect("claims:detail", case_id=case.pk)
    return render(request, "portal/claims/withdraw.html", {"case": case, "form": form})


@never_cache
@case_page
@require_http_methods(["GET", "POST"])
def claim_respond(request: HttpRequest, case: Case) -> HttpResponse:
    """Answer the bank's request for information."""
    form = forms.RespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_customer_responded(
                case_id=case.pk, response=form.cleaned_data["response"], actor=request.user, now=clock.now()
            )
        except DisputeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you: we have your answer."))
            return redirect("claims:detail", case_id=case.pk)
    return render(
        request,
        "portal/claims/respond.html",
        {"case": case, "form": form, "questions": claim_information_request(case=case)},
    )


def evidence_download(request: HttpRequest, case_id: int, evidence_id: int) -> HttpResponse:
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
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response
