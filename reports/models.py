"""The auditors' exports: one ``ExportJob`` per file asked for, run by a Celery task (docs/REPORTS.md)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kartosfera.models import choice_check
from reports.exports.columns import ExportFormat, ExportKind


class ExportState(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    RUNNING = "RUNNING", _("Running")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")


UNFINISHED_STATES = (ExportState.QUEUED, ExportState.RUNNING)


class RequestedRun(models.Model):
    """A file or a check a person asked for, run by a Celery task: when it was asked for, started, ended."""

    if TYPE_CHECKING:  # each subclass declares its ``state`` (ExportState; the two columns differ in length)
        state: str

    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)


class ExportJob(RequestedRun):
    """An export of one kind and format over a period of Warsaw dates, and how its run went.

    Written only by ``reports.exports.services``. ``run_token`` names the run that may finish the job:
    a run that finds another token when it ends (a redelivered message ran meanwhile) discards its file.
    """

    Kind = ExportKind
    Format = ExportFormat
    State = ExportState

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("export"), max_length=16, choices=ExportKind.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"))
    state = models.CharField(
        _("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_done = models.PositiveBigIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveBigIntegerField(_("rows expected"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    run_token = models.CharField(_("run"), max_length=32, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-requested_at", "-id"]
        default_permissions = ("view",)
        # kartosfera.authz.READ_REPORTS: the reports, the exports and the audit verification.
        permissions = [("read_reports", _("Can read the bank-wide reports and exports"))]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="export_requester_idx")]
        constraints = [
            choice_check("kind", ExportKind, name="export_kind_valid"),
            choice_check("file_format", ExportFormat, name="export_format_valid"),
            choice_check("state", ExportState, name="export_state_valid"),
            models.CheckConstraint(
                condition=Q(from_date__lte=models.F("to_date")), name="export_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(state=ExportState.DONE)
                | (Q(size__isnull=False, finished_at__isnull=False) & ~Q(sha256="") & ~Q(file_name="")),
                name="export_done_has_file",
            ),
            # A double click, or the same request from two tabs, queues one export, not two.
            models.UniqueConstraint(
                fields=["requested_by", "kind", "file_format", "from_date", "to_date"],
                condition=Q(state__in=["QUEUED", "RUNNING"]),
                name="export_one_unfinished_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"export #{self.pk} {self.kind} {self.file_format} {self.from_date}..{self.to_date}"

    @property
    def percent(self) -> int | None:
        """Progress in whole per cent, None while the number of rows is not known yet."""
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)

    def download_name(self) -> str:
        """The file name offered to the browser, e.g. ``kartosfera-cases-2025-05-01-2025-05-31.xlsx``."""
        return (
            f"kartosfera-{self.kind.lower().replace('_', '-')}-{self.from_date.isoformat()}-"
            f"{self.to_date.isoformat()}.{self.file_format.lower()}"
        )


class AuditVerification(RequestedRun):
    """A check of the audit log's hash chain an auditor started from the browser, and its result.

    Written only by ``reports.verification``. ``result`` is the verification report
    (``ChainReport.to_dict()``); ``anchors`` the entry hashes recorded outside the database that the
    chain was checked against (sequence → hash), empty when none were given.
    """

    State = ExportState

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="audit_verifications",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ExportState.choices, default=ExportState.QUEUED
    )
    anchors = models.JSONField(_("anchors"), default=dict, blank=True)
    # Known when the run takes its snapshot (an estimate, all entries, until then); entries_verified
    # grows while it runs, written aside so the page sees it (``reports.progress``).
    entries_total = models.PositiveBigIntegerField(_("entries to check"), null=True, blank=True)
    entries_verified = models.PositiveBigIntegerField(_("entries verified"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit log verification")
        verbose_name_plural = _("audit log verifications")
        ordering = ["-requested_at", "-id"]
        default_permissions = ("view",)
        constraints = [
            choice_check("state", ExportState, name="auditverification_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=ExportState.DONE) | Q(result__isnull=False, finished_at__isnull=False),
                name="auditverification_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"audit verification #{self.pk} {self.state}"

    @property
    def ok(self) -> bool | None:
        return None if self.result is None else bool(self.result.get("ok"))

    @property
    def percent(self) -> int | None:
        """Entries verified of the entries to verify, in whole per cent (100 only when done); None
        before the run has counted them."""
        if self.state == ExportState.DONE:
            return 100
        if self.entries_total is None or self.state != ExportState.RUNNING:
            return None
        if self.entries_total == 0:
            return 99
        return min(99, self.entries_verified * 100 // self.entries_total)
