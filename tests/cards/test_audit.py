"""Every card operation appends one audit entry: action, actor, card, fields before and after, channel.

A refused operation (a rule, the processor) appends none, and the processor is asked before the entry
is written, so the audit chain's lock is never held while the processor is waited for.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditEntry
from cards import services
from cards.models import CardStatus, WalletTokenStatus
from customers.models import OtpChallenge
from tests.audit.helpers import readable_text
from tests.cards.factories import CardFactory, CardProductFactory, WalletTokenFactory
from tests.cards.processors import CARD_ENTRIES_WHEN_CALLED
from tests.customers.factories import CustomerFactory, UserFactory
from tests.customers.portal import last_code

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 19, 47, 13, 654321, tzinfo=UTC)
CONFIRMED_AT = NOW + timedelta(seconds=30)
# Stand-ins in the expected values for ids known only when the test runs.
TOKEN = "<token id>"
CHALLENGE = "<challenge id>"


def card_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="card.").order_by("sequence"))


@pytest.fixture
def customer_user():
    """A portal customer with a sign-in."""
    customer = CustomerFactory()
    customer.user = UserFactory()
    customer.save(update_fields=["user"])
    return customer.user


@pytest.fixture
def analyst():
    """A back-office analyst taking a request at a branch or on the phone."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="analysts")[0])
    return user


def confirm_with_code(card, operation, actor, sms_outbox, **details):
    """The portal's two steps: ask for a code for ``operation``, then post it."""
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation=operation, now=NOW, **details
    )
    services.card_operation_confirm(
        customer=card.customer,
        card_id=card.pk,
        challenge_id=challenge.pk,
        code=last_code(sms_outbox, card.customer.mobile_phone),
        actor=actor,
        now=CONFIRMED_AT,
    )


def change_pin(card, actor, sms_outbox):
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="CHANGE_PIN", now=NOW
    )
    services.card_change_pin_with_code(
        customer=card.customer,
        card_id=card.pk,
        pin="5829",
        pin_repeated="5829",
        challenge_id=challenge.pk,
        code=last_code(sms_outbox, card.customer.mobile_phone),
        actor=actor,
        now=CONFIRMED_AT,
    )


def direct(service: Callable, channel: str, **kwargs) -> Callable:
    """A run that calls ``service`` through ``channel`` with no code (staff channels, or no code needed)."""

    def run(card, token, actor, sms_outbox):
        service(customer=card.customer, card_id=card.pk, actor=actor, channel=channel, now=NOW, **kwargs)

    return run


def on_token(service: Callable, channel: str) -> Callable:
    def run(card, token, actor, sms_outbox):
        service(
            customer=card.customer, card_id=card.pk, token_id=token.pk, actor=actor, channel=channel, now=NOW
        )

    return run


@dataclass
class Case:
    run: Callable
    action: str
    channel: str
    before: dict[str, Any]
    after: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
    token_status: str = WalletTokenStatus.ACTIVE
    at: datetime = NOW

    @property
    def portal(self) -> bool:
        return self.channel == "PORTAL"


def token_details():
    return {"wallet_token_id": TOKEN, "wallet": "APPLE_PAY", "device_name": "iPhone", "token_last4": "4321"}


BY_CODE = {"confirmation": {"method": "SMS_CODE", "challenge_ids": [CHALLENGE]}}
REPORTED_AT = "2026-05-20T19:47:13.000000Z"

