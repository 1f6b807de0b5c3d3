"""One base for every refusal: its code, its message in Polish and English, its field and detail; the
dispute, customer-service and API refusals are all of it, and the customer services keep the codes API
clients have always seen."""

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from api.errors import ApiError, ScopeMissing, problem_for
from cards.services import CardNotLive, CardStatusConflict
from customers.services import OtpInvalid, ServiceError
from disputes.models import DecisionProposal
from disputes.services import (
    DisputeError,
    EvidenceTooLarge,
    EvidenceTypeNotAllowed,
    ExpectedReplyDateInvalid,
    InvalidCaseState,
)
from kartosfera.refusals import Refusal, TextTooLong, add_refusal, bounded_text
from letters.services import AddressInvalid

# An instant given as a parameter is said in Warsaw time, to the second (kartosfera.formatting).
_AT_EN = "The file is too large: a file can be at most 4 February 2027, 09:30:00."


class FileTooLarge(Refusal):
    code = "FILE_TOO_LARGE"
    message = _("The file is too large: a file can be at most %(limit)s.")
    field = "file"


@pytest.mark.parametrize(
    ("refusal", "language", "text"),
    [
        (FileTooLarge(limit="5 MB"), "en", "The file is too large: a file can be at most 5 MB."),
        (FileTooLarge(limit="5 MB"), "pl", "Plik jest za duży: plik może mieć najwyżej 5 MB."),
        (Refusal(), "en", "The request could not be carried out. Nothing was changed."),
        (Refusal(), "pl", "Nie udało się wykonać dyspozycji. Nic nie zostało zmienione."),
        (DisputeError("developer text"), "pl", "Odmowa wykonania czynności."),
        (ScopeMissing(scope="claims:read"), "en", "The access token does not carry the scope claims:read."),
        (ScopeMissing(scope="claims:read"), "pl", "Token dostępu nie obejmuje zakresu claims:read."),
        (
            CardNotLive(),
            "pl",
            "Ta karta jest zastrzeżona lub straciła ważność: nie można jej już zmieniać.",
        ),
        (
            ExpectedReplyDateInvalid(due=date(2027, 2, 4)),
            "pl",
            "Przewidywany termin odpowiedzi musi przypadać między dniem dzisiejszym a przedłużonym "
            "terminem, 4 lutego 2027.",
        ),
        (
            ExpectedReplyDateInvalid(due=date(2027, 2, 4)),
            "en",
            "The expected reply date must be between today and the extended deadline, 4 February 2027.",
        ),
        (FileTooLarge(limit=datetime(2027, 2, 4, 8, 30, tzinfo=UTC)), "en", _AT_EN),
    ],
    ids=[
        "params-en", "params-pl", "base-en", "base-pl", "dispute-pl", "api-en", "api-pl", "service-pl",
        "date-pl", "date-en", "instant-en",
    ],
)  # fmt: skip
def test_a_refusal_says_its_message_in_the_active_language_and_in_a_given_one(refusal, language, text):
    with translation.override(language):
        active = str(refusal)
    other = "pl" if language == "en" else "en"

    with translation.override(other):
        given = refusal.message_in(language)

    assert active == text
    assert given == text


@pytest.mark.parametrize(
    ("refusal", "code", "field", "detail", "params"),
    [
        (FileTooLarge("6 MB sent", limit="5 MB"), "FILE_TOO_LARGE", "file", "6 MB sent", {"limit": "5 MB"}),
        (Refusal(), "REFUSED", None, "", {}),
        (InvalidCaseState("case 7", state="Closed"), "INVALID_STATE", None, "case 7", {"state": "Closed"}),
        (EvidenceTooLarge(limit="5 MB"), "EVIDENCE_TOO_LARGE", "file", "", {"limit": "5 MB"}),
        (ApiError("no body"), "BAD_REQUEST", None, "no body", {}),
        (CardStatusConflict(_("This card is not blocked.")), "CARD_STATUS_CONFLICT", None, "", {}),
        (OtpInvalid(attempts_left=2), "OTP_INVALID", "code", "", {}),
        (ServiceError(field="phone"), "SERVICE_ERROR", "phone", "", {}),
        (AddressInvalid(field="city"), "ADDRESS_INVALID", "city", "", {}),
    ],
    ids=[
        "own", "base", "dispute", "dispute-field", "api", "service-message", "service-field", "service-base",
        "letters-service",
    ],
)  # fmt: skip
def test_a_refusal_carries_its_code_field_detail_and_params(refusal, code, field, detail, params):
    assert (refusal.code, refusal.field, refusal.detail, refusal.params) == (code, field, detail, params)


