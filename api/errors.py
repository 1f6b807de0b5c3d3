"""Every refusal of the API as an RFC 9457 problem: one model, mapped to HTTP in one place.

Every refusal is a ``kartosfera.refusals.Refusal`` with a stable ``code`` and a translated message: the
domain's (``DisputeError``, the customer-facing ``ServiceError``) and the API's own (``ApiError``).
``problem_for`` turns any of them into ``(status, problem)``: the status comes from what *kind* of
refusal it is (not found, not permitted, invalid, conflict), never from a per-view table. The
``title`` is in the language the caller asked for (``Accept-Language``: Polish or English).
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from disputes.services import TransitionRefused
from kartosfera.refusals import Refusal

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://kartosfera.example/problems/"


class ApiError(Refusal):
    """A request the API refused; nothing was changed. ``code`` is stable, ``message`` translated."""

    status = 400
    code = "BAD_REQUEST"
    message = _("The request could not be carried out. Nothing was changed.")

    def __init__(
        self, detail: str = "", *, errors: list[dict[str, Any]] | None = None, **params: object
    ) -> None:
        super().__init__(detail, **params)
        self.errors = errors or []


class Unauthenticated(ApiError):
    status = 401
    code = "UNAUTHENTICATED"
    message = _("A valid access token is required (OAuth 2.0 client credentials).")


class ScopeMissing(ApiError):
    status = 403
    code = "INSUFFICIENT_SCOPE"
    message = _("The access token does not carry the scope %(scope)s.")


class RateLimited(ApiError):
    status = 429
    code = "RATE_LIMITED"
    message = _("Too many requests: at most %(limit)s a minute. Try again in a minute.")


class IdempotencyKeyRequired(ApiError):
    status = 400
    code = "IDEMPOTENCY_KEY_REQUIRED"
    message = _("A write needs an Idempotency-Key header (1 to 255 visible characters).")


class IdempotencyKeyReused(ApiError):
    status = 409
    code = "IDEMPOTENCY_KEY_REUSED"
    message = _("This Idempotency-Key was already used with a different request.")


class CardNumberRefused(ApiError):
    status = 422
    code = "CARD_NUMBER_REFUSED"
    message = _(
        "The request contains a card number. Send the processor's token and the last four digits only."
    )


class RequestInvalid(ApiError):
    status = 422
    code = "VALIDATION_FAILED"
    message = _("The request is not valid: see errors.")


class ResourceNotFound(ApiError, LookupError):
    status = 404
    code = "NOT_FOUND"
    message = _("There is no such %(resource)s.")


class ResourceConflict(ApiError):
    status = 409
    code = "CONFLICT"
    message = _("The request conflicts with what is recorded: %(problem)s")


def _status_of(error: Refusal) -> int:
    """The HTTP status of a domain refusal, by what kind of refusal it is."""
    if isinstance(error, ApiError):
        return error.status
    if isinstance(error, LookupError):
        return 404
    if isinstance(error, PermissionError):
        return 403
    if isinstance(error, TransitionRefused):
        return 409
    return 422


def validation_errors(error: DjangoValidationError) -> list[dict[str, Any]]:
    """A model's validation errors as the problem's ``errors`` (field, code, message)."""
    by_field = error.error_dict.items() if hasattr(error, "error_dict") else [("", error.error_list)]
    return [
        {"field": field, "code": e.code or "invalid", "message": str(e.message % (e.params or {}))}
        for field, errors in by_field
        for e in errors
    ]


def problem_for(error: Refusal, *, instance: str) -> tuple[int, dict[str, Any]]:
    """``(status, RFC 9457 problem)`` of a refusal, its title in the active language."""
    status = _status_of(error)
    problem: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.code.lower().replace("_", "-"),
        "title": str(error),
        "status": status,
        "code": error.code,
        "instance": instance,
    }
    errors = getattr(error, "errors", None)
    if errors:
        problem["errors"] = errors
    return status, problem
