"""Back-office pages: each view parses the request, makes one service or selector call, and maps the
domain's refusals to a message. Every view requires staff signed in with their second factor."""

import math
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from cards.models import Card
from customers.middleware import mark_signed_in
from customers.models import Customer, User
from disputes.backoffice import chargeback_views, forms
from disputes.backoffice.search import backoffice_search, claim_lookup, claim_target, customer_page
from disputes.backoffice.selectors import (
    QUEUES,
    QueueFilters,
    assignable_staff,
    case_page,
    evidence_get_for_staff,
    pending_proposals,
    queue_page,
)
from disputes.backoffice.services import (
    case_take_next,
    cases_assign_bulk,
    claim_register_on_behalf,
    staff_second_factor_check,
)
from disputes.models import Case, Evidence
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
    proposal_approve,
    proposal_return,
    refund_needs_approval,
)
from kartosfera import clock
from kartosfera.authz import HANDLE_CASE, SUPERVISE_CASE, VIEW_CASE
from letters.rules import LetterDataError
from letters.selectors import print_room
from letters.services import (
    LetterActionNotPermitted,
    LetterNotFound,
    NothingToPrint,
    PrintBatchAlreadyPosted,
    PrintBatchNotFound,
    letter_proposal_preview,
    letter_request_preview,
    print_batch_assemble,
    print_batch_mark_posted,
    print_batch_pdf,
)
from liability.engine import Findings

PENDING_USER = "backoffice_pending_user"


def staff_required(view: Callable) -> Callable:
    """Staff with ``view_case`` past the second factor only: customers get 403, anonymous the sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("backoffice:sign_in"))
        if not user.has_perm(VIEW_CASE):
            raise PermissionDenied("not back-office staff")
        if not user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("backoffice:sign_in"))
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """First factor: user name and password of a back-office staff member."""
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is not None and user.has_perm(VIEW_CASE):
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session["backoffice_next"] = request.GET.get("next", "")
            return redirect("backoffice:sign_in_code")
        form.add_error(None, _("Wrong user name or password, or no access to the back office."))
    return render(request, "backoffice/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Second factor: the TOTP code from the staff member's authenticator app."""
    user = User.objects.filter(pk=request.session.get(PENDING_USER), is_active=True).first()
    if user is None:
        return redirect("backoffice:sign_in")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = staff_second_factor_check(user=user, code=form.cleaned_data["code"])
        device = check.device
        if device is not None:
            next_url = request.session.get("backoffice_next") or ""
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            mark_signed_in(request)
            # Back to the staff page that sent the member here: the back office, the reports, the admin.
            if next_url.startswith(("/back-office/", "/reports/", "/admin/", "/letters/", "/claims/")):
                return redirect(next_url)
            if not user.has_perm(HANDLE_CASE):
                return redirect("reports:report")  # auditors work no case: they land on the reports
            return redirect("backoffice:queue", name="mine")
        if check.locked_until is not None:
            wait = max(1, math.ceil((check.locked_until - clock.now()).total_seconds()))
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes: no code is checked for %(seconds)d more second. "
                    "Wait, then enter the code your app shows then.",
                    "Too many wrong codes: no code is checked for %(seconds)d more seconds. "
                    "Wait, then enter the code your app shows then.",
                    wait,
                )
                % {"seconds": wait},
            )
        else:
            form.add_error("code", _("The code is not valid. Codes change every 30 seconds."))
    return render(request, "backoffice/sign_in_code.html", {"form": form, "staff": user})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("backoffice:sign_in")


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
def home(request: HttpRequest) -> HttpResponse:
    """Where staff land: analysts and supervisors on their cases, auditors (no cases) on the reports."""
    if request.user.has_perm(HANDLE_CASE):
        return redirect("backoffice:queue", name="mine")
    return redirect("reports:report")


@require_GET
@staff_required
def queue(request: HttpRequest, name: str = "mine") -> HttpResponse:
    if name not in QUEUES:
        raise Http404("no such queue")
    if name == "chargebacks":  # a queue of chargebacks, not of cases
        return chargeback_views.chargeback_queue(request)
    form = forms.QueueFilterForm(request.GET)
    filters = _filters(form)
    page = form.cleaned_data.get("page") or 1
    result = queue_page(name=name, user=request.user, now=clock.now(), filters=filters, page=page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/queue.html",
        {
            "page": result,
            "form": form,
            "queues": QUEUES,
            "staff": assignable_staff() if request.user.has_perm(SUPERVISE_CASE) else None,
            "query": query.urlencode(),
        },
    )


