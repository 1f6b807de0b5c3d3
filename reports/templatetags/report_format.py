"""Template filters of the reports pages: periods and file sizes written with babel in the page's
language (never an ISO date or a Python float). Instants are ``kartosfera_format``'s ``moment``."""

import json
from datetime import date
from typing import Any

from babel.units import format_unit
from django import template
from django.utils.translation import get_language

from kartosfera.formatting import babel_locale, format_long_date

register = template.Library()

_UNITS = ("digital-kilobyte", "digital-megabyte", "digital-gigabyte")


def file_size(size: int, *, language: str | None = "pl") -> str:
    """A file's size as people read it: ``546 kB (559 117 bajtów)`` / ``546 kB (559,117 bytes)``."""
    locale = babel_locale(language)
    exact = format_unit(size, "digital-byte", length="long", locale=locale)
    if size < 1024:
        return exact
    value, unit = size / 1024, _UNITS[0]
    for larger in _UNITS[1:]:
        if value < 1024:
            break
        value, unit = value / 1024, larger
    rounded = format_unit(value, unit, length="short", format="#,##0.#", locale=locale)
    return f"{rounded} ({exact})"


@register.filter
def filesize(size: int | None) -> str:
    """``{{ job.size|filesize }}`` → ``546 kB (559 117 bajtów)``."""
    return "" if size is None else file_size(int(size), language=get_language())


@register.filter
def period(first: date | None, last: date | None) -> str:
    """``{{ job.from_date|period:job.to_date }}`` → ``1 listopada 2026 – 7 grudnia 2026``."""
    if first is None or last is None:
        return ""
    language = get_language()
    return f"{format_long_date(first, language=language)} – {format_long_date(last, language=language)}"


@register.filter
def recorded_value(value: Any) -> str:
    """A computation's input on the replay page as the audit log holds it: text as it is, anything
    else as JSON (``null``, ``true``, ``{"amount":"800.00"}``), not as Python writes it (``None``)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