CASES = {
    "activate at a branch": Case(
        run=direct(services.card_activate, "BRANCH"),
        action="card.activated",
        channel="BRANCH",
        card={"status": CardStatus.INACTIVE},
        before={"status": "INACTIVE"},
        after={"status": "ACTIVE"},
    ),
    "activate with a code": Case(
        run=lambda card, token, actor, outbox: confirm_with_code(card, "ACTIVATE", actor, outbox),
        action="card.activated",
        channel="PORTAL",
        card={"status": CardStatus.INACTIVE},
        before={"status": "INACTIVE"},
        after={"status": "ACTIVE"},
        data=BY_CODE,
        at=CONFIRMED_AT,
    ),
    "change the PIN": Case(
        run=lambda card, token, actor, outbox: change_pin(card, actor, outbox),
        action="card.pin_changed",
        channel="PORTAL",
        before={},
        after={},
        data=BY_CODE,
        at=CONFIRMED_AT,
    ),
    "block on the phone": Case(
        run=direct(services.card_block, "PHONE", reason="Zgubiona w tramwaju."),
        action="card.blocked",
        channel="PHONE",
        before={"status": "ACTIVE"},
        after={"status": "BLOCKED"},
        data={"reason": "Zgubiona w tramwaju."},
    ),
    "unblock with a code": Case(
        run=lambda card, token, actor, outbox: confirm_with_code(card, "UNBLOCK", actor, outbox),
        action="card.unblocked",
        channel="PORTAL",
        card={"status": CardStatus.BLOCKED},
        before={"status": "BLOCKED"},
        after={"status": "ACTIVE"},
        data=BY_CODE,
        at=CONFIRMED_AT,
    ),
    "cancel on the 828 line": Case(
        run=direct(services.card_cancel, "LINE_828", reason="STOLEN", note="Skradziona w Krakowie."),
        action="card.cancelled",
        channel="LINE_828",
        before={
            "status": "ACTIVE",
            "cancellation_reason": "",
            "cancelled_at": None,
            "wallet_token_status": {TOKEN: "ACTIVE"},
        },
        after={
            "status": "CANCELLED",
            "cancellation_reason": "STOLEN",
            "cancelled_at": REPORTED_AT,
            "wallet_token_status": {TOKEN: "REMOVED"},
        },
        data={
            "cancellation_reason": "STOLEN",
            "reported_at": REPORTED_AT,
            "loss_or_theft_report": True,
            "note": "Skradziona w Krakowie.",
            "devices_removed": [token_details()],
        },
    ),
    "switch controls": Case(
        run=direct(
            services.card_set_controls, "PORTAL", controls={"foreign_enabled": False, "atm_enabled": True}
        ),
        action="card.controls_changed",
        channel="PORTAL",
        before={"foreign_enabled": True},
        after={"foreign_enabled": False},
    ),
    "lower a limit": Case(
        run=direct(services.card_set_limits, "PORTAL", limits={"cash": "500", "pos": "5000.00"}),
        action="card.limits_changed",
        channel="PORTAL",
        before={"daily_cash_limit": "2000.00"},
        after={"daily_cash_limit": "500.00"},
    ),
    "raise a limit with a code": Case(
        run=lambda card, token, actor, outbox: confirm_with_code(
            card, "RAISE_LIMITS", actor, outbox, limits={"pos": "6000.00", "internet": "4000.00"}
        ),
        action="card.limits_changed",
        channel="PORTAL",
        before={"daily_pos_limit": "5000.00", "daily_internet_limit": "5000.00"},
        after={"daily_pos_limit": "6000.00", "daily_internet_limit": "4000.00"},
        data=BY_CODE,
        at=CONFIRMED_AT,
    ),
    "set limits at a branch": Case(
        run=direct(services.card_set_limits, "BRANCH", limits={"internet": "9000.00"}),
        action="card.limits_changed",
        channel="BRANCH",
        before={"daily_internet_limit": "5000.00"},
        after={"daily_internet_limit": "9000.00"},
    ),
    "enable 3-D Secure": Case(
        run=direct(services.card_enable_3ds, "PORTAL"),
        action="card.three_ds_enabled",
        channel="PORTAL",
        card={"three_ds_enabled": False},
        before={"three_ds_enabled": False},
        after={"three_ds_enabled": True},
    ),
    "disable mobile payments": Case(
        run=direct(services.card_disable_mobile_payments, "PORTAL"),
        action="card.mobile_payments_disabled",
        channel="PORTAL",
        before={"mobile_payments_enabled": True, "wallet_token_status": {TOKEN: "ACTIVE"}},
        after={"mobile_payments_enabled": False, "wallet_token_status": {TOKEN: "SUSPENDED"}},
        data={"devices_suspended": [token_details()]},
    ),
    "enable mobile payments": Case(
        run=direct(services.card_enable_mobile_payments, "PORTAL"),
        action="card.mobile_payments_enabled",
        channel="PORTAL",
        card={"mobile_payments_enabled": False},
        token_status=WalletTokenStatus.SUSPENDED,
        before={"mobile_payments_enabled": False},
        after={"mobile_payments_enabled": True},
    ),
    "suspend a device": Case(
        run=on_token(services.wallet_token_suspend, "PORTAL"),
        action="card.wallet_token_suspended",
        channel="PORTAL",
        before={"wallet_token_status": {TOKEN: "ACTIVE"}},
        after={"wallet_token_status": {TOKEN: "SUSPENDED"}},
        data={"device": token_details()},
    ),
    "resume a device": Case(
        run=on_token(services.wallet_token_resume, "PORTAL"),
        action="card.wallet_token_resumed",
        channel="PORTAL",
        token_status=WalletTokenStatus.SUSPENDED,
        before={"wallet_token_status": {TOKEN: "SUSPENDED"}},
        after={"wallet_token_status": {TOKEN: "ACTIVE"}},
        data={"device": token_details()},
    ),
    "remove a device at a branch": Case(
        run=on_token(services.wallet_token_remove, "BRANCH"),
        action="card.wallet_token_removed",
        channel="BRANCH",
        before={"wallet_token_status": {TOKEN: "ACTIVE"}},
        after={"wallet_token_status": {TOKEN: "REMOVED"}},
        data={"device": token_details()},
    ),
}


