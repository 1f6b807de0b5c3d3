"""The base of every error a customer-facing service raises: a message fit to show the customer."""

from typing import Any

from django.utils.functional import Promise

from kartosfera import refusals
from kartosfera.refusals import Refusal


def _code_from_name(name: str) -> str:
    """A refusal's code from its class name: ``CardNotLive`` -> ``CARD_NOT_LIVE``."""
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name)).upper()


class ServiceError(Refusal):
    """A refused request. ``message`` is shown to the customer; ``field`` names the form field it is about.

    The first argument, if given, is the message for this refusal (it replaces the class's), not
    developer detail. Each class's ``code`` is its name in upper snake case (``CardNotLive`` ->
    ``CARD_NOT_LIVE``), the codes API clients have always seen, unless the class sets one itself.
    """

    code = "SERVICE_ERROR"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = _code_from_name(cls.__name__)

    def __init__(self, message: str | Promise | None = None, *, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__()


class TextTooLong(refusals.TextTooLong, ServiceError):
    """A text longer than the customer's records hold (``kartosfera.refusals.TextTooLong``)."""
