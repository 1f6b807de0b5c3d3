"""The back office's page of postings to the core banking system and the reconciliation's open differences."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from corebanking.selectors import differences_open, postings_latest
from disputes.backoffice.access import staff_required


@require_GET
@staff_required
def postings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/postings.html",
        {"postings": list(postings_latest()), "differences": list(differences_open()[:200])},
    )
