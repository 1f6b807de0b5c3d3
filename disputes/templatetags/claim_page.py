"""Template tags of the customer's claim page."""

from datetime import date

from django import template
from django.utils.translation import get_language

from disputes.portal.claim_status import ClaimOutcome, claim_recovery_sentence

register = template.Library()


@register.simple_tag
def recovery_sentence(outcome: ClaimOutcome, today: date) -> str:
    """``{% recovery_sentence outcome today %}``: the one sentence on the customer's share still to be taken
    back, in the active language (``claim_recovery_sentence``)."""
    return claim_recovery_sentence(outcome=outcome, today=today, language=get_language())
