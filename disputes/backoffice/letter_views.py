"""The back office's letter pages: a letter previewed as a PDF before it is issued, a letter issued
again as a new version, and the print room where paper letters are batched, printed and marked posted.
Each view makes one letters service call."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from disputes.backoffice.access import StaffRequest, staff_required
from disputes.backoffice.forms import LetterReissueForm
from disputes.backoffice.selectors import letter_reissue_get
from kartosfera import clock
from kartosfera.authz import HANDLE_CASE
from letters import services as letters
from letters.models import Letter, PrintBatch
from letters.rendering import RenderedLetter
from letters.rules import LetterDataError
from letters.selectors import print_batch_contents, print_room


def _pdf_response(pdf: bytes, *, disposition: str, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _preview_view(
    name: str, preview: Callable[..., RenderedLetter], *, doc: str, missing: str, filename: str
) -> Callable[..., HttpResponseBase]:
    """The view of one letters preview service: the letter it renders for the case (and the ids in the
    URL), inline as a PDF to read; nothing is stored or issued. When the case cannot make the letter
    yet, the staff's message on the case page."""

    def view(request: StaffRequest, case_id: int, **ids: int) -> HttpResponse:
        try:
            rendered = preview(case_id=case_id, **ids, actor=request.user, now=clock.now())
        except letters.LetterNotFound:
            raise Http404(missing) from None
        except letters.LetterActionNotPermitted as error:
            raise PermissionDenied("may not preview letters") from error
        except LetterDataError as error:
            messages.error(
                request,
                _("The letter cannot be made from the case's data yet: %(problem)s") % {"problem": error},
            )
            return redirect("backoffice:case", case_id=case_id)
        return _pdf_response(
            rendered.pdf_bytes, disposition="inline", filename=filename.format(case_id=case_id, **ids)
        )

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    return require_GET(never_cache(staff_required(view)))