@require_GET
@staff_required
def approvals(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/approvals.html", {"proposals": list(pending_proposals()[:200])})


# The case page's forms, one per step: each form's ids start with its key, so ids are unique on the
# page although several steps ask for a "reason".
CASE_FORMS: dict[str, type] = {
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


def _form_key(action: str, data) -> str:
    """The case page's key of the form an action was sent from (two forms propose)."""
    if action == "propose":
        return "propose_recovery" if data.get("kind") == "RECOVERY" else "propose_decision"
    return action


# What a form sends without asking: the two proposal forms say which proposal they make.
CASE_FORM_INITIAL = {"propose_decision": {"kind": "DECISION"}, "propose_recovery": {"kind": "RECOVERY"}}


def _case_form(key: str, *args, **kwargs):
    return CASE_FORMS[key](*args, auto_id=f"{key}-%s", initial=CASE_FORM_INITIAL.get(key), **kwargs)


def _render_case(request: HttpRequest, case_id: int, *, bound_key: str = "", bound=None) -> HttpResponse:
    """The case page; a form sent with an error is shown open, with what was typed and the error."""
    try:
        page = case_page(user=request.user, case_id=case_id, now=clock.now())
    except Case.DoesNotExist:
        raise Http404("no such case") from None
    case_forms = {key: bound if key == bound_key else _case_form(key) for key in CASE_FORMS}
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
        },
        status=400 if bound is not None else 200,
    )


@require_GET
@staff_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, case_id)


def _refund(form, case_id, user, now):
    if case_refund_or_propose(case_id=case_id, actor=user, now=now) is not None:
        return _("The refund is above the four-eyes limit: it waits for a supervisor's approval.")
    return _("Refunded.")


def _assess(form, case_id, user, now):
    data = form.cleaned_data
    findings = Findings(
        **{
            k: data[k]
            for k in ("intent", "gross_negligence", "undetectable", "bank_staff", "no_means_to_report")
        }
    )
    case_assess_liability(case_id=case_id, findings=findings, note=data["note"], actor=user, now=now)
    return _("Liability assessed.")


def _assign(form, case_id, user, now):
    assignee = User.objects.filter(pk=form.cleaned_data["assignee"]).first()
    if assignee is None:
        raise Http404("no such user")
    case_assign(case_id=case_id, assignee=assignee, actor=user, now=now)
    return _("Assigned.")


def _done(message: str, call: Callable) -> Callable:
    def run(form, case_id, user, now):
        call(form.cleaned_data if form is not None else {}, case_id, user, now)
        return message

    return run


# Each state-changing step of the case page: the form it needs and the service it calls.
ACTIONS: dict[str, tuple[type | None, Callable]] = {
    "assign": (forms.AssignForm, _assign),
    "take": (None, lambda f, c, u, n: case_assign(case_id=c, assignee=u, actor=u, now=n) and _("Assigned.")),
    "start_review": (
        None,
        _done("Review started.", lambda d, c, u, n: case_start_review(case_id=c, actor=u, now=n)),
    ),
    "refund": (None, _refund),
    "withhold_refund": (
        forms.WithholdForm,
        _done(
            "Refund withheld.",
            lambda d, c, u, n: case_withhold_refund(
                case_id=c,
                grounds=d["reason"],
                authority=d["authority"],
                notified_on=d["notified_on"],
                notice_reference=d["notice_reference"],
                actor=u,
                now=n,
            ),
        ),
    ),
    "request_information": (
        forms.QuestionsForm,
        _done(
            "Information requested.",
            lambda d, c, u, n: case_request_information(case_id=c, questions=d["questions"], actor=u, now=n),
        ),
    ),
    "customer_responded": (
        forms.ResponseForm,
        _done(
            "Answer recorded.",
            lambda d, c, u, n: case_customer_responded(case_id=c, response=d["response"], actor=u, now=n),
        ),
    ),
    "extend_reply": (
        forms.ExtendForm,
        _done(
            "Reply deadline extended; the delay notice is queued.",
            lambda d, c, u, n: case_extend_reply(
                case_id=c,
                reason=d["reason"],
                outstanding=d["outstanding"],
                expected_reply_on=d["expected_reply_on"],
                actor=u,
                now=n,
            ),
        ),
    ),
    "assess": (forms.FindingsForm, _assess),
    "propose": (
        forms.ProposalForm,
        _done(
            "Proposed: it waits for a supervisor's approval.",
            lambda d, c, u, n: case_propose(
                case_id=c,
                kind=d["kind"],
                reason=d["reason"],
                customer_grounds=d.get("customer_grounds", ""),
                actor=u,
                now=n,
            ),
        ),
    ),
    "deem_accepted": (
        None,
        _done("Deemed accepted.", lambda d, c, u, n: case_deem_accepted(case_id=c, actor=u, now=n)),
    ),
    "withdraw": (
        forms.ReasonForm,
        _done("Withdrawn.", lambda d, c, u, n: case_withdraw(case_id=c, reason=d["reason"], actor=u, now=n)),
    ),
    "close": (None, _done("Closed.", lambda d, c, u, n: case_close(case_id=c, actor=u, now=n))),
    "note": (
        forms.NoteForm,
        _done("Note added.", lambda d, c, u, n: case_add_note(case_id=c, text=d["text"], actor=u, now=n)),
    ),
    "evidence": (
        forms.EvidenceForm,
        _done(
            "Evidence added.",
            lambda d, c, u, n: case_add_evidence(
                case_id=c, kind=d["kind"], file=d["file"], description=d["description"], actor=u, now=n
            ),
        ),
    ),
}


