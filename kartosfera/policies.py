"""The domain policies (RULES.md): one typed object, each default written here and nowhere else.

The setting ``KARTOSFERA_POLICIES`` holds them as a mapping by upper-case name (``ROLL_FORWARD``,
``REFUND_POLICY``, ...), so a deployment or a test overrides one key and keeps the rest. The settings
build it from the environment (``KARTOSFERA_ROLL_FORWARD``, ``KARTOSFERA_REFUND_POLICY``, ...);
the code reads it through ``current_policies()``, which fills what a mapping leaves out with these
defaults.

The values are not checked here: each policy's vocabulary belongs to the rule that applies it
(``deadlines.rules.parse_regime``, ``liability.days.RATE_DAY_POLICIES``), which refuses an unknown one
with its own error, and ``deadlines.checks`` reports a bad regime at start-up.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field


class Policies(BaseModel):
    """The named domain policies and their defaults."""

    model_config = ConfigDict(frozen=True)

    # KC-115: a calendar-day period ending on a Saturday or a statutory day off moves to the next day.
    roll_forward: bool = True
    # Reply regime per complaint category: COMPLAINTS_ACT (30/60 days) or PAYMENT_SERVICES (15/35
    # business days). Categories not listed use default_reply_regime.
    default_reply_regime: str = "COMPLAINTS_ACT"
    reply_regime_by_category: dict[str, str] = Field(default_factory=dict)
    rounding: str = "ROUND_HALF_UP"
    # FULL_THEN_RECOVER refunds every disputed amount at D+1 and recovers the customer's share later;
    # NET_OF_CAP refunds only the bank's share (docs/WORKFLOW.md).
    refund_policy: str = "FULL_THEN_RECOVER"
    # Which NBP table converts a transaction (RULES.md section 4).
    rate_day: str = "SAME_DAY_OR_LAST_BEFORE"

    @classmethod
    def from_setting(cls, mapping: Mapping[str, Any]) -> "Policies":
        """The policies of a ``KARTOSFERA_POLICIES`` mapping, defaults for the names it leaves out.

        The values are taken as they are (not validated): the rule owning each policy refuses a bad one.
        """
        known = cls.model_fields
        values = {name.lower(): value for name, value in mapping.items() if name.lower() in known}
        return cls.model_construct(**values)

    def as_setting(self) -> dict[str, Any]:
        """The ``KARTOSFERA_POLICIES`` mapping: upper-case names."""
        return {name.upper(): value for name, value in self.model_dump().items()}


DEFAULTS = Policies()


def current_policies() -> Policies:
    """The policies in force (``settings.KARTOSFERA_POLICIES``)."""
    return Policies.from_setting(settings.KARTOSFERA_POLICIES)
