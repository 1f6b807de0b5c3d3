"""People who sign in, and the bank's customers who hold cards."""

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from customers.rules import RuleError, normalise_mobile, parse_bank_id, parse_pesel
from kartosfera import clock
from kartosfera.models import choice_check, optional_link, unique_when_set


def new_security_stamp() -> str:
    """A fresh random security stamp (32 hex digits)."""
    return secrets.token_hex(16)


class User(AbstractUser):
    """A sign-in identity. Customers are linked to one through ``Customer.user``; staff use it alone.

    A project-owned user model from the first migration, so that sign-in by PESEL or bank id and
    staff second factors can be added without migrating ``auth.User``.
    """

    # Part of the session hash: a new stamp signs every other session out (after a password or phone
    # change, see customers.services). Django checks the hash on every request.
    security_stamp = models.CharField(
        _("security stamp"), max_length=32, default=new_security_stamp, editable=False
    )

    class Meta:
        db_table = "customers_user"

    def rotate_security_stamp(self) -> None:
        """Invalidate every session of this user (the caller keeps its own with update_session_auth_hash)."""
        self.security_stamp = new_security_stamp()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        return salted_hmac(
            "customers.models.User.get_session_auth_hash",
            f"{self.password}\x00{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


def user_link(
    verbose_name: StrOrPromise, *, help_text: StrOrPromise = "", related_name: str = "+"
) -> "models.ForeignKey[User | None, User | None]":
    """An optional link to the user who did something (acted, uploaded, decided, posted).

    ``PROTECT``: a user who did something stays; ``"+"``: by default the user gets no reverse accessor.
    Typed here once: django-stubs types only a field declared in a model's body.
    """
    return optional_link(
        settings.AUTH_USER_MODEL, verbose_name, related_name=related_name, help_text=help_text
    )


def rule_error_to_validation_error(error: RuleError) -> ValidationError:
    """A pure rule's error as a Django ValidationError with its code and translated message."""
    return ValidationError(_(error.message), code=error.code, params=error.params or None)


class Customer(models.Model):
    """A holder of the bank's cards, identified by PESEL or, without one, by a bank-assigned number."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "INDIVIDUAL", _("Individual")
        BUSINESS = "BUSINESS", _("Business")

    class Language(models.TextChoices):
        POLISH = "pl", _("Polish")
        ENGLISH = "en", _("English")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    pesel = unique_when_set(
        _("PESEL"),
        max_length=11,
        help_text=_("11 digits. Leave empty for a customer without a PESEL (non-resident)."),
    )
    bank_id = unique_when_set(
        _("bank identification number"),
        max_length=8,
        help_text=_("8 digits assigned by the bank to a customer without a PESEL."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    company_name = models.CharField(
        _("company name"), max_length=200, blank=True, help_text=_("Required for business customers.")
    )
    birth_date = models.DateField(
        _("date of birth"), blank=True, help_text=_("Taken from the PESEL when left empty.")
    )
    mobile_phone = models.CharField(
        _("mobile phone"),
        max_length=16,
        help_text=_("The number the bank holds for text-message codes, e.g. +48 601 234 567."),
    )
    email = models.EmailField(_("email address"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.POLISH
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        help_text=_("Set when the customer registers for the portal."),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pesel__isnull=False) | Q(bank_id__isnull=False),
                name="customer_has_pesel_or_bank_id",
                violation_error_message=_("A customer needs a PESEL or a bank identification number."),
            ),
            models.CheckConstraint(
                condition=Q(pesel__isnull=True) | Q(pesel__regex=r"^[0-9]{11}$"),
                name="customer_pesel_is_11_digits",
            ),
            models.CheckConstraint(
                condition=Q(bank_id__isnull=True) | Q(bank_id__regex=r"^[0-9]{8}$"),
                name="customer_bank_id_is_8_digits",
            ),
            models.CheckConstraint(
                condition=Q(mobile_phone__regex=r"^\+[1-9][0-9]{7,14}$"),
                name="customer_mobile_phone_is_e164",
            ),
            choice_check("kind", ["INDIVIDUAL", "BUSINESS"], name="customer_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind="BUSINESS") | ~Q(company_name=""),
                name="customer_business_has_company_name",
                violation_error_message=_("A business customer needs a company name."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_individual(self) -> bool:
        """Whether card limits are the customer's to set (RULES.md section 6: individuals only)."""
        return self.kind == self.Kind.INDIVIDUAL

    def clean(self) -> None:
        """Validate identity and contact details with the pure rules (forms and admin call this)."""
        self.validate_identity(today=clock.today_warsaw())

    def validate_identity(self, *, today: date) -> None:
        """Check PESEL, bank id, date of birth and mobile number; normalise them in place.

        :raises ValidationError: per field, with the rule's code and a translated message.
        """
        errors: dict[str, ValidationError] = {}
        if self.pesel:
            try:
                pesel = parse_pesel(self.pesel, today=today)
            except RuleError as error:
                errors["pesel"] = rule_error_to_validation_error(error)
            else:
                self.pesel = pesel.number
                if self.birth_date is None:
                    self.birth_date = pesel.birth_date
                elif self.birth_date != pesel.birth_date:
                    errors["birth_date"] = ValidationError(
                        _("The date of birth differs from the one in the PESEL (%(pesel_birth_date)s)."),
                        code="birth_date_differs_from_pesel",
                        params={"pesel_birth_date": pesel.birth_date.isoformat()},
                    )
        else:
            self.pesel = None
        if self.bank_id:
            try:
                self.bank_id = parse_bank_id(self.bank_id)
            except RuleError as error:
                errors["bank_id"] = rule_error_to_validation_error(error)
        else:
            self.bank_id = None
        if not self.pesel and not self.bank_id and "pesel" not in errors and "bank_id" not in errors:
            errors["bank_id"] = ValidationError(
                _("A customer without a PESEL needs a bank identification number."),
                code="identifier_required",
            )
        if self.birth_date is None and "birth_date" not in errors and "pesel" not in errors:
            errors["birth_date"] = ValidationError(_("Enter the date of birth."), code="required")
        elif self.birth_date is not None and self.birth_date > today:
            errors["birth_date"] = ValidationError(
                _("The date of birth cannot be in the future."), code="birth_date_future"
            )
        if self.mobile_phone:
            try:
                self.mobile_phone = normalise_mobile(self.mobile_phone)
            except RuleError as error:
                errors["mobile_phone"] = rule_error_to_validation_error(error)
        if self.kind == self.Kind.BUSINESS and not self.company_name.strip():
            errors["company_name"] = ValidationError(
                _("A business customer needs a company name."), code="company_name_required"
            )
        if errors:
            raise ValidationError(errors)