@require_POST
@staff_required
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Run one step on the case; a refusal is shown and changes nothing."""
    if action not in ACTIONS:
        raise Http404("no such action")
    form_class, run = ACTIONS[action]
    key = _form_key(action, request.POST)
    form = None
    if form_class is not None:
        form = (
            _case_form(key, request.POST, request.FILES)
            if key in CASE_FORMS
            else form_class(request.POST, request.FILES)
        )
    if form is not None and not form.is_valid():
        if key in CASE_FORMS:
            return _render_case(request, case_id, bound_key=key, bound=form)
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}"
            )
        return redirect("backoffice:case", case_id=case_id)
    try:
        done = run(form, case_id, request.user, clock.now())
    except DisputeError as error:
        if error.code == "CASE_NOT_FOUND":
            raise Http404("no such case") from None
        # A refusal of what was typed keeps it, with the reason; a step the user may not take at all
        # is said once, on the page.
        if form is not None and key in CASE_FORMS and not isinstance(error, ActionNotPermitted):
            form.add_error(None, str(error))
            return _render_case(request, case_id, bound_key=key, bound=form)
        messages.error(request, str(error))
    else:
        messages.success(request, _(done) if isinstance(done, str) else _("Done."))
    return redirect("backoffice:case", case_id=case_id)


chargeback_action = require_POST(staff_required(chargeback_views.chargeback_action))


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
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
def take_next(request: HttpRequest) -> HttpResponse:
    try:
        case = case_take_next(actor=request.user, now=clock.now())
    except DisputeError as error:
        messages.error(request, str(error))
        return redirect("backoffice:queue", name="unassigned")
    return redirect("backoffice:case", case_id=case.pk)


@require_POST
@staff_required
def approve(request: HttpRequest, proposal_id: int) -> HttpResponse:
    try:
        proposal = proposal_approve(proposal_id=proposal_id, actor=request.user, now=clock.now())
    except DisputeError as error:
        messages.error(request, str(error))
        return redirect("backoffice:approvals")
    messages.success(request, _("Approved: the step has been taken."))
    return redirect("backoffice:case", case_id=proposal.case_id)


@require_POST
@staff_required
def return_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    form = forms.ReturnProposalForm(request.POST)
    form.is_valid()
    try:
        proposal = proposal_return(
            proposal_id=proposal_id,
            note=form.cleaned_data.get("note", ""),
            actor=request.user,
            now=clock.now(),
        )
    except DisputeError as error:
        messages.error(request, str(error))
        return redirect("backoffice:approvals")
    messages.success(request, _("The proposal was returned."))
    return redirect("backoffice:case", case_id=proposal.case_id)


@require_GET
@staff_required
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The evidence file, to staff only, as an attachment (never rendered inline from our origin)."""
    try:
        evidence = evidence_get_for_staff(user=request.user, evidence_id=evidence_id)
    except Evidence.DoesNotExist:
        raise Http404("no such evidence") from None
    # The type sniffed from the content at upload, never one guessed from the customer's file name.
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def claim_new(request: HttpRequest) -> HttpResponse:
    """Register a claim a customer made by phone, in a branch or on the 828 line: find the customer
    (PESEL, name or phone), choose the card, tick the transactions."""
    target_form = forms.ClaimTargetForm(request.GET)
    if not target_form.is_valid() or target_form.cleaned_data["customer"] is None:
        lookup = forms.SearchForm(request.GET or None)
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
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Claim %(number)s registered.") % {"number": case.number})
            return redirect("backoffice:case", case_id=case.pk)
    chosen = {str(value) for value in form["transactions"].value() or []}
    return render(request, "backoffice/claim_new.html", {"target": target, "form": form, "chosen": chosen})