def resolve(value: Any, ids: dict[str, Any]) -> Any:
    """``value`` with the stand-ins replaced: an id as a dict key is text, elsewhere a number."""
    if isinstance(value, dict):
        return {str(ids.get(key, key)): resolve(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, ids) for item in value]
    return ids.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_card_operation_writes_one_entry_with_its_action_card_change_and_channel(
    case, customer_user, analyst, sms_outbox
):
    card = CardFactory(customer=customer_user.customer, **case.card)
    token = WalletTokenFactory(card=card, status=case.token_status)
    actor = customer_user if case.portal else analyst

    case.run(card, token, actor, sms_outbox)

    [entry] = card_entries()
    challenge = OtpChallenge.objects.filter(customer=card.customer).first()
    ids = {TOKEN: token.pk, CHALLENGE: challenge.pk if challenge else None}
    assert (entry.action, entry.channel, entry.actor, entry.role) == (
        case.action,
        case.channel,
        actor,
        "CUSTOMER" if case.portal else "ANALYST",
    )
    assert (entry.object_label, entry.object_id, entry.object_repr) == (
        "cards.card",
        str(card.pk),
        f"Visa •••• {card.last4}",
    )
    assert (entry.before, entry.after, entry.data) == (
        resolve(case.before, ids),
        resolve(case.after, ids),
        resolve(case.data, ids),
    )
    assert entry.recorded_at == case.at
    # The card's history has the act too, through the same channel.
    assert set(card.events.values_list("channel", flat=True)) == {case.channel}


def test_a_pin_change_entry_says_that_it_changed_and_holds_no_pin_nor_code(customer_user, sms_outbox):
    card = CardFactory(customer=customer_user.customer)

    change_pin(card, customer_user, sms_outbox)

    [entry] = card_entries()
    text = readable_text(entry)
    assert entry.action == "card.pin_changed"
    assert "5829" not in text
    assert last_code(sms_outbox, card.customer.mobile_phone) not in text


def test_a_portal_cancellation_records_the_moment_asked_as_the_report_time(customer_user, sms_outbox):
    card = CardFactory(customer=customer_user.customer)

    confirm_with_code(card, "CANCEL", customer_user, sms_outbox, reason="LOST")

    [entry] = card_entries()
    assert entry.recorded_at == CONFIRMED_AT
    assert entry.after["cancelled_at"] == entry.data["reported_at"] == "2026-05-20T19:47:13.000000Z"
    assert (entry.data["cancellation_reason"], entry.data["loss_or_theft_report"]) == ("LOST", True)


def test_a_cancellation_for_compromised_details_is_not_a_loss_report(analyst):
    card = CardFactory()

    services.card_cancel(
        customer=card.customer, card_id=card.pk, reason="COMPROMISED", actor=analyst, channel="PHONE", now=NOW
    )

    [entry] = card_entries()
    assert {name: entry.data[name] for name in ("cancellation_reason", "loss_or_theft_report")} == {
        "cancellation_reason": "COMPROMISED",
        "loss_or_theft_report": False,
    }


def test_ordering_a_replacement_names_the_new_card_and_leaves_the_old_one_unchanged(customer_user):
    product = CardProductFactory(max_daily_cash_limit=Decimal("3000.00"))
    card = CardFactory(
        customer=customer_user.customer,
        product=product,
        status=CardStatus.CANCELLED,
        cancelled_at=NOW - timedelta(days=1),
        cancellation_reason="LOST",
        daily_cash_limit=Decimal("2500.00"),
    )

    new = services.card_order_replacement(
        customer=card.customer, card_id=card.pk, actor=customer_user, channel="PORTAL", now=NOW
    )

    [entry] = card_entries()
    assert (entry.action, entry.object_id, entry.channel, entry.actor) == (
        "card.replacement_ordered",
        str(card.pk),
        "PORTAL",
        customer_user,
    )
    assert (entry.before, entry.after) == ({}, {})
    assert entry.data["replacement_card_id"] == new.pk
    replacement = entry.data["replacement"]
    assert (replacement["replaces"], replacement["status"], replacement["last4"]) == (
        card.pk,
        "INACTIVE",
        new.last4,
    )
    assert (replacement["daily_cash_limit"], replacement["expires_on"]) == ("2500.00", "2031-05-31")
    assert "processor_token" not in replacement
    assert new.processor_token not in readable_text(entry)


