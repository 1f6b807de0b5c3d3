"""The auditors' report pages: the figures of a period, the cases behind a figure, the PDF, the replay.

Read-only, for auditors, supervisors and administrators (``reports.access.reports_required``); each
view parses the period, makes one selector or service call and renders.
"""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from disputes.models import Case
from kartosfera import clock
from kartosfera.formatting import language_code
from reports.access import reports_required
from reports.charts import report_charts
from reports.pdf import report_pdf_download
from reports.period_form import PeriodForm, period_form
from reports.selectors import UnknownFigure, case_replay_page, figure_cases, report_figures


def _period_query(form) -> str:
    return f"from={form.period.first.isoformat()}&to={form.period.last.isoformat()}"


def _period_page(
    view: Callable[[HttpRequest, PeriodForm], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The view gets the valid period of the query (of the form sent, for a POST); a period that is not
    valid answers 400 with the report page showing what is wrong."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        data = request.POST if request.method == "POST" else request.GET
        form = period_form(data, today=clock.today_warsaw())
        if not form.is_valid():
            return render(request, "reports/report.html", {"form": form}, status=400)
        return view(request, form)

    return wrapper


@require_GET
@reports_required
@_period_page
def report(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    now = clock.now()
    figures = report_figures(period=form.period, now=now)
    context = {
        "form": form,
        "report": figures,
        "charts": report_charts(figures, language=language_code(get_language())),
        "query": _period_query(form),
    }
    return render(request, "reports/report.html", context)


@require_GET
@reports_required
@_period_page
def cases(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    try:
        found = figure_cases(
            period=form.period,
            key=request.GET.get("figure", ""),
            now=clock.now(),
            page_number=request.GET.get("page"),
        )
    except UnknownFigure:
        raise Http404("no such figure") from None
    context = {"form": form, "found": found, "query": _period_query(form)}
    return render(request, "reports/report_cases.html", context)


@require_POST
@reports_required
@_period_page
def pdf(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    document = report_pdf_download(
        period=form.period, actor=request.user, language=language_code(get_language()), now=clock.now()
    )
    response = HttpResponse(document.pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-SHA256"] = document.sha256
    return response


@require_GET
@reports_required
def replay(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        page = case_replay_page(case_id=case_id)
    except Case.DoesNotExist:
        raise Http404("no such case") from None
    return render(request, "reports/report_replay.html", {"replay": page})
