"""Card products and their maximum daily limits."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from cards.models._base import MAXIMUM_LIMIT_FIELDS, limits_not_negative
from deadlines.rules import Scheme
from kartosfera.models import choice_check, pln_amount


class CardProduct(models.Model):
    """A card the bank offers, with the highest daily limits a card of it can have."""

    class Kind(models.TextChoices):
        DEBIT = "DEBIT", _("Debit")
        CREDIT = "CREDIT", _("Credit")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    brand = models.CharField(_("brand"), max_length=16, choices=Scheme.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    contactless_capable = models.BooleanField(_("contactless capable"), default=True)
    max_daily_cash_limit = pln_amount(_("maximum daily cash (ATM) limit"))
    max_daily_pos_limit = pln_amount(_("maximum daily cashless (POS) limit"))
    max_daily_internet_limit = pln_amount(_("maximum daily internet limit"))

    class Meta:
        verbose_name = _("card product")
        verbose_name_plural = _("card products")
        ordering = ["name"]
        constraints = [
            choice_check("brand", Scheme, name="cardproduct_brand_valid"),
            choice_check("kind", ["DEBIT", "CREDIT"], name="cardproduct_kind_valid"),
            limits_not_negative(
                MAXIMUM_LIMIT_FIELDS.values(), name="cardproduct_maximum_limits_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def maximum_limits(self) -> dict[str, Decimal]:
        """The product maxima keyed like ``Card.daily_limits``."""
        return {name: getattr(self, field) for name, field in MAXIMUM_LIMIT_FIELDS.items()}
