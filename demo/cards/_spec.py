"""The shapes of the demo data: cards, their wallet tokens and hand-placed transactions."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from cards.models import WalletTokenStatus
from demo.cards._catalogue import Merchant
from kartosfera.legaltime import WARSAW


@dataclass(frozen=True, slots=True)
class Scripted:
    """One transaction placed by hand (trips, the theft, reversals)."""

    days_ago: int
    at: time
    merchant: Merchant
    channel: str
    amount: str  # in ``currency``
    currency: str = "PLN"
    sca_applied: bool = True
    offline: bool = False
    status: str | None = None  # None: derived from the dates (pending, or settled once debited)


@dataclass(frozen=True, slots=True)
class DemoToken:
    wallet: str
    device_name: str
    days_ago: int
    status: str = WalletTokenStatus.ACTIVE
    suspended_days_ago: int | None = None  # for a SUSPENDED token: since when

    def suspended_at(self, today: date) -> datetime:
        """When the SUSPENDED token was suspended."""
        if self.suspended_days_ago is None:
            raise ValueError(f"the suspended demo token on {self.device_name} says not since when")
        return at_warsaw(today, self.suspended_days_ago, time(8, 3, 27))


@dataclass(frozen=True, slots=True)
class DemoCard:
    key: str
    customer: str
    product: str
    status: str
    home_city: str
    issued_days_ago: int
    expires_in_months: int  # from the current month; negative for an expired card
    cash_limit: str = "2000.00"
    pos_limit: str = "5000.00"
    internet_limit: str = "5000.00"
    controls: dict[str, bool] = field(default_factory=dict)
    tokens: tuple[DemoToken, ...] = ()
    profile: tuple[Merchant, ...] = ()
    everyday_count: int = 0
    scripted: tuple[Scripted, ...] = ()
    # (days ago, time, channel, reason text) of the status change, for BLOCKED and CANCELLED cards; the
    # days ago may be a function of today (a change the report's period must hold, whatever today is).
    status_change: tuple[int | Callable[[date], int], time, str, str] | None = None
    cancellation_reason: str = ""
    # A card issued before 3-D Secure was switched on for everyone: the customer turns it on in the portal.
    three_ds: bool = True

    def status_changed(self, today: date) -> tuple[int, time, str, str]:
        """(days ago, time, channel, reason text) of a BLOCKED or CANCELLED card's status change."""
        if self.status_change is None:
            raise ValueError(f"the {self.status} demo card {self.key} says no status change")
        days_ago, at, channel, reason = self.status_change
        return (days_ago if isinstance(days_ago, int) else days_ago(today)), at, channel, reason


def tx(
    days_ago: int,
    at: str,
    merchant: str,
    mcc: str,
    city: str,
    country: str,
    channel: str,
    amount: str,
    currency: str = "PLN",
    *,
    sca: bool = True,
    offline: bool = False,
    status: str | None = None,
) -> Scripted:
    """A hand-placed transaction at a merchant, written as one table row."""
    hour, minute, second = (int(part) for part in at.split(":"))
    kind = {"ATM": "ATM", "INTERNET": "ONLINE"}.get(channel, "STORE")
    return Scripted(
        days_ago,
        time(hour, minute, second),
        Merchant(merchant, mcc, kind, amount, amount, city, country),
        channel,
        amount,
        currency,
        sca_applied=sca,
        offline=offline,
        status=status,
    )


def at_warsaw(today: date, days_ago: int, at: time) -> datetime:
    """The aware instant of a Warsaw wall-clock time ``days_ago`` days before ``today``."""
    return datetime.combine(today - timedelta(days=days_ago), at, tzinfo=WARSAW)


# When a demo wallet token was added on its day.
TOKEN_ADDED_AT = time(19, 30)
