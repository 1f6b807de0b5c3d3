"""Pages of the exports: ask for one, follow its progress, download the finished file.

Report readers only (``reports_required``: auditors, supervisors, administrators past the second
factor); each view makes one service or selector call.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from customers.models import User
from kartosfera import clock
from kartosfera.refusals import add_refusal
from reports.access import reports_required
from reports.export_forms import ExportRequestForm
from reports.exports.selectors import export_job_get, export_jobs_visible
from reports.exports.services import ExportNotReady, ExportRequestInvalid, export_download, export_request
from reports.models import ExportJob

# How often a page showing a running export reloads itself (a meta refresh: no JavaScript needed).
REFRESH_SECONDS = 3


@require_http_methods(["GET", "POST"])
@reports_required
def exports(request: HttpRequest) -> HttpResponse:
    """The form asking for an export, and the exports asked for (mine or everyone's), newest first."""
    today = clock.today_warsaw()
    # The month so far: both ends filled in, so the form can be sent as it is.
    form = ExportRequestForm(
        request.POST or None, initial={"from_date": today.replace(day=1), "to_date": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = export_request(actor=request.user, now=clock.now(), **form.cleaned_data)
        except ExportRequestInvalid as error:
            add_refusal(form, error)
        else:
            if not result.created:
                messages.info(request, _("This export was already asked for and is still being prepared."))
            return redirect("reports:export_detail", job_id=result.job.pk)
    # reports_required lets in a signed-in user only: an anonymous one never reaches this page.
    mine = request.GET.get("mine") == "1"
    reader = request.user if mine and isinstance(request.user, User) else None
    page = Paginator(export_jobs_visible(mine_only_for=reader), 25).get_page(request.GET.get("page"))
    running = any(not job.finished for job in page.object_list)
    status = 400 if form.errors else 200
    return render(
        request,
        "reports/exports.html",
        {"form": form, "page": page, "mine": mine, "refresh": REFRESH_SECONDS if running else None},
        status=status,
    )


def _job(job_id: int) -> ExportJob:
    try:
        return export_job_get(job_id=job_id)
    except ExportJob.DoesNotExist:
        raise Http404("no such export") from None


@require_GET
@reports_required
def export_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """One export: its progress while it runs (the page reloads itself), then its file and checksum."""
    job = _job(job_id)
    refresh = None if job.finished else REFRESH_SECONDS
    return render(request, "reports/exports_detail.html", {"job": job, "refresh": refresh})


@require_GET
@reports_required
def export_progress(request: HttpRequest, job_id: int) -> JsonResponse:
    """The export's progress as JSON (for a script that polls instead of reloading the page)."""
    job = _job(job_id)
    return JsonResponse(
        {
            "id": job.pk,
            "state": job.state,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "percent": job.percent,
            "finished": job.finished,
            "sha256": job.sha256 or None,
        }
    )


@require_GET
@reports_required
def export_file(request: HttpRequest, job_id: int) -> HttpResponse | FileResponse:
    """The finished file, as an attachment; audited. A job not done (or unknown) has nothing to give."""
    try:
        exported = export_download(actor=request.user, job_id=job_id, now=clock.now())
    except ExportJob.DoesNotExist:
        raise Http404("no such export") from None
    except ExportNotReady:
        messages.error(request, _("This export has no file to download: it is not finished, or it failed."))
        return redirect("reports:export_detail", job_id=job_id)
    response = FileResponse(
        open(exported.path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=exported.download_name,
        content_type=exported.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response
