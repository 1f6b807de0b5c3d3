"""Pages of the audit log's verification: start one, follow it, read and download its report.

Report readers only (auditors, supervisors, administrators past the second factor); each view makes
one service or selector call.
"""

import re

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from kartosfera import clock
from reports.access import reports_required
from reports.models import AuditVerification
from reports.verification import (
    audit_verification_get,
    audit_verification_report,
    audit_verification_request,
    audit_verifications,
)

REFRESH_SECONDS = 3
_ANCHOR = re.compile(r"(?P<sequence>[1-9][0-9]{0,17}):(?P<hash>[0-9a-f]{64})")


class VerificationForm(forms.Form):
    anchors = forms.CharField(
        label=_("Anchors (optional)"),
        required=False,
        max_length=20_000,
        help_text=_(
            "Entry hashes recorded outside the database, one a line as SEQUENCE:SHA256, e.g. "
            "1024:9f86d081…; the chain is checked against each."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def clean_anchors(self) -> dict[int, str]:
        anchors = {}
        for number, line in enumerate(self.cleaned_data["anchors"].splitlines(), start=1):
            if not line.strip():
                continue
            match = _ANCHOR.fullmatch(line.strip().lower())
            if match is None:
                raise forms.ValidationError(
                    _("Line %(line)d is not SEQUENCE:SHA256 (a number, a colon, 64 hexadecimal digits)."),
                    params={"line": number},
                )
            anchors[int(match["sequence"])] = match["hash"]
        return anchors


@require_http_methods(["GET", "POST"])
@reports_required
def verifications(request: HttpRequest) -> HttpResponse:
    """Start a verification of the audit log; the ones started so far."""
    form = VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verification = audit_verification_request(
            actor=request.user, anchors=form.cleaned_data["anchors"], now=clock.now()
        )
        return redirect("reports:audit_verification", verification_id=verification.pk)
    rows = list(audit_verifications(user=request.user)[:25])
    running = any(not row.finished for row in rows)
    return render(
        request,
        "reports/audit_verifications.html",
        {"form": form, "rows": rows, "refresh": REFRESH_SECONDS if running else None},
        status=400 if form.errors else 200,
    )


@require_GET
@reports_required
def verification_detail(request: HttpRequest, verification_id: int) -> HttpResponse:
    try:
        verification = audit_verification_get(user=request.user, verification_id=verification_id)
    except AuditVerification.DoesNotExist:
        raise Http404("no such verification") from None
    return render(
        request,
        "reports/audit_verification.html",
        {"v": verification, "refresh": None if verification.finished else REFRESH_SECONDS},
    )


@require_GET
@reports_required
def verification_report(request: HttpRequest, verification_id: int) -> HttpResponse:
    try:
        document = audit_verification_report(user=request.user, verification_id=verification_id)
    except AuditVerification.DoesNotExist:
        raise Http404("no such finished verification") from None
    response = HttpResponse(document, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-verification-{verification_id}.json"'
    return response
