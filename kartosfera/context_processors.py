"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def bank(request: HttpRequest) -> dict[str, str]:
    """The emergency line for lost or stolen cards (RULES.md section 6), shown on every page."""
    return {
        "emergency_line": settings.KARTOSFERA_EMERGENCY_LINE,
        "emergency_line_abroad": settings.KARTOSFERA_EMERGENCY_LINE_ABROAD,
    }
