"""Forms of the back office: each asks for exactly what its step needs."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cards.models import Brand
from disputes.models import CaseState, Cause, Channel, EvidenceKind, ProposalKind
from kartosfera.ids import MAX_ID, parse_id

# Amount filters as money is stored: 12 digits, 2 after the point.
AMOUNT_DIGITS = 12

STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.PHONE, Channel.BRANCH, Channel.LINE_828)]


class SignInForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


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
    amount_min = forms.DecimalField(
        label=_("Amount from"), required=False, min_value=0, max_digits=AMOUNT_DIGITS, decimal_places=2
    )
    amount_max = forms.DecimalField(
        label=_("Amount to"), required=False, min_value=0, max_digits=AMOUNT_DIGITS, decimal_places=2
    )
    brand = forms.ChoiceField(label=_("Card brand"), required=False, choices=[("", "—"), *Brand.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", "—"), *Channel.choices])
    cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[("", "—"), *Cause.choices])
    assignee = forms.IntegerField(
        label=_("Assignee"), required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assignee"), min_value=1, max_value=MAX_ID)


class BulkAssignForm(forms.Form):
    assignee = forms.IntegerField(label=_("Assignee"), min_value=1, max_value=MAX_ID)
    cases = forms.TypedMultipleChoiceField(coerce=parse_id, choices=[], label=_("Cases"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the service refuses what may not be assigned, case by case.
        self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases")] if self.data else []


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class QuestionsForm(forms.Form):
    questions = forms.CharField(
        label=_("Questions to the customer"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("The customer's answer (taken by phone or in a branch)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the delay"), widget=forms.Textarea(attrs={"rows": 2}))
    outstanding = forms.CharField(
        label=_("What remains to be established"), widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_reply_on = forms.DateField(
        label=_("Expected reply date"), widget=forms.DateInput(attrs={"type": "date"})
    )


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
    note = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), required=False)


class DispatchForm(forms.Form):
    dispatched_at = forms.DateTimeField(
        label=_("Dispatched at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(choices=ProposalKind.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnProposalForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is returned"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OnBehalfClaimForm(forms.Form):
    """A claim a customer makes by phone, in a branch or on the 828 line, typed by staff."""

    customer = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=MAX_ID)
    card = forms.IntegerField(label=_("Card"), min_value=1, max_value=MAX_ID)
    transactions = forms.CharField(label=_("Transaction ids (comma-separated)"))
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    received_at = forms.DateTimeField(
        label=_("Received at (time of the call or visit)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    account = forms.CharField(
        label=_("The customer's account of the circumstances"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_transactions(self) -> list[int]:
        try:
            return [
                parse_id(part)
                for part in self.cleaned_data["transactions"].replace(" ", "").split(",")
                if part
            ]
        except ValueError:
            raise forms.ValidationError(_("Enter transaction ids separated by commas.")) from None


# --- Chargebacks: each step's form (the case page renders them with ids unique per chargeback). ---

CHARGEBACK_TEXT_MAX = 2000


class IdsField(forms.Field):
    """The ids of the boxes ticked (e.g. the case's documents to send), each a valid row id."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: object) -> list[int]:
        try:
            return [parse_id(item) for item in (value or [])]  # type: ignore[union-attr]
        except ValueError:
            raise forms.ValidationError(_("Choose from the list."), code="invalid_choice") from None


class ChargebackFileForm(forms.Form):
    acquirer_reference = forms.CharField(label=_("Acquirer reference (ARN)"), max_length=64)
    reason_code = forms.CharField(label=_("Reason code"), max_length=8, required=False)
    amount = forms.DecimalField(
        label=_("Amount to charge back (PLN)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        localize=True,
    )
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