def test_the_system_channel_is_recorded_as_the_system():
    card = CardFactory()

    services.card_block(customer=card.customer, card_id=card.pk, actor=None, channel="SYSTEM", now=NOW)

    [entry] = card_entries()
    assert (entry.channel, entry.actor, entry.role, entry.actor_repr) == ("SYSTEM", None, "SYSTEM", "system")


# --- refused operations write nothing ------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["TIMEOUT", "REFUSED"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_an_operation_the_processor_refuses_writes_no_entry(
    case, failure, customer_user, analyst, sms_outbox, settings
):
    card = CardFactory(customer=customer_user.customer, **case.card)
    token = WalletTokenFactory(card=card, status=case.token_status)
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {
        card.processor_token: failure,
        token.token_reference: failure,
    }

    with pytest.raises((services.ProcessorUnavailable, services.ProcessorDeclined)):
        case.run(card, token, customer_user if case.portal else analyst, sms_outbox)

    assert card_entries() == []


def test_a_replacement_the_processor_refuses_writes_no_entry(settings):
    card = CardFactory(status=CardStatus.CANCELLED, cancelled_at=NOW, cancellation_reason="LOST")
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {card.processor_token: "TIMEOUT"}

    with pytest.raises(services.ProcessorUnavailable):
        services.card_order_replacement(
            customer=card.customer, card_id=card.pk, actor=None, channel="PORTAL", now=NOW
        )

    assert card_entries() == []
    assert card.customer.cards.count() == 1


def test_a_limit_above_the_maximum_writes_no_entry(analyst):
    card = CardFactory(product=CardProductFactory(max_daily_cash_limit=Decimal("10000.00")))

    with pytest.raises(services.LimitAboveMaximum):
        services.card_set_limits(
            customer=card.customer,
            card_id=card.pk,
            limits={"cash": "10000.01", "pos": "100.00"},
            actor=analyst,
            channel="BRANCH",
            now=NOW,
        )

    assert card_entries() == []


CANCELLED = {"status": CardStatus.CANCELLED, "cancelled_at": NOW, "cancellation_reason": "LOST"}


@pytest.mark.parametrize(
    ("card", "service", "details", "error"),
    [
        ({"status": CardStatus.BLOCKED}, services.card_block, {}, services.CardStatusConflict),
        ({"status": CardStatus.ACTIVE}, services.card_unblock, {}, services.CardStatusConflict),
        (CANCELLED, services.card_cancel, {"reason": "STOLEN"}, services.CardAlreadyCancelled),
        (CANCELLED, services.card_enable_3ds, {}, services.CardAlreadyCancelled),
        ({"status": CardStatus.ACTIVE}, services.card_order_replacement, {}, services.ReplacementNotAllowed),
    ],
    ids=[
        "block a blocked card",
        "unblock an active card",
        "cancel twice",
        "change a cancelled card",
        "replace a live card",
    ],
)
def test_an_operation_the_card_does_not_allow_writes_no_entry(card, service, details, error):
    card = CardFactory(three_ds_enabled=False, **card)

    with pytest.raises(error):
        service(customer=card.customer, card_id=card.pk, actor=None, channel="BRANCH", now=NOW, **details)

    assert card_entries() == []


def test_a_portal_request_without_a_code_writes_no_entry():
    card = CardFactory(status=CardStatus.INACTIVE)

    with pytest.raises(services.ConfirmationRequired):
        services.card_activate(customer=card.customer, card_id=card.pk, actor=None, channel="PORTAL", now=NOW)

    assert card_entries() == []


def test_a_change_that_changes_nothing_writes_no_entry():
    card = CardFactory(foreign_enabled=True, three_ds_enabled=True, mobile_payments_enabled=True)
    common = {"customer": card.customer, "card_id": card.pk, "actor": None, "channel": "PORTAL", "now": NOW}

    services.card_set_controls(controls={"foreign_enabled": True}, **common)
    services.card_set_limits(limits={"cash": "2000.00"}, **common)
    services.card_enable_3ds(**common)
    services.card_enable_mobile_payments(**common)

    assert card_entries() == []
    assert not card.events.exists()


# --- order: the processor first, then the entry -------------------------------------------------------


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_processor_is_asked_before_the_entry_is_written(
    case, customer_user, analyst, sms_outbox, settings
):
    settings.KARTOSFERA_CARD_PROCESSOR = "tests.cards.processors.AuditWatchingProcessor"
    card = CardFactory(customer=customer_user.customer, **case.card)
    token = WalletTokenFactory(card=card, status=case.token_status)
    CARD_ENTRIES_WHEN_CALLED.clear()

    case.run(card, token, customer_user if case.portal else analyst, sms_outbox)

    assert CARD_ENTRIES_WHEN_CALLED == [0]
    assert len(card_entries()) == 1
