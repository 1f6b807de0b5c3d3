"""The back-office pages in the analyst's words: state, step, outcome and finding names, people by
name (the names themselves live in ``disputes.backoffice.labels``)."""

from django import template

from disputes.backoffice import labels

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """A case's state: ``CLOSED`` → ``Zamknięta``."""
    return labels.case_state_label(value)


@register.filter
def chargeback_state_label(value: str) -> str:
    """A chargeback's state: ``WON`` → ``Wygrany``."""
    return labels.chargeback_state_label(value)


@register.filter
def step_label(name: str) -> str:
    return labels.case_step_label(name)


@register.filter
def transition_label(row) -> str:
    """A case's or a chargeback's transition row: its step and the states it went between."""
    return labels.transition_label(row)


@register.filter
def outcome_label(value: str) -> str:
    return labels.outcome_label(value)


@register.filter
def proposal_label(proposal) -> str:
    return labels.proposal_label(proposal)


@register.filter
def finding_label(key: str) -> str:
    return labels.finding_label(key)


@register.filter
def light_label(light: str) -> str:
    return labels.light_label(light)


@register.filter
def person(user) -> str:
    """A staff member or customer by name (the user name when no name is held), "—" for nobody."""
    if user is None:
        return "—"
    full_name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return full_name or getattr(user, "username", "") or "—"
