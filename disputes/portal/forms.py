"""The claim's questions, one per page: each form parses an answer; the workflow's services decide."""

from datetime import date, datetime
from typing import Any, TypedDict, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cards.forms import TYPE_CHOICES, no_card_number
from cards.models import Transaction
from customers.forms import PortalForm
from disputes.models import Cause, DeliveryChannel, EvidenceKind
from disputes.selectors import any_transaction_in_open_case
from disputes.services import TransactionAlreadyDisputed
from kartosfera import clock
from kartosfera.ids import parse_id
from kartosfera.legaltime import WARSAW
from kartosfera.widgets import DatePicker, TimePicker

YES, NO, UNKNOWN = "YES", "NO", "UNKNOWN"


class TransactionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:  # the template writes the row itself
        return obj.merchant_name

    def _check_values(self, value):
        # A number no row can have is refused here, before the database would overflow on it.
        for pk in value:
            try:
                parse_id(pk)
            except ValueError:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                ) from None
        return super()._check_values(value)


class TransactionsForm(PortalForm):
    transactions = TransactionChoiceField(
        label=_("Which transactions do you not recognise?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one transaction you do not recognise.")},
        help_text=_("Choose every payment or withdrawal you did not make yourself."),
    )
    # Identifies this start of a claim, so that going back and sending it again keeps one draft.
    draft_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, transactions: QuerySet[Transaction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(TransactionChoiceField, self.fields["transactions"]).queryset = transactions

    def clean_transactions(self):
        chosen = self.cleaned_data["transactions"]
        # The workflow's own refusal, said at once rather than only when the claim is sent.
        if any_transaction_in_open_case(transaction_ids=[transaction.pk for transaction in chosen]):
            raise ValidationError(TransactionAlreadyDisputed().message, code=TransactionAlreadyDisputed.code)
        return chosen


class TransactionFilters(TypedDict, total=False):
    """The keyword arguments of ``claimable_transactions`` that narrow the list."""

    channel: str | None
    executed_from: date | None
    executed_to: date | None


class TransactionFilterForm(PortalForm):
    """Narrows the claim's list of transactions; the choice made on other pages is kept."""

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DatePicker(),
        error_messages={"invalid": _("Enter the day as a date, e.g. 2026-11-21.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DatePicker(),
        error_messages={"invalid": _("Enter the day as a date, e.g. 2026-11-21.")},
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=[choice for choice in TYPE_CHOICES if choice[0] != "FOREIGN"], required=False
    )

    def selector_filters(self) -> TransactionFilters:
        """The keyword arguments of ``claimable_transactions`` for what was chosen (none when invalid)."""
        if not self.is_valid():
            return TransactionFilters()
        return {
            "channel": self.cleaned_data["type"] or None,
            "executed_from": self.cleaned_data["date_from"],
            "executed_to": self.cleaned_data["date_to"],
        }


class CauseForm(PortalForm):
    cause = forms.ChoiceField(
        label=_("What happened to the card?"),
        choices=Cause.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened to the card.")},
    )


class ReplyDeliveryForm(PortalForm):
    """How the bank's letters about the claim reach the customer: paper unless they ask for e-mail."""

    reply_delivery = forms.ChoiceField(
        label=_("How should we send you our letters about this claim, the reply among them?"),
        choices=[
            (DeliveryChannel.POST.value, _("On paper, by post to my postal address")),
            (DeliveryChannel.EMAIL.value, _("By e-mail, with the letter attached as a PDF file")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "The law gives you the bank's reply on paper unless you ask for e-mail. Whichever you "
            "choose, a copy of every letter is on this claim's page in the portal."
        ),
        error_messages={"required": _("Choose how we send you our letters.")},
    )


class NoticedForm(PortalForm):
    noticed_on = forms.DateField(
        label=_("On what day did you notice?"),
        widget=DatePicker(),
        error_messages={
            "required": _("Enter the day you noticed."),
            "invalid": _("Enter the day as a date, e.g. 2026-11-21."),
        },
    )
    noticed_time = forms.TimeField(
        label=_("At about what time? (optional)"),
        required=False,
        widget=TimePicker(),
        error_messages={"invalid": _("Enter the time as hours and minutes, e.g. 18:30.")},
    )

    def clean_noticed_on(self) -> date:
        # Said on this page, not only when the claim is sent from its last one (draft_problems' IN_FUTURE).
        noticed_on: date = self.cleaned_data["noticed_on"]
        if noticed_on > clock.today_warsaw():
            raise ValidationError(
                _("The day you noticed cannot be in the future. Enter the day you noticed.")
            )
        return noticed_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("noticed_on") is not None:
            # The moment in Warsaw time (midday when no time is given).
            moment = cleaned.get("noticed_time") or datetime.min.time().replace(hour=12)
            cleaned["noticed_at"] = datetime.combine(cleaned["noticed_on"], moment, tzinfo=WARSAW)
        return cleaned


def text_answer(label, help_text, *, required: bool = True, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        validators=[no_card_number],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please answer this question.")},
    )


class WhereaboutsForm(PortalForm):
    card_whereabouts = text_answer(
        _("Where was the card when the transactions were made?"),
        _("For example: in my wallet at home, I lost it on the tram, it was stolen with my bag."),
    )


class AccessForm(PortalForm):
    access_to_card_and_phone = text_answer(
        _("Who else could use the card or your phone?"),
        _("For example: nobody; my partner knows where I keep it. Never type your PIN."),
    )


class WalletForm(PortalForm):
    card_in_mobile_wallet = forms.ChoiceField(
        label=_("Was the card added to a mobile wallet (Apple Pay, Google Pay)?"),
        choices=[(YES, _("Yes")), (NO, _("No")), (UNKNOWN, _("I do not know"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )

    def clean_card_in_mobile_wallet(self) -> bool | None:
        """Yes or no; None for "I do not know"."""
        return {YES: True, NO: False}.get(self.cleaned_data["card_in_mobile_wallet"])


class PoliceForm(PortalForm):
    police_notified = forms.ChoiceField(
        label=_("Have you told the police?"),
        choices=[(YES, _("Yes")), (NO, _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )
    police_reference = forms.CharField(
        label=_("Police reference number (optional)"),
        help_text=_("If the police gave you a case number, e.g. RSD-1234/26."),
        required=False,
        max_length=64,
        validators=[no_card_number],
    )


class AccountForm(PortalForm):
    account = text_answer(
        _("Anything else we should know? (optional)"),
        _("In your own words. Never type your PIN or a full card number."),
        required=False,
    )


class EvidenceForm(PortalForm):
    file = forms.FileField(
        label=_("Document (PDF, JPEG or PNG)"),
        error_messages={"required": _("Choose a file to add.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
    )
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[
            (EvidenceKind.POLICE_REPORT, EvidenceKind.POLICE_REPORT.label),
            (EvidenceKind.CUSTOMER_DOCUMENT, _("Another document (e.g. a receipt or a statement)")),
        ],
        initial=EvidenceKind.CUSTOMER_DOCUMENT,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, max_length=200, validators=[no_card_number]
    )


class WithdrawForm(PortalForm):
    reason = text_answer(_("Why are you withdrawing the claim?"), _("For example: I recognised the payment."))


class RespondForm(PortalForm):
    response = text_answer(
        _("Your answer"),
        _("Answer the bank's questions. Never type your PIN or a full card number."),
        max_length=5000,
    )
