"""The back-office pages in the analyst's words: state, step, outcome and finding names, people by
name (the names themselves live in ``disputes.backoffice.labels``)."""

from django import template

from disputes.backoffice import labels

register = template.Library()


# Each label is ``disputes.backoffice.labels``'s, under the name the templates use.
register.filter("state_label", labels.case_state_label)  # a case's state: CLOSED → Zamknięta
register.filter("chargeback_state_label", labels.chargeback_state_label)  # a chargeback's: WON → Wygrany
register.filter("step_label", labels.case_step_label)
# A case's or a chargeback's transition row: its step and the states it went between.
register.filter("transition_label", labels.transition_label)
register.filter("outcome_label", labels.outcome_label)
register.filter("proposal_label", labels.proposal_label)
register.filter("proposal_amount", labels.proposal_amount)  # the money a proposal is about
register.filter("finding_label", labels.finding_label)
register.filter("light_label", labels.light_label)
register.filter("system_reason", labels.system_reason)  # a reason the system wrote, in the reader's language
# What a history event adds to its kind (a missed chargeback filing window: which window, what to do).
register.filter("event_detail", labels.event_detail)
# What a step says beyond its reason (REK-8: which reply deadline passed), and a deemed case's summary.
register.filter("transition_detail", labels.transition_detail)
register.filter("deemed_acceptance", labels.deemed_acceptance)


@register.filter
def person(user) -> str:
    """A staff member or customer by name (the user name when no name is held), "—" for nobody."""
    if user is None:
        return "—"
    full_name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return full_name or getattr(user, "username", "") or "—"


@register.filter
def sent_to(chargebacks_sent: dict[int, dict[str, object]], chargeback_id: int) -> dict[str, object]:
    """The step forms sent with an error to the chargeback ``chargeback_id``, by step ({} when none):
    the case page shows them open, with what was typed and each field's error."""
    return chargebacks_sent.get(chargeback_id, {}) if chargebacks_sent else {}
