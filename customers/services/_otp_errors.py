"""The refusals of the one-time password services, each with the message the customer reads."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from customers.services._errors import ServiceError


class OtpError(ServiceError):
    field: str | None = "code"


class OtpNotFound(OtpError):
    message = _("This code request is not valid any more. Please start again.")


class OtpInvalid(OtpError):
    message = _("The code is wrong.")

    def __init__(self, *, attempts_left: int) -> None:
        self.attempts_left = attempts_left
        super().__init__(
            _("The code is wrong. Attempts left: %(attempts_left)s.") % {"attempts_left": attempts_left}
        )


class OtpExpired(OtpError):
    message = _("The code has expired (a code is valid for 5 minutes). Ask for a new one.")


class OtpVoided(OtpError):
    message = _("The code was entered wrongly too many times and is no longer valid. Please start again.")


class OtpAlreadyUsed(OtpError):
    message = _("This code has already been used. Please start again.")


class OtpNotVerified(OtpError):
    message = _("Enter the code from the text message first.")


class OtpResendTooSoon(OtpError):
    def __init__(self, *, seconds: int) -> None:
        self.seconds = seconds
        # "in 1 second", not "in 1 seconds"; put in the reader's language when shown, as every message.
        message = ngettext_lazy(
            "A new code can be sent in %(seconds)s second.",
            "A new code can be sent in %(seconds)s seconds.",
            "seconds",
        )
        super().__init__(message % {"seconds": seconds}, field=None)


class OtpSendLimitReached(OtpError):
    field = None
    message = _("We have already sent the code the maximum number of times. Please start again.")


class OtpRateLimited(OtpError):
    field = None
    message = _("Too many codes were sent to this phone number in the last hour. Please try again later.")


class OtpDeliveryFailed(OtpError):
    field = None
    message = _("We could not send the text message. Nothing was changed; please try again in a moment.")
