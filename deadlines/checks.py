"""System checks: a misconfigured deadline policy or calendar hook stops `manage.py check` and start-up."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from deadlines.rules import DeadlineInputError, parse_regime


@register()
def check_deadline_settings(app_configs=None, **kwargs) -> list[Error]:
    """Check ROLL_FORWARD, the reply regimes and KARTOSFERA_CALENDAR_CHANGE_HOOKS."""
    errors: list[Error] = []
    policies = settings.KARTOSFERA_POLICIES
    if not isinstance(policies.get("ROLL_FORWARD"), bool):
        errors.append(Error("KARTOSFERA_POLICIES['ROLL_FORWARD'] must be True or False", id="deadlines.E001"))
    regimes = {"DEFAULT_REPLY_REGIME": policies.get("DEFAULT_REPLY_REGIME")}
    for category, regime in (policies.get("REPLY_REGIME_BY_CATEGORY") or {}).items():
        regimes[f"REPLY_REGIME_BY_CATEGORY[{category!r}]"] = regime
    for name, regime in regimes.items():
        try:
            parse_regime(regime)
        except DeadlineInputError as error:
            errors.append(Error(f"KARTOSFERA_POLICIES {name}: {error}", id="deadlines.E002"))
    for dotted in getattr(settings, "KARTOSFERA_CALENDAR_CHANGE_HOOKS", []):
        try:
            hook = import_string(dotted)
        except ImportError as error:
            errors.append(Error(f"KARTOSFERA_CALENDAR_CHANGE_HOOKS: {error}", id="deadlines.E003"))
            continue
        if not callable(hook):
            errors.append(
                Error(f"KARTOSFERA_CALENDAR_CHANGE_HOOKS: {dotted} is not callable", id="deadlines.E003")
            )
    return errors