def _preview_pdf(request: HttpRequest, case_id: int, render, *, missing: str, filename: str) -> HttpResponse:
    """A letter rendered by ``render()`` (a letters preview service), inline as a PDF; the staff's
    message on the case page when the case cannot make it yet."""
    try:
        rendered = render()
    except LetterNotFound:
        raise Http404(missing) from None
    except LetterActionNotPermitted as error:
        raise PermissionDenied("may not preview letters") from error
    except LetterDataError as error:
        messages.error(
            request, _("The letter cannot be made from the case's data yet: %(problem)s") % {"problem": error}
        )
        return redirect("backoffice:case", case_id=case_id)
    response = HttpResponse(rendered.pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@never_cache
@staff_required
def letter_preview(request: HttpRequest, case_id: int, letter_request_id: int) -> HttpResponse:
    """A requested letter as it would be issued now, as a PDF to read; nothing is stored or issued."""
    return _preview_pdf(
        request,
        case_id,
        lambda: letter_request_preview(
            case_id=case_id, letter_request_id=letter_request_id, actor=request.user, now=clock.now()
        ),
        missing="no such letter request",
        filename=f"preview-{case_id}-{letter_request_id}.pdf",
    )


@require_GET
@never_cache
@staff_required
def proposal_letter_preview(request: HttpRequest, case_id: int, proposal_id: int) -> HttpResponse:
    """The decision letter a pending proposal would give, as a PDF to read before approving it."""
    return _preview_pdf(
        request,
        case_id,
        lambda: letter_proposal_preview(
            case_id=case_id, proposal_id=proposal_id, actor=request.user, now=clock.now()
        ),
        missing="no such pending decision proposal",
        filename=f"preview-{case_id}-proposal-{proposal_id}.pdf",
    )


@require_GET
@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """The search box: case number, PESEL or bank id, phone, name, card's last four, amount, merchant."""
    form = forms.SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = backoffice_search(user=request.user, query=query) if query else None
    return render(request, "backoffice/search.html", {"search_form": form, "results": results})


@require_GET
@staff_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        page = customer_page(user=request.user, customer_id=customer_id)
    except Customer.DoesNotExist:
        raise Http404("no such customer") from None
    return render(request, "backoffice/customer.html", {"p": page, "customer": page.customer})


@require_GET
@staff_required
def print_letters(request: HttpRequest) -> HttpResponse:
    """The paper letters waiting to be printed and posted, and the print batches."""
    return render(request, "backoffice/print.html", {"room": print_room(now=clock.now())})


@require_POST
@staff_required
def print_batch_new(request: HttpRequest) -> HttpResponse:
    """Put every paper letter waiting into a new print batch."""
    try:
        batch = print_batch_assemble(actor=request.user, now=clock.now())
    except NothingToPrint:
        messages.info(request, _("No paper letter is waiting to be printed."))
    except LetterActionNotPermitted as error:
        raise PermissionDenied("may not print letters") from error
    else:
        messages.success(
            request,
            _("Print batch %(batch)s is ready: download it, print it, post it, then mark it posted.")
            % {"batch": batch.pk},
        )
    return redirect("backoffice:print")


@require_GET
@staff_required
def print_batch_file(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The print batch as one PDF, each letter exactly as issued."""
    try:
        pdf = print_batch_pdf(batch_id=batch_id, actor=request.user)
    except PrintBatchNotFound:
        raise Http404("no such print batch") from None
    except LetterActionNotPermitted as error:
        raise PermissionDenied("may not print letters") from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="print-batch-{batch_id}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required
def print_batch_posted(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch was handed to the post now: each letter's dispatch is recorded at this time."""
    try:
        print_batch_mark_posted(batch_id=batch_id, actor=request.user, now=clock.now())
    except PrintBatchNotFound:
        raise Http404("no such print batch") from None
    except PrintBatchAlreadyPosted:
        messages.info(request, _("This batch was marked posted before; nothing changed."))
    except LetterActionNotPermitted as error:
        raise PermissionDenied("may not print letters") from error
    else:
        messages.success(
            request, _("Marked posted: each letter of the batch is recorded as sent by post now.")
        )
    return redirect("backoffice:print")
