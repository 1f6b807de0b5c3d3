"""Password validation in the customer's words: the sign-in "username" is a PESEL or a bank id."""

import copy

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What each compared attribute is, as the customer knows it (Polish needs the genitive: "do ...").
ATTRIBUTE_NAMES = {
    "username": _("your PESEL or bank identification number"),
    "first_name": _("your first name"),
    "last_name": _("your last name"),
    "email": _("your e-mail address"),
}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity check, naming the attribute as the customer knows it (not "username")."""

    def validate(self, password, user=None) -> None:
        for attribute in self.user_attributes:
            single = copy.copy(self)
            single.user_attributes = (attribute,)
            try:
                super(UserAttributeSimilarityValidator, single).validate(password, user)
            except ValidationError as error:
                raise ValidationError(
                    _("The password is too similar to %(what)s."),
                    code="password_too_similar",
                    params={"what": ATTRIBUTE_NAMES.get(attribute, attribute)},
                ) from error

    def get_help_text(self) -> str:
        return str(
            _(
                "The password cannot be too similar to your PESEL or bank identification number, name or "
                "e-mail."
            )
        )