letter_preview = _preview_view(
    "letter_preview",
    letters.letter_request_preview,
    doc="A requested letter as it would be issued now, as a PDF to read; nothing is stored or issued.",
    missing="no such letter request",
    filename="preview-{case_id}-{letter_request_id}.pdf",
)
proposal_letter_preview = _preview_view(
    "proposal_letter_preview",
    letters.letter_proposal_preview,
    doc="The decision letter a pending proposal would give, as a PDF to read before approving it.",
    missing="no such pending decision proposal",
    filename="preview-{case_id}-proposal-{proposal_id}.pdf",
)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def letter_reissue_page(request: StaffRequest, case_id: int, letter_id: int) -> HttpResponse:
    """Issue a letter of the case again as version n+1 (the customer says it never arrived, the address
    changed): the page says which version, where it went and where the new one goes, and asks why; the
    confirmed form issues it. A second send of the same form (a double click) issues nothing more."""
    if not request.user.has_perm(HANDLE_CASE):
        raise PermissionDenied("may not issue letters")
    try:
        target = letter_reissue_get(user=request.user, case_id=case_id, letter_id=letter_id)
    except Letter.DoesNotExist:
        raise Http404("no such letter on this case") from None
    form = LetterReissueForm(request.POST if request.method == "POST" else None, auto_id="reissue-%s")
    if request.method == "POST" and form.is_valid():
        back = redirect(f"{reverse('backoffice:case', kwargs={'case_id': case_id})}#letters-h")
        try:
            letter = letters.letter_reissue(
                letter_id=letter_id,
                case_id=case_id,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=clock.now(),
            )
        except letters.LetterNotFound:
            raise Http404("no such letter on this case") from None
        except letters.LetterActionNotPermitted as error:
            raise PermissionDenied("may not issue letters") from error
        except letters.LetterSuperseded:
            messages.info(request, _("This version was already issued again: nothing more was issued."))
            return back
        except letters.LetterWithdrawn:
            messages.error(request, _("This letter was withdrawn and is never sent again."))
            return back
        except letters.CorrectionReasonMissing:
            form.add_error("reason", _("Say why the letter is issued again."))
        except LetterDataError as error:
            messages.error(
                request,
                _("The letter cannot be made from the case's data yet: %(problem)s") % {"problem": error},
            )
            return back
        else:
            messages.success(
                request,
                (
                    _("Version %(version)s issued: it is e-mailed to the customer.")
                    if target.by_email
                    else _("Version %(version)s issued: it goes by post with the next print batch.")
                )
                % {"version": letter.version},
            )
            return back
    return render(
        request,
        "backoffice/letter_reissue.html",
        {"t": target, "case": target.case, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_GET
@staff_required
def print_letters(request: StaffRequest) -> HttpResponse:
    """The paper letters waiting to be printed and posted, and the print batches."""
    return render(request, "backoffice/print.html", {"room": print_room(now=clock.now())})


@require_GET
@staff_required
def print_batch_page(request: StaffRequest, batch_id: int) -> HttpResponse:
    """One print batch: when it was assembled, printed and posted, by whom, and its letters in print
    order, each with the version that replaced it since; what an auditor reads to prove what was posted."""
    try:
        contents = print_batch_contents(batch_id=batch_id)
    except PrintBatch.DoesNotExist:
        raise Http404("no such print batch") from None
    return render(request, "backoffice/print_batch.html", {"contents": contents, "batch": contents.batch})


@contextmanager
def _print_room_refusals() -> Iterator[None]:
    """The letters services' refusals as the print room answers them: no batch 404, no right 403."""
    try:
        yield
    except letters.PrintBatchNotFound:
        raise Http404("no such print batch") from None
    except letters.LetterActionNotPermitted as error:
        raise PermissionDenied("may not print letters") from error


@require_POST
@staff_required
def print_batch_new(request: StaffRequest) -> HttpResponse:
    """Put every paper letter waiting into a new print batch."""
    try:
        with _print_room_refusals():
            batch = letters.print_batch_assemble(actor=request.user, now=clock.now())
    except letters.NothingToPrint:
        messages.info(request, _("No paper letter is waiting to be printed."))
    except letters.PrintBatchOutOfOrder:
        # Only a server whose clock is behind another's gets here: a batch is never numbered out of time.
        messages.error(
            request,
            _(
                "A print batch was made at a later time than this server's clock says it is now: nothing was "
                "changed. Try again in a moment; if it happens again, the servers' clocks disagree."
            ),
        )
    else:
        messages.success(
            request,
            _("Print batch %(batch)s is ready: download it, print it, post it, then mark it posted.")
            % {"batch": batch.pk},
        )
    return redirect("backoffice:print")


@require_GET
@staff_required
def print_batch_file(request: StaffRequest, batch_id: int) -> HttpResponse:
    """The print batch as one PDF, each letter exactly as issued; the download is audited and changes
    nothing in the batch (it is not printing)."""
    with _print_room_refusals():
        pdf = letters.print_batch_pdf(batch_id=batch_id, actor=request.user, now=clock.now())
    return _pdf_response(pdf, disposition="attachment", filename=f"print-batch-{batch_id}.pdf")


@require_POST
@staff_required
def print_batch_printed(request: StaffRequest, batch_id: int) -> HttpResponse:
    """Staff printed the batch: a letter issued again from now on stays in it and is posted with it."""
    with _print_room_refusals():
        marked = letters.print_batch_mark_printed(batch_id=batch_id, actor=request.user, now=clock.now())
    if marked:
        messages.success(request, _("Print batch %(batch)s is marked printed.") % {"batch": batch_id})
    else:
        messages.info(request, _("This batch was marked printed before; nothing changed."))
    return redirect("backoffice:print")


@require_POST
@staff_required
def print_batch_printed_undo(request: StaffRequest, batch_id: int) -> HttpResponse:
    """Staff marked the batch printed by mistake (a printer jam): it is not printed after all, until
    posted; a version issued again meanwhile leaves it."""
    try:
        with _print_room_refusals():
            undone = letters.print_batch_undo_printed(batch_id=batch_id, actor=request.user, now=clock.now())
    except letters.PrintBatchAlreadyPosted:
        messages.error(
            request, _("This batch was marked posted: its printing cannot be undone. Nothing was changed.")
        )
    else:
        if undone:
            messages.success(
                request,
                _(
                    "Print batch %(batch)s is no longer marked printed. Throw away the pages already "
                    "printed, download the batch again and print it: any letter issued again since it was "
                    "marked has left it."
                )
                % {"batch": batch_id},
            )
        else:
            messages.info(request, _("This batch is not marked printed; nothing changed."))
    return redirect("backoffice:print")


@require_POST
@staff_required
def print_batch_posted(request: StaffRequest, batch_id: int) -> HttpResponse:
    """The batch was handed to the post now: each letter's dispatch is recorded at this time, and staff
    are told of each letter that went out as printed though a later version replaced it."""
    try:
        with _print_room_refusals():
            posted = letters.print_batch_mark_posted(batch_id=batch_id, actor=request.user, now=clock.now())
    except letters.PrintBatchAlreadyPosted:
        messages.info(request, _("This batch was marked posted before; nothing changed."))
    except letters.PrintBatchOutOfOrder:
        messages.error(
            request,
            _(
                "This batch was made at a later time than this server's clock says it is now, so it cannot "
                "be marked posted yet: nothing was changed. Try again in a moment."
            ),
        )
    else:
        messages.success(
            request, _("Marked posted: each letter of the batch is recorded as sent by post now.")
        )
        for row in posted.replaced:
            messages.warning(
                request,
                _(
                    "Case %(case)s: %(letter)s, version %(version)s, went out as printed, though "
                    "version %(new)s replaced it after the batch was printed; version %(new)s follows in "
                    "the next batch."
                )
                % {
                    "case": row.letter.case.number,
                    "letter": row.letter.letter_request.get_letter_type_display(),
                    "version": row.letter.version,
                    "new": row.replaced_by.version if row.replaced_by else "",
                },
            )
    return redirect("backoffice:print")
