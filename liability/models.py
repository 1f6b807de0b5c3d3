"""NBP exchange rates and the date ranges the NBP has been asked about (RULES.md section 4)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liability.explain import SYNTHETIC_TABLE_PREFIX


class RateSource(models.TextChoices):
    """Where a stored rate comes from. Synthetic rates are demo data and are labelled as such."""

    NBP = "NBP", _("NBP API (table A)")
    FIXTURE = "FIXTURE", _("Fixture of published NBP rates")
    SYNTHETIC = "SYNTHETIC", _("SYNTHETIC (demo data, not an NBP rate)")


class NbpTableRow(models.Model):
    """What the NBP publishes for: a currency and the type of its table (A: the mid rates we use)."""

    currency = models.CharField(_("rate currency"), max_length=3)
    table_type = models.CharField(_("NBP table type"), max_length=1, default="A")

    class Meta:
        abstract = True


class ExchangeRate(NbpTableRow):
    """One NBP table A mid rate of one currency, as published for ``effective_date``.

    ``mid`` keeps the NBP's decimals exactly (4 for EUR). A synthetic rate's ``table_no`` is
    ``SYNTHETIC-<date>``, never an NBP-like number; the database refuses any other combination.
    """

    table_no = models.CharField(_("NBP table number"), max_length=32)
    effective_date = models.DateField(_("rate effective date"))
    mid = models.DecimalField(_("NBP mid rate"), max_digits=12, decimal_places=6)
    source = models.CharField(_("rate source"), max_length=16, choices=RateSource.choices)
    fetched_at = models.DateTimeField(_("rate stored at"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "table_type", "effective_date"], name="liability_rate_one_per_day"
            ),
            models.UniqueConstraint(
                fields=["currency", "table_type", "table_no"], name="liability_rate_table_no"
            ),
            models.CheckConstraint(condition=Q(mid__gt=0), name="liability_rate_mid_positive"),
            models.CheckConstraint(
                condition=(
                    Q(source=RateSource.SYNTHETIC, table_no__startswith=SYNTHETIC_TABLE_PREFIX)
                    | (~Q(source=RateSource.SYNTHETIC) & ~Q(table_no__startswith=SYNTHETIC_TABLE_PREFIX))
                ),
                name="liability_rate_synthetic_labelled",
            ),
        ]

    def __str__(self) -> str:
        label = " SYNTHETIC" if self.is_synthetic else ""
        return f"{self.currency} {self.effective_date} {self.mid} ({self.table_no}){label}"

    @property
    def is_synthetic(self) -> bool:
        """True for demo data that is not an NBP rate."""
        return self.source == RateSource.SYNTHETIC


class RateCoverage(NbpTableRow):
    """A date range for which every table A of a currency is stored: days in it without a rate had no table.

    This is what lets "the last table before D" be answered from storage: a day with no stored rate
    inside a covered range was a weekend or a holiday, not a day nobody asked about. Only days whose
    tables are final are covered (never today before today's table is out).
    """

    start_on = models.DateField(_("covered from"))
    end_on = models.DateField(_("covered to"))
    source = models.CharField(_("rate source"), max_length=16, choices=RateSource.choices)
    recorded_at = models.DateTimeField(_("coverage recorded at"))

    class Meta:
        verbose_name = _("exchange rate coverage range")
        verbose_name_plural = _("exchange rate coverage ranges")
        ordering = ["currency", "start_on"]
        indexes = [models.Index(fields=["currency", "table_type", "end_on"], name="liability_cov_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__lte=models.F("end_on")), name="liability_cov_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.start_on}–{self.end_on} ({self.source})"


class RateAbsence(NbpTableRow):
    """A publication day an NBP range answer lacked: not yet taken as "no table that day".

    An answer can lack a business day's table by accident (a late publication, a cache in between);
    covering the day would make it use the previous table forever. So the day stays unknown, and is
    asked again, until a second answer at least ``NBP_ABSENCE_CONFIRM_HOURS`` after the first lacks
    it too (``confirmed_at``); only then is it covered. A rate stored for the day removes the row.
    """

    day = models.DateField(_("day without a table in the answer"))
    first_seen_at = models.DateTimeField(_("first answer without it at"))
    last_seen_at = models.DateTimeField(_("last answer without it at"))
    answers = models.PositiveIntegerField(_("answers without it"), default=1)
    confirmed_at = models.DateTimeField(_("confirmed as a day without a table at"), null=True, blank=True)

    class Meta:
        verbose_name = _("day missing from an NBP answer")
        verbose_name_plural = _("days missing from NBP answers")
        ordering = ["currency", "-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "table_type", "day"], name="liability_absence_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(last_seen_at__gte=models.F("first_seen_at")),
                name="liability_absence_seen_ordered",
            ),
        ]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else f"seen {self.answers}x"
        return f"{self.currency} {self.day} missing from NBP answers ({state})"
