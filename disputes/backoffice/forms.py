"""Forms of the back office: each asks for exactly what its step needs."""

from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from django import forms
from django.utils import formats
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from cards.forms import no_card_number
from cards.models import Scheme
from disputes.backoffice.search_rules import MAX_QUERY
from disputes.backoffice.services import ON_BEHALF_CHANNELS
from disputes.models import CASE_CHANNELS, TEXT_LIMIT, CaseState, Cause, EvidenceKind, ProposalKind
from disputes.portal.forms import TransactionChoiceField
from disputes.services import TransactionAlreadyDisputed
from kartosfera.fields import amount_field
from kartosfera.ids import MAX_ID, parse_id
from kartosfera.vocabulary import subset_choices
from kartosfera.widgets import DatePicker

STAFF_CHANNELS = subset_choices(ON_BEHALF_CHANNELS)


class SignInForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=128, widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *CaseState.choices])
    due_within_days = forms.IntegerField(
        label=_("Deadline within (days)"), required=False, min_value=0, max_value=3660
    )
    # Written the Polish way (1 000,50) or the English way (1,000.50), as on the portal's limits.
    amount_min = amount_field(_("Amount from"), required=False)
    amount_max = amount_field(_("Amount to"), required=False)
    brand = forms.ChoiceField(label=_("Card brand"), required=False, choices=[("", "—"), *Scheme.choices])
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", "—"), *subset_choices(CASE_CHANNELS)]
    )
    cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[("", "—"), *Cause.choices])
    assignee = forms.IntegerField(
        label=_("Assignee"), required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            # Said, and this bound left out, rather than an empty queue that looks like no cases.
            self.add_error("amount_max", _("It is below the “Amount from”, so no case could match."))
        return data


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY,
        help_text=_(
            "Case number, PESEL or bank id, phone, name, card's last four digits, amount or merchant."
        ),
        widget=forms.SearchInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assignee"), min_value=1, max_value=MAX_ID)


class BulkAssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assignee"), min_value=1, max_value=MAX_ID)
    cases = forms.TypedMultipleChoiceField(coerce=parse_id, choices=[], label=_("Cases"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the service refuses what may not be assigned, case by case.
        self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases")] if self.data else []


def text_field(label, *, required: bool = True, rows: int = 3, limit: int = TEXT_LIMIT, **kwargs):
    """A free-text field with the length limit its model column holds."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class ReasonForm(forms.Form):
    reason = text_field(_("Reason"))


class WithholdForm(forms.Form):
    reason = text_field(
        _("Grounds to suspect fraud by the customer"),
        help_text=_(
            "The refund may be withheld only with justified, documented grounds to suspect the customer's "
            "fraud and a written notice to law enforcement (UUP-46-1-FRAUD). Add the notice first, as "
            'evidence of the kind "Notice to law enforcement", under "Internal note and evidence".'
        ),
    )
    authority = forms.CharField(
        label=_("Law-enforcement authority notified"),
        max_length=200,
        help_text=_("As the letter to the customer names it, e.g. Prokuratura Rejonowa Poznań-Stare Miasto."),
    )
    notified_on = forms.DateField(label=_("Date of the written notice"), widget=DatePicker())
    notice_reference = forms.CharField(
        label=_("Reference of the notice"),
        max_length=64,
        help_text=_("The reference on the notice (or given by the authority), printed in the letter."),
    )


class OptionalReasonForm(forms.Form):
    reason = text_field(_("Reason"), required=False)


class QuestionsForm(forms.Form):
    questions = text_field(_("Questions to the customer"))


class ResponseForm(forms.Form):
    response = text_field(_("The customer's answer (taken by phone or in a branch)"), limit=5000)


class ExtendForm(forms.Form):
    reason = text_field(_("Reason for the delay"), rows=2)
    outstanding = text_field(_("What remains to be established"), rows=2)
    expected_reply_on = forms.DateField(label=_("Expected reply date"), widget=DatePicker())


class FindingsForm(forms.Form):
    intent = forms.BooleanField(label=_("The customer acted intentionally (fraud)"), required=False)
    gross_negligence = forms.BooleanField(
        label=_("Gross negligence (e.g. PIN kept with the card)"), required=False
    )
    undetectable = forms.BooleanField(
        label=_("Loss not detectable by the payer before the payment"), required=False
    )
    bank_staff = forms.BooleanField(label=_("Caused by bank staff or agents"), required=False)
    no_means_to_report = forms.BooleanField(
        label=_("The bank gave no means to report the loss"), required=False
    )
    note = text_field(_("Explanation"), required=False, rows=2)


class NoteForm(forms.Form):
    text = text_field(_("Internal note"), rows=2)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(choices=ProposalKind.choices, widget=forms.HiddenInput)
    reason = text_field(
        _("Reason"),
        required=False,
        help_text=_("Internal: for the approver and the audit trail, never sent."),
    )


class DecisionProposalForm(ProposalForm):
    customer_grounds = text_field(
        _("Factual grounds: the text the customer will read"),
        required=False,
        rows=5,
        help_text=_(
            "Printed verbatim in the decision letter, in the customer's language; required unless the "
            "claim is accepted in full. The approver previews the letter before approving."
        ),
    )


class ReturnProposalForm(forms.Form):
    note = text_field(_("Why it is returned"), required=False, rows=2)


class ClaimTargetForm(forms.Form):
    """Whose claim is registered, and about which card (from the lookup's links)."""

    customer = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    card = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class OnBehalfClaimForm(forms.Form):
    """A claim a customer makes by phone, in a branch or on the 828 line: the analyst ticks the
    customer's transactions on the chosen card as the customer would in the portal."""

    transactions = TransactionChoiceField(
        label=_("Which transactions does the customer not recognise?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one transaction the customer does not recognise.")},
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    received_at = forms.DateTimeField(
        label=_("Received at (time of the call or visit)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    account = text_field(_("The customer's account of the circumstances"), validators=[no_card_number])

    def __init__(self, *args, transactions, now, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(TransactionChoiceField, self.fields["transactions"]).queryset = transactions
        self.now = now

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > self.now:
            raise forms.ValidationError(
                _("The time of the call or visit cannot be later than now (%(now)s)."),
                code="received_at_future",
                params={"now": formats.date_format(localtime(self.now), "DATETIME_FORMAT")},
            )
        return received_at

    def clean_transactions(self):
        chosen = self.cleaned_data["transactions"]
        if any(transaction.in_open_case for transaction in chosen):
            raise forms.ValidationError(
                TransactionAlreadyDisputed().message, code=TransactionAlreadyDisputed.code
            )
        return chosen


# --- Chargebacks: each step's form (the case page renders them with ids unique per chargeback). ---

CHARGEBACK_TEXT_MAX = 2000


class IdsField(forms.Field):
    """The ids of the boxes ticked (e.g. the case's documents to send), each a valid row id."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: object) -> list[int]:
        try:
            return [parse_id(item) for item in value] if isinstance(value, Iterable) else []
        except ValueError:
            raise forms.ValidationError(_("Choose from the list."), code="invalid_choice") from None


class ChargebackFileForm(forms.Form):
    acquirer_reference = forms.CharField(label=_("Acquirer reference (ARN)"), max_length=64)
    reason_code = forms.CharField(label=_("Reason code"), max_length=8, required=False)
    amount = amount_field(_("Amount to charge back (PLN)"), required=False, min_value=Decimal("0.01"))
    evidence = IdsField(label=_("Documents to send"), required=False)


class ChargebackRepresentmentForm(forms.Form):
    document = forms.FileField(label=_("The acquirer's document"), required=False)
    note = forms.CharField(
        label=_("What the acquirer says"),
        max_length=CHARGEBACK_TEXT_MAX,
        required=False,
        widget=forms.Textarea,
    )


class ChargebackEscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the bank disputes it"),
        max_length=CHARGEBACK_TEXT_MAX,
        required=False,
        widget=forms.Textarea,
    )
    evidence = IdsField(label=_("Documents to send"), required=False)


class ChargebackResultForm(forms.Form):
    won = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
    reason = forms.CharField(
        label=_("Reason"), max_length=CHARGEBACK_TEXT_MAX, required=False, widget=forms.Textarea
    )


class ChargebackAbandonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=CHARGEBACK_TEXT_MAX, widget=forms.Textarea)


class LetterReissueForm(forms.Form):
    """Issue an issued letter again as a new version: why, and the staff member's confirmation."""

    reason = text_field(
        _("Why is the letter issued again?"),
        help_text=_(
            "For example: the customer says it never arrived; the postal address changed. "
            "The reason is kept with the new version and in the audit log."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I confirm: issue a new version dated today and send it to the customer."),
        error_messages={"required": _("Tick the box to confirm the new version.")},
    )
