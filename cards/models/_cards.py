"""Cards: last four digits and the processor token, status, cancellation, controls and limits."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from cards.models._base import (
    DAILY_LIMIT_FIELDS,
    ProtectedStateModel,
    choice_values,
    four_digits,
    limits_not_negative,
    not_pan_like,
    outside_reference,
)
from cards.models._products import CardProduct
from cards.rules import CancellationReason, is_expiry_date, limits_above_maximum, masked_card_number
from customers.models import Customer
from deadlines.rules import Scheme
from kartosfera import clock
from kartosfera.legaltime import require_aware
from kartosfera.models import choice_check, optional_link, pln_amount


class CardStatus(models.TextChoices):
    INACTIVE = "INACTIVE", _("Not activated")
    ACTIVE = "ACTIVE", _("Active")
    BLOCKED = "BLOCKED", _("Temporarily blocked")
    CANCELLED = "CANCELLED", _("Cancelled")
    EXPIRED = "EXPIRED", _("Expired")


class Card(ProtectedStateModel):
    """A payment card of a customer. Holds the last four digits and the processor's token, never the PAN.

    Status changes go through the transition methods, called only from services (inside
    ``transaction.atomic()`` after ``select_for_update()``), which also write a ``CardEvent``.
    """

    Status = CardStatus
    CancellationReason = CancellationReason

    # Cancellation for these reasons is the report of loss or theft that liability runs from
    # (RULES.md sections 3 and 6, UUP art. 46).
    LOSS_OR_THEFT_REASONS = frozenset({CancellationReason.LOST, CancellationReason.STOLEN})
    LIVE_STATUSES = (CardStatus.INACTIVE, CardStatus.ACTIVE, CardStatus.BLOCKED)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cards"
    )
    product = models.ForeignKey(
        CardProduct, verbose_name=_("product"), on_delete=models.PROTECT, related_name="cards"
    )
    brand = models.CharField(_("brand"), max_length=16, choices=Scheme.choices)
    last4 = models.CharField(_("last four digits"), max_length=4)
    processor_token = outside_reference(
        _("processor token"),
        help_text=_("The card processor's opaque reference to the card; never a card number."),
    )
    expires_on = models.DateField(_("expires on"), help_text=_("The last day of the expiry month."))
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INACTIVE, protected=True
    )
    cancelled_at = models.DateTimeField(
        _("cancelled at"),
        null=True,
        blank=True,
        help_text=_("When the cancellation was reported, to the second."),
    )
    cancellation_reason = models.CharField(
        _("cancellation reason"), max_length=16, choices=CancellationReason.choices, blank=True
    )
    three_ds_enabled = models.BooleanField(_("3-D Secure"), default=True)
    contactless_enabled = models.BooleanField(_("contactless payments"), default=True)
    internet_enabled = models.BooleanField(_("internet payments"), default=True)
    foreign_enabled = models.BooleanField(_("payments abroad"), default=True)
    atm_enabled = models.BooleanField(_("ATM withdrawals"), default=True)
    mobile_payments_enabled = models.BooleanField(_("mobile payments"), default=True)
    daily_cash_limit = pln_amount(_("daily cash (ATM) limit"))
    daily_pos_limit = pln_amount(_("daily cashless (POS) limit"))
    daily_internet_limit = pln_amount(_("daily internet limit"))
    replaces = optional_link(
        "self",
        _("replaces card"),
        related_name="replacement",
        help_text=_("The cancelled card this one was ordered to replace (at most one replacement each)."),
        one_to_one=True,
    )
    created_at = models.DateTimeField(_("issued at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [models.Index(fields=["customer", "status"], name="card_customer_status_idx")]
        constraints = [
            four_digits("last4", "card"),
            not_pan_like("processor_token", "card"),
            models.CheckConstraint(condition=~Q(processor_token=""), name="card_processor_token_present"),
            choice_check("brand", Scheme, name="card_brand_valid"),
            choice_check("status", CardStatus, name="card_status_valid"),
            models.CheckConstraint(
                condition=Q(cancellation_reason="")
                | Q(cancellation_reason__in=choice_values(CancellationReason)),
                name="card_cancellation_reason_valid",
            ),
            # A cancelled card always says when and why; no other card does.
            models.CheckConstraint(
                condition=(Q(status="CANCELLED", cancelled_at__isnull=False) & ~Q(cancellation_reason=""))
                | (~Q(status="CANCELLED") & Q(cancelled_at__isnull=True, cancellation_reason="")),
                name="card_cancellation_recorded_iff_cancelled",
            ),
            limits_not_negative(DAILY_LIMIT_FIELDS.values(), name="card_daily_limits_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_brand_display()} {self.masked}"

    @property
    def masked(self) -> str:
        """The card number as shown to anyone: ``•••• 1234``."""
        return masked_card_number(self.last4)

    @property
    def daily_limits(self) -> dict[str, Decimal]:
        """The card's daily limits keyed like ``CardProduct.maximum_limits``."""
        return {name: getattr(self, field) for name, field in DAILY_LIMIT_FIELDS.items()}

    @property
    def is_reported_lost_or_stolen(self) -> bool:
        """Whether the cancellation is a report of loss or theft (the liability report time)."""
        return self.status == self.Status.CANCELLED and self.cancellation_reason in self.LOSS_OR_THEFT_REASONS

    def clean(self) -> None:
        """Validate what the database cannot: brand and limits against the product, the expiry day."""
        errors: dict[str, ValidationError] = {}
        if self.product_id is not None:
            if self.brand and self.brand != self.product.brand:
                errors["brand"] = ValidationError(
                    _("The brand must be the product's brand (%(brand)s)."),
                    code="brand_differs_from_product",
                    params={"brand": self.product.get_brand_display()},
                )
            if all(self.daily_limits[name] is not None for name in DAILY_LIMIT_FIELDS):
                for name in limits_above_maximum(
                    limits=self.daily_limits, maxima=self.product.maximum_limits
                ):
                    errors[DAILY_LIMIT_FIELDS[name]] = ValidationError(
                        _("The limit cannot be above the product maximum of %(maximum)s PLN."),
                        code="limit_above_product_maximum",
                        params={"maximum": self.product.maximum_limits[name]},
                    )
        if self.expires_on is not None and not is_expiry_date(self.expires_on):
            errors["expires_on"] = ValidationError(
                _("A card expires on the last day of a month."), code="expiry_not_month_end"
            )
        if errors:
            raise ValidationError(errors)

    # Transitions: services call these inside atomic() after select_for_update() and write the
    # CardEvent. They only change this row.

    @transition(field=status, source=Status.INACTIVE, target=Status.ACTIVE)
    def activate(self) -> None:
        """The customer activated a new card."""

    @transition(field=status, source=Status.ACTIVE, target=Status.BLOCKED)
    def block(self) -> None:
        """Temporary block, reversible by the customer."""

    @transition(field=status, source=Status.BLOCKED, target=Status.ACTIVE)
    def unblock(self) -> None:
        """Lift a temporary block."""

    @transition(field=status, source=list(LIVE_STATUSES), target=Status.CANCELLED)
    def cancel(self, *, reason: str, reported_at: datetime) -> None:
        """Cancel for good (zastrzeżenie); ``reported_at`` is the report time, kept to the second."""
        reason = self.CancellationReason(reason)
        # The report time is told to the customer to the second; cutting the fraction keeps what is
        # stored equal to what is shown, and moves the report earlier, never later, for liability.
        reported_at = require_aware(reported_at, name="reported_at").replace(microsecond=0)
        self.cancellation_reason = reason
        self.cancelled_at = reported_at

    @transition(field=status, source=list(LIVE_STATUSES), target=Status.EXPIRED)
    def expire(self) -> None:
        """The card passed its expiry date."""
