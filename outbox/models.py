"""A task a committed transaction asked for, kept until a worker has run it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kartosfera.models import pending_index


class OutboxOutcome(models.TextChoices):
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")


class OutboxMessage(models.Model):
    """One task with its keyword arguments, written in the transaction that asked for it.

    ``published_at``: when a message that runs it last reached the broker (empty: not yet);
    ``finished_at`` and ``outcome``: when a worker ran it to the end, and how.
    """

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publish_attempts = models.PositiveIntegerField(_("publish attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=OutboxOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweep reads only the unfinished messages.
            pending_index("created_at", until="finished_at", name="outbox_unfinished_idx"),
            # The purge reads only the finished ones, oldest first.
            models.Index(
                fields=["finished_at"], name="outbox_finished_idx", condition=Q(finished_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True, outcome="")
                | Q(finished_at__isnull=False, outcome__in=OutboxOutcome.values),
                name="outbox_outcome_with_finish",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

    @property
    def celery_task_id(self) -> str:
        """The Celery task id of every message that runs it (a re-publication and a retry keep it)."""
        return f"{TASK_ID_PREFIX}{self.pk}"


TASK_ID_PREFIX = "outbox-"
