"""Template filters of the reports pages: periods, instants and file sizes written with babel in the
page's language, instants in Warsaw time (never an ISO date, a UTC time or a Python float)."""

from datetime import date, datetime

from babel.units import format_unit
from django import template
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from kartosfera.formatting import babel_locale, format_instant, format_long_date, format_moment

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
def moment(value: datetime | str | None, precision: str = "minutes") -> str:
    """``{{ job.requested_at|moment }}`` → ``7 grudnia 2026, 04:59`` (Warsaw time, to the minute);
    ``|moment:"seconds"`` → ``7 grudnia 2026, 04:59:08``. An ISO string (as a JSON result stores an
    instant) is read first."""
    if value is None or value == "":
        return ""
    instant = parse_datetime(value) if isinstance(value, str) else value
    if instant is None:
        return str(value)
    language = get_language()
    if precision == "seconds":
        return format_instant(instant, language=language)
    return format_moment(instant, language=language)


@register.filter
def period(first: date | None, last: date | None) -> str:
    """``{{ job.from_date|period:job.to_date }}`` → ``1 listopada 2026 – 7 grudnia 2026``."""
    if first is None or last is None:
        return ""
    language = get_language()
    return f"{format_long_date(first, language=language)} – {format_long_date(last, language=language)}"
