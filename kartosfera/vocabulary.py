"""The one door through which pure rules reach Django: enumerations with labels, and message marking.

A concept has one enum across the apps (STYLE.md rule 16). The pure rule modules define it as a
``TextChoices`` with its label, and the models use that same class for their ``choices``: no mirror
enum in the models, no mapping between two spellings. ``django.db.models.enums`` touches no ORM (it
is ``enum`` plus labels) and ``gettext_lazy``/``gettext_noop`` translate nothing until a page or a
letter renders. import-linter lets exactly this module import Django among the pure ones
(pyproject.toml); ``tests/kartosfera/test_vocabulary.py`` pins that it imports nothing else of Django.

Shared here too, the vocabulary more than one app speaks: the channel an act reached the bank by.
"""

from typing import TypeVar

from django.db.models.enums import TextChoices
from django.utils.translation import gettext_lazy, gettext_noop

__all__ = [
    "Channel",
    "TextChoices",
    "choice_values",
    "gettext_lazy",
    "gettext_noop",
    "one_of",
    "subset_choices",
]

_ = gettext_lazy
Member = TypeVar("Member", bound=TextChoices)


def choice_values(choices: type[TextChoices] | tuple[TextChoices, ...]) -> list[str]:
    """The stored values of an enum (or of some of its members), for a check constraint."""
    return [str(member.value) for member in choices]


def subset_choices(members: tuple[TextChoices, ...]) -> list[tuple[str, str]]:
    """The ``choices`` of a column that holds only some members of an enum."""
    return [(member.value, member.label) for member in members]


def one_of(members: tuple[Member, ...], value: object) -> Member:
    """The member of ``members`` whose value is ``value``; ValueError for any other value."""
    for member in members:
        if member.value == value:
            return member
    raise ValueError(f"{value!r} is not one of {', '.join(member.value for member in members)}")


class Channel(TextChoices):
    """The way a request or an act reached the bank; each table keeps the members it can hold."""

    PORTAL = "PORTAL", _("Customer portal")
    BACK_OFFICE = "BACK_OFFICE", _("Back office")
    ADMIN = "ADMIN", _("Administration site")
    PHONE = "PHONE", _("Phone banking")
    LINE_828 = "LINE_828", _("Card cancellation line 828 828 828")
    BRANCH = "BRANCH", _("Branch")
    STAFF = "STAFF", _("Staff on behalf of the customer")
    SYSTEM = "SYSTEM", _("System")
    CLI = "CLI", _("Command line")
    # The bank's other systems through /api/v1/ (the calling system's user is the actor).
    API = "API", _("Bank systems API")
