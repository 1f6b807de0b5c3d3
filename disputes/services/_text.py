"""The free texts the workflow keeps in columns of bounded length: refused when longer, never cut and
never left to the database (a form's cap does not cover the API or any other caller)."""

from django.db import models

from disputes.services._errors import DisputeError
from kartosfera.refusals import TextTooLong, bounded_text


class CaseTextTooLong(TextTooLong, DisputeError):
    """A text longer than the case's column holds (``kartosfera.refusals.TextTooLong``, a dispute refusal)."""


def case_text(model: type[models.Model], name: str, text: str, *, field: str | None = None) -> str:
    """``text`` if column ``name`` of ``model`` holds it (``bounded_text``).

    :raises CaseTextTooLong: on the form's ``field`` (default ``name``).
    """
    return bounded_text(model, name, text, refusal=CaseTextTooLong, field=field)
