"""The PDF summary report of a period: the figures and the charts, rendered with the letters' engine
(WeasyPrint, embedded fonts, PDF/A-3b), its SHA-256 recorded in the audit trail when handed out."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from audit.actions import REPORT_PDF_DOWNLOADED
from audit.services import audit_record
from letters.rendering import html_to_pdf
from reports.access import require_report_reader
from reports.charts import report_charts
from reports.rules import Period
from reports.selectors import report_figures


@dataclass(frozen=True, slots=True)
class ReportPdf:
    pdf_bytes: bytes
    sha256: str
    pages: int
    filename: str


def report_pdf_download(*, period: Period, actor, language: str, now: datetime) -> ReportPdf:
    """Render the summary report of ``period`` and record its SHA-256 (``report.pdf_downloaded``).

    :raises django.core.exceptions.PermissionDenied: ``actor`` may not read reports; nothing is rendered.
    """
    require_report_reader(actor)
    report = report_figures(period=period, now=now)
    with translation.override(language):
        html = render_to_string(
            "reports/report_pdf.html",
            {
                "report": report,
                "charts": report_charts(report, language=language),
                "generated_at": now,
                "actor": actor,
            },
        )
    pdf_bytes, pages = html_to_pdf(html)
    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    with transaction.atomic():
        audit_record(
            action=REPORT_PDF_DOWNLOADED,
            actor=actor,
            data={
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                "language": language,
                "sha256": sha256,
                "size": len(pdf_bytes),
                "pages": pages,
            },
            now=now,
        )
    filename = f"kartosfera-report-{period.first.isoformat()}-{period.last.isoformat()}.pdf"
    return ReportPdf(pdf_bytes=pdf_bytes, sha256=sha256, pages=pages, filename=filename)
