"""``{{ text|deadline_text }}``: a stored deadline explanation with its dates in the page's language."""

from django import template
from django.utils.translation import get_language

from deadlines.wording import readable_explanation

register = template.Library()


@register.filter
def deadline_text(text: str | None) -> str:
    """The explanation as ``deadlines.wording`` writes it for the active language (blank when none)."""
    return readable_explanation(text, language=get_language()) if text else ""
