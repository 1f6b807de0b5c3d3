"""``{% claim_letters case %}``: the letters section of the customer's claim page (the letters app's
part of a page the disputes portal renders)."""

from django import template

from letters.selectors import claim_letters as claim_letters_of
from letters.selectors import letter_sent_on as letter_sent_on_of

register = template.Library()


@register.simple_tag
def letter_sent_on(case, letter_type: str):
    """``{% letter_sent_on case "REFUND_WITHHELD" as day %}``: the day that letter went out, or None."""
    return letter_sent_on_of(case=case, letter_type=letter_type)


@register.inclusion_tag("portal/_claim_letters.html", takes_context=True)
def claim_letters(context, case) -> dict:
    """Every issued letter of ``case`` with its download link and the truth about its delivery."""
    return {
        "case": case,
        "letters": claim_letters_of(case=case),
        "delivery_form": context.get("delivery_form"),
        "csrf_token": context.get("csrf_token"),
        "finished": case.state in ("WITHDRAWN", "CLOSED"),
    }