def test_the_developer_detail_is_never_the_message():
    refusal = InvalidCaseState("case 7 is CLOSED", state="Closed")

    assert refusal.message_in("en") == "This cannot be done while the case is in state “Closed”."
    assert refusal.args == ("case 7 is CLOSED",)


def test_a_service_error_is_given_its_message_first_and_shows_it():
    refusal = CardStatusConflict(_("This card is not blocked."))

    assert refusal.message_in("en") == "This card is not blocked."
    assert refusal.detail == ""


@pytest.mark.parametrize("base", [DisputeError, ServiceError, ApiError])
def test_every_kind_of_refusal_is_a_refusal(base):
    assert issubclass(base, Refusal)


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def _class_name_code(name: str) -> str:
    """The API's name for a customer service's refusal before it had a code (CardNotLive -> CARD_NOT_LIVE)."""
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name)).upper()


# The codes API clients see for the customer services' refusals (problem ``code`` and ``type``).
SERVICE_CODES = {
    "AccessStartBusy": "ACCESS_START_BUSY",
    "AccessStartThrottled": "ACCESS_START_THROTTLED",
    "AddressInvalid": "ADDRESS_INVALID",
    "AlreadyRegistered": "ALREADY_REGISTERED",
    "BirthDateMismatch": "BIRTH_DATE_MISMATCH",
    "CardAlreadyCancelled": "CARD_ALREADY_CANCELLED",
    "CardNotLive": "CARD_NOT_LIVE",
    "CardServiceError": "CARD_SERVICE_ERROR",
    "CardStatusConflict": "CARD_STATUS_CONFLICT",
    "ConfirmationRequired": "CONFIRMATION_REQUIRED",
    "ContactlessNotSupported": "CONTACTLESS_NOT_SUPPORTED",
    "EmailInvalid": "EMAIL_INVALID",
    "EmailUnchanged": "EMAIL_UNCHANGED",
    "IdentifierInvalid": "IDENTIFIER_INVALID",
    "LimitAboveMaximum": "LIMIT_ABOVE_MAXIMUM",
    "LimitInvalid": "LIMIT_INVALID",
    "LimitsNotForBusiness": "LIMITS_NOT_FOR_BUSINESS",
    "OtpAlreadyUsed": "OTP_ALREADY_USED",
    "OtpDeliveryFailed": "OTP_DELIVERY_FAILED",
    "OtpError": "OTP_ERROR",
    "OtpExpired": "OTP_EXPIRED",
    "OtpInvalid": "OTP_INVALID",
    "OtpNotFound": "OTP_NOT_FOUND",
    "OtpNotVerified": "OTP_NOT_VERIFIED",
    "OtpRateLimited": "OTP_RATE_LIMITED",
    "OtpResendTooSoon": "OTP_RESEND_TOO_SOON",
    "OtpSendLimitReached": "OTP_SEND_LIMIT_REACHED",
    "OtpVoided": "OTP_VOIDED",
    "PhoneChangeMismatch": "PHONE_CHANGE_MISMATCH",
    "PhoneInvalid": "PHONE_INVALID",
    "PhoneUnchanged": "PHONE_UNCHANGED",
    "PinRefused": "PIN_REFUSED",
    "ProcessorDeclined": "PROCESSOR_DECLINED",
    "ProcessorUnavailable": "PROCESSOR_UNAVAILABLE",
    "ReplacementAlreadyOrdered": "REPLACEMENT_ALREADY_ORDERED",
    "ReplacementNotAllowed": "REPLACEMENT_NOT_ALLOWED",
    "TextTooLong": "TEXT_TOO_LONG",
    "ThrottleExceeded": "THROTTLE_EXCEEDED",
    "WalletCardBlocked": "WALLET_CARD_BLOCKED",
    "WalletProvisioningRefused": "WALLET_PROVISIONING_REFUSED",
    "WalletTokenNotPending": "WALLET_TOKEN_NOT_PENDING",
    "WalletTokenStateConflict": "WALLET_TOKEN_STATE_CONFLICT",
    "WrongPassword": "WRONG_PASSWORD",
}


