"""The bank's corrections of the business calendar (RULES.md section 1, `CAL-BD`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deadlines.calendar import OverrideKind
from kartosfera.models import choice_check


class CalendarOverride(models.Model):
    """One day on which the bank's calendar differs from the package: a closure or an extra open day.

    Written only through ``deadlines.services`` (the admin too), which refuses an override that would
    change nothing and tells the calendar-change hooks. Statutory deadlines (`KC-115`) ignore these.
    """

    class Kind(models.TextChoices):
        CLOSED = OverrideKind.CLOSED.value, _("Bank closed (not a business day)")
        OPEN = OverrideKind.OPEN.value, _("Bank open (a business day)")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        constraints = [
            choice_check("kind", OverrideKind, name="deadlines_calendaroverride_kind_valid"),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="deadlines_calendaroverride_reason_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.kind}: {self.reason}"


class CalendarVersion(models.Model):
    """A stamp that changes with every write to the bank's overrides, so a process can tell cheaply
    whether the calendar it holds is still the bank's.

    One row (id 1). Database triggers on ``CalendarOverride`` replace its token with a random one on
    every insert, update, delete (and, on PostgreSQL, truncate), in the writing transaction, whoever
    writes: the services, the admin, a migration, another process, a test's fixtures. A token never
    comes back, so a stamp read once can only match the overrides it was read with. The row may be
    missing (no override was ever written, or a test run emptied the table); that is a state too.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(_("token"), max_length=36)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="deadlines_calendarversion_one_row")
        ]

    def __str__(self) -> str:
        return self.token
