"""The base of every error a customer-facing service raises: a message fit to show the customer."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A refused request. ``message`` is shown to the customer; ``field`` names the form field it is about."""

    message: str | Promise = _("The request could not be carried out. Nothing was changed.")
    field: str | None = None

    def __init__(self, message: str | Promise | None = None, *, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))