def test_every_customer_service_refusal_keeps_the_code_the_api_derived_from_its_name():
    codes = {cls.__name__: cls.code for cls in _subclasses(ServiceError)}

    assert codes == SERVICE_CODES
    assert {name: _class_name_code(name) for name in codes} == codes


def test_a_service_refusal_is_a_problem_with_its_code_and_message():
    with translation.override("en"):
        status, problem = problem_for(CardStatusConflict(_("This card is not blocked.")), instance="/x")

    assert (status, problem["code"], problem["type"], problem["title"]) == (
        422,
        "CARD_STATUS_CONFLICT",
        "https://kartosfera.example/problems/card-status-conflict",
        "This card is not blocked.",
    )


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "The expected reply date must be between today and the extended deadline, 4 February 2027."),
        (
            "pl",
            "Przewidywany termin odpowiedzi musi przypadać między dniem dzisiejszym a przedłużonym "
            "terminem, 4 lutego 2027.",
        ),
    ],
)
def test_a_date_in_a_problem_title_is_said_in_the_callers_language(language, title):
    with translation.override(language):
        status, problem = problem_for(ExpectedReplyDateInvalid("after", due=date(2027, 2, 4)), instance="/x")

    assert (status, problem["code"], problem["title"]) == (409, "EXPECTED_REPLY_DATE_INVALID", title)


class UploadForm(forms.Form):
    file = forms.CharField(required=False)


@pytest.mark.parametrize(
    ("refusal", "errors"),
    [
        (
            EvidenceTypeNotAllowed(),
            {
                "file": [
                    "Można dodać tylko pliki PDF, JPEG i PNG. Sprawdzamy, co plik zawiera, a nie jak się "
                    "nazywa, a ten plik nie jest żadnym z nich."
                ]
            },
        ),
        (ServiceError(_("The code is wrong."), field="code"), {"__all__": ["Kod jest błędny."]}),
        (DisputeError(), {"__all__": ["Odmowa wykonania czynności."]}),
    ],
    ids=["its-field", "a-field-the-form-lacks", "no-field"],
)
def test_a_refusal_goes_on_the_field_it_names_when_the_form_has_it_else_on_top(refusal, errors):
    form = UploadForm({})
    assert form.is_valid()

    with translation.override("pl"):
        add_refusal(form, refusal)

    assert form.errors == errors


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def _text_too_long(text: str, field: str | None = None) -> TextTooLong:
    with pytest.raises(TextTooLong) as refused:
        bounded_text(DecisionProposal, "decision_note", text, field=field)
    return refused.value


def test_a_text_longer_than_its_column_is_refused_on_its_form_field_naming_the_column_and_its_limit():
    refusal = _text_too_long("ż" * 2001, field="note")
    form = NoteForm({})
    assert form.is_valid()

    with translation.override("pl"):
        add_refusal(form, refusal)

    assert (refusal.code, refusal.field, refusal.params["limit"]) == ("TEXT_TOO_LONG", "note", 2000)
    assert form.errors == {
        "note": [
            "Tekst w polu „notatka przełożonego” jest za długi: dozwolona liczba znaków to 2000, a ten"
            " tekst ma ich 2001. Skróć go i wyślij ponownie."
        ]
    }
    assert refusal.message_in("en") == (
        "The text in “supervisor's note” is too long: at most 2000 characters are allowed, and it has 2001."
        " Shorten it and send it again."
    )


def test_a_text_as_long_as_its_column_is_given_back_and_the_field_defaults_to_the_columns_name():
    assert bounded_text(DecisionProposal, "decision_note", "ż" * 2000) == "ż" * 2000
    assert _text_too_long("x" * 2001).field == "decision_note"


def test_a_column_without_a_length_limit_is_a_programming_error_not_a_refusal():
    with pytest.raises(TypeError, match="not a column of bounded length"):
        bounded_text(DecisionProposal, "data", "{}")
