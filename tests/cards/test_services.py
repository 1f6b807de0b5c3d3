"""Card services: OTP confirmation, the processor's failures, cancellation, replacement, limits, devices."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.views.debug import ExceptionReporter

from cards import services
from cards.models import CardEvent, CardStatus, WalletTokenStatus
from cards.processor import _SIMULATOR_STATE
from customers.models import OtpChallenge
from customers.services import OtpInvalid, OtpNotFound
from tests.cards.factories import CardFactory, CardProductFactory, WalletTokenFactory
from tests.customers.factories import CustomerFactory
from tests.customers.portal import last_code, wrong_code

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 19, 47, 13, 654321, tzinfo=UTC)
PORTAL = CardEvent.Channel.PORTAL


def request_and_confirm(card, operation, now=NOW, *, sms_outbox, code=None, **details):
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation=operation, now=now, **details
    )
    return services.card_operation_confirm(
        customer=card.customer,
        card_id=card.pk,
        challenge_id=challenge.pk,
        code=code or last_code(sms_outbox, card.customer.mobile_phone),
        actor=None,
        now=now + timedelta(seconds=30),
    )


def snapshot(card):
    card.refresh_from_db()
    return (
        card.status,
        card.cancelled_at,
        card.cancellation_reason,
        card.daily_limits,
        card.contactless_enabled,
        card.events.count(),
        [token.status for token in card.wallet_tokens.order_by("pk")],
    )


def test_activation_from_the_portal_is_confirmed_by_a_code_and_recorded(sms_outbox):
    card = CardFactory(status=CardStatus.INACTIVE)

    operation, activated = request_and_confirm(card, services.CardOperation.ACTIVATE, sms_outbox=sms_outbox)

    assert (operation, activated.status) == (services.CardOperation.ACTIVATE, CardStatus.ACTIVE)
    event = card.events.get()
    assert (event.kind, event.channel, event.from_status, event.to_status) == (
        "ACTIVATED",
        "PORTAL",
        "INACTIVE",
        "ACTIVE",
    )
    assert event.occurred_at == NOW + timedelta(seconds=30)
    assert "aktywacji karty Visa •••• " + card.last4 in sms_outbox.joinpath("outbox.jsonl").read_text()


def test_the_portal_cannot_activate_without_a_code(sms_outbox):
    card = CardFactory(status=CardStatus.INACTIVE)

    with pytest.raises(services.ConfirmationRequired):
        services.card_activate(customer=card.customer, card_id=card.pk, actor=None, channel=PORTAL, now=NOW)

    assert snapshot(card)[0] == CardStatus.INACTIVE


def test_a_branch_activates_without_a_text_message_code():
    card = CardFactory(status=CardStatus.INACTIVE)

    services.card_activate(customer=card.customer, card_id=card.pk, actor=None, channel="BRANCH", now=NOW)

    assert card.events.get().channel == "BRANCH"


def test_a_wrong_code_activates_nothing(sms_outbox):
    card = CardFactory(status=CardStatus.INACTIVE)
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="ACTIVATE", now=NOW
    )
    before = snapshot(card)

    with pytest.raises(OtpInvalid):
        services.card_operation_confirm(
            customer=card.customer,
            card_id=card.pk,
            challenge_id=challenge.pk,
            code=wrong_code(last_code(sms_outbox, card.customer.mobile_phone)),
            actor=None,
            now=NOW,
        )

    assert snapshot(card) == before


def test_a_code_for_one_card_does_not_confirm_another(sms_outbox):
    customer = CustomerFactory()
    first = CardFactory(customer=customer, status=CardStatus.INACTIVE)
    second = CardFactory(customer=customer, status=CardStatus.INACTIVE)
    challenge = services.card_operation_request(
        customer=customer, card_id=first.pk, operation="ACTIVATE", now=NOW
    )

    with pytest.raises(OtpNotFound):
        services.card_operation_confirm(
            customer=customer,
            card_id=second.pk,
            challenge_id=challenge.pk,
            code=last_code(sms_outbox, customer.mobile_phone),
            actor=None,
            now=NOW,
        )

    assert snapshot(second)[0] == CardStatus.INACTIVE


@pytest.mark.parametrize(
    ("failure", "error", "polish"),
    [
        (
            "TIMEOUT",
            services.ProcessorUnavailable,
            "System kartowy nie odpowiedział na czas. Nic nie zostało zmienione",
        ),
        (
            "REFUSED",
            services.ProcessorDeclined,
            "System kartowy odrzucił tę zmianę. Nic nie zostało zmienione.",
        ),
    ],
)
@pytest.mark.parametrize(
    "operation",
    ["ACTIVATE", "UNBLOCK", "CANCEL", "RAISE_LIMITS", "BLOCK", "CONTROLS", "LIMITS_DOWN", "3DS", "PIN"],
)
def test_a_processor_failure_gives_a_clear_message_and_changes_nothing(
    settings, sms_outbox, operation, failure, error, polish
):
    status = {"ACTIVATE": CardStatus.INACTIVE, "UNBLOCK": CardStatus.BLOCKED}.get(
        operation, CardStatus.ACTIVE
    )
    card = CardFactory(status=status, three_ds_enabled=False)
    token = WalletTokenFactory(card=card)
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {card.processor_token: failure}
    before = snapshot(card)
    common = {"customer": card.customer, "card_id": card.pk, "actor": None, "channel": PORTAL, "now": NOW}
    challenge = None

    with translation.override("pl"), pytest.raises(error) as raised:
        match operation:
            case "ACTIVATE" | "UNBLOCK":
                request_and_confirm(card, operation, sms_outbox=sms_outbox)
            case "CANCEL":
                request_and_confirm(card, operation, reason="STOLEN", sms_outbox=sms_outbox)
            case "RAISE_LIMITS":
                request_and_confirm(card, operation, limits={"cash": "3000.00"}, sms_outbox=sms_outbox)
            case "BLOCK":
                services.card_block(**common)
            case "CONTROLS":
                services.card_set_controls(controls={"internet_enabled": False}, **common)
            case "LIMITS_DOWN":
                services.card_set_limits(limits={"cash": "100.00"}, **common)
            case "3DS":
                services.card_enable_3ds(**common)
            case "PIN":
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
                    actor=None,
                    now=NOW,
                )

    assert str(raised.value.message).startswith(polish)
    assert snapshot(card) == before
    token.refresh_from_db()
    assert token.status == WalletTokenStatus.ACTIVE
    # The code was not used up: the customer can retry once the processor answers.
    assert not OtpChallenge.objects.filter(customer=card.customer, consumed_at__isnull=False).exists()


def test_a_retry_with_the_same_code_works_once_the_processor_answers(settings, sms_outbox):
    card = CardFactory(status=CardStatus.INACTIVE)
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="ACTIVATE", now=NOW
    )
    code = last_code(sms_outbox, card.customer.mobile_phone)
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {card.processor_token: "TIMEOUT"}
    confirm = {
        "customer": card.customer,
        "card_id": card.pk,
        "challenge_id": challenge.pk,
        "code": code,
        "actor": None,
    }
    with pytest.raises(services.ProcessorUnavailable):
        services.card_operation_confirm(now=NOW, **confirm)
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {}

    _, activated = services.card_operation_confirm(now=NOW + timedelta(minutes=1), **confirm)

    assert activated.status == CardStatus.ACTIVE


def test_block_needs_no_code_and_unblock_needs_one(sms_outbox):
    card = CardFactory(status=CardStatus.ACTIVE)

    services.card_block(
        customer=card.customer,
        card_id=card.pk,
        actor=None,
        channel=PORTAL,
        now=NOW,
        reason="Nie mogę jej znaleźć.",
    )
    with pytest.raises(services.ConfirmationRequired):
        services.card_unblock(customer=card.customer, card_id=card.pk, actor=None, channel=PORTAL, now=NOW)
    request_and_confirm(card, "UNBLOCK", sms_outbox=sms_outbox)

    assert list(card.events.order_by("pk").values_list("kind", "reason")) == [
        ("BLOCKED", "Nie mogę jej znaleźć."),
        ("UNBLOCKED", ""),
    ]
    assert snapshot(card)[0] == CardStatus.ACTIVE


def test_cancellation_is_recorded_to_the_second_from_the_moment_asked_and_removes_every_device(sms_outbox):
    card = CardFactory(status=CardStatus.ACTIVE)
    phone = WalletTokenFactory(card=card, device_name="iPhone")
    watch = WalletTokenFactory(card=card, device_name="Watch", status=WalletTokenStatus.SUSPENDED)
    removed = WalletTokenFactory(card=card, device_name="Old", status=WalletTokenStatus.REMOVED)

    request_and_confirm(card, "CANCEL", reason="STOLEN", sms_outbox=sms_outbox)

    card.refresh_from_db()
    assert card.status == CardStatus.CANCELLED
    assert card.cancelled_at == datetime(2026, 5, 20, 19, 47, 13, tzinfo=UTC)
    assert card.cancellation_reason == "STOLEN"
    assert card.is_reported_lost_or_stolen
    # RULES.md section 6: every wallet token of the card goes with it, suspended ones too.
    for token, status in ((phone, "REMOVED"), (watch, "REMOVED"), (removed, "REMOVED")):
        token.refresh_from_db()
        assert token.status == status
    events = list(card.events.order_by("pk").values_list("kind", "channel"))
    assert events == [
        ("WALLET_TOKEN_REMOVED", "PORTAL"),
        ("WALLET_TOKEN_REMOVED", "PORTAL"),
        ("CANCELLED", "PORTAL"),
    ]
    assert card.events.get(kind="CANCELLED").data == {
        "cancellation_reason": "STOLEN",
        "reported_at": "2026-05-20T19:47:13Z",
    }


def test_a_second_cancellation_is_refused_in_polish_and_changes_nothing(sms_outbox):
    card = CardFactory(status=CardStatus.ACTIVE)
    services.card_cancel(
        customer=card.customer, card_id=card.pk, reason="LOST", actor=None, channel="LINE_828", now=NOW
    )
    before = snapshot(card)

    with translation.override("pl"), pytest.raises(services.CardAlreadyCancelled) as raised:
        services.card_cancel(
            customer=card.customer,
            card_id=card.pk,
            reason="STOLEN",
            actor=None,
            channel="LINE_828",
            now=NOW + timedelta(hours=1),
        )
    with pytest.raises(services.CardAlreadyCancelled):
        services.card_operation_request(
            customer=card.customer, card_id=card.pk, operation="CANCEL", reason="STOLEN", now=NOW
        )

    assert (
        str(raised.value.message)
        == "Ta karta jest już zastrzeżona. Nie można jej już używać ani zmieniać, a zastrzeżenia nie można "
        "cofnąć."
    )
    assert snapshot(card) == before
    assert sms_outbox.joinpath("outbox.jsonl").exists() is False


def test_a_replacement_is_a_new_inactive_card_of_the_same_product_ordered_once():
    product = CardProductFactory(max_daily_cash_limit=Decimal("3000.00"))
    card = CardFactory(
        product=product,
        status=CardStatus.CANCELLED,
        cancelled_at=NOW,
        cancellation_reason="LOST",
        daily_cash_limit=Decimal("2500.00"),
        internet_enabled=False,
    )

    new = services.card_order_replacement(
        customer=card.customer, card_id=card.pk, actor=None, channel=PORTAL, now=NOW
    )

    assert (new.status, new.product, new.customer, new.replaces) == (
        CardStatus.INACTIVE,
        product,
        card.customer,
        card,
    )
    assert (new.daily_cash_limit, new.internet_enabled, new.three_ds_enabled) == (
        Decimal("2500.00"),
        False,
        True,
    )
    assert new.expires_on == date(2031, 5, 31)
    assert new.processor_token != card.processor_token and len(new.last4) == 4
    assert new.events.get().kind == "ISSUED"
    assert card.events.get().kind == "REPLACEMENT_ORDERED"
    with pytest.raises(services.ReplacementAlreadyOrdered):
        services.card_order_replacement(
            customer=card.customer, card_id=card.pk, actor=None, channel=PORTAL, now=NOW
        )


def test_only_a_cancelled_or_expired_card_is_replaced():
    card = CardFactory(status=CardStatus.ACTIVE)

    with pytest.raises(services.ReplacementNotAllowed):
        services.card_order_replacement(
            customer=card.customer, card_id=card.pk, actor=None, channel=PORTAL, now=NOW
        )

    assert card.customer.cards.count() == 1


def test_a_limit_above_the_product_maximum_is_refused_in_polish_and_changes_nothing(sms_outbox):
    card = CardFactory(product=CardProductFactory(max_daily_cash_limit=Decimal("10000.00")))
    before = snapshot(card)

    with translation.override("pl"), pytest.raises(services.LimitAboveMaximum) as raised:
        services.card_operation_request(
            customer=card.customer,
            card_id=card.pk,
            operation="RAISE_LIMITS",
            limits={"cash": "10000.01"},
            now=NOW,
        )

    assert (
        str(raised.value.message)
        == "Limit nie może przekraczać maksimum tej karty, czyli 10\xa0000,00\xa0zł."
    )
    assert raised.value.field == "daily_cash_limit"
    assert snapshot(card) == before
    assert not OtpChallenge.objects.exists()


def test_lowering_a_limit_needs_no_code_and_raising_one_does(sms_outbox):
    card = CardFactory(daily_cash_limit=Decimal("2000.00"), daily_pos_limit=Decimal("5000.00"))

    services.card_set_limits(
        customer=card.customer, card_id=card.pk, limits={"cash": "500"}, actor=None, channel=PORTAL, now=NOW
    )
    with pytest.raises(services.ConfirmationRequired):
        services.card_set_limits(
            customer=card.customer,
            card_id=card.pk,
            limits={"pos": "6000"},
            actor=None,
            channel=PORTAL,
            now=NOW,
        )
    request_and_confirm(card, "RAISE_LIMITS", limits={"pos": "6000.00"}, sms_outbox=sms_outbox)

    card.refresh_from_db()
    assert (card.daily_cash_limit, card.daily_pos_limit) == (Decimal("500.00"), Decimal("6000.00"))
    assert [event.data for event in card.events.order_by("pk")] == [
        {"daily_cash_limit": {"from": "2000.00", "to": "500.00"}},
        {"daily_pos_limit": {"from": "5000.00", "to": "6000.00"}},
    ]


def test_limits_are_for_individual_customers_only():
    card = CardFactory(customer=CustomerFactory(kind="BUSINESS", company_name="Firma sp. z o.o."))
    before = snapshot(card)

    with pytest.raises(services.LimitsNotForBusiness):
        services.card_set_limits(
            customer=card.customer,
            card_id=card.pk,
            limits={"cash": "100"},
            actor=None,
            channel="BRANCH",
            now=NOW,
        )

    assert snapshot(card) == before


def test_contactless_is_switched_on_only_on_a_card_that_has_it():
    card = CardFactory(
        product=CardProductFactory(code="no-nfc", contactless_capable=False), contactless_enabled=False
    )

    with pytest.raises(services.ContactlessNotSupported):
        services.card_set_controls(
            customer=card.customer,
            card_id=card.pk,
            controls={"contactless_enabled": True},
            actor=None,
            channel=PORTAL,
            now=NOW,
        )

    assert snapshot(card)[4] is False


def test_switches_change_and_are_recorded():
    card = CardFactory()

    services.card_set_controls(
        customer=card.customer,
        card_id=card.pk,
        controls={"foreign_enabled": False, "atm_enabled": True, "internet_enabled": False},
        actor=None,
        channel=PORTAL,
        now=NOW,
    )

    card.refresh_from_db()
    assert (card.foreign_enabled, card.atm_enabled, card.internet_enabled) == (False, True, False)
    assert card.events.get().data == {
        "foreign_enabled": {"from": True, "to": False},
        "internet_enabled": {"from": True, "to": False},
    }


def test_3ds_and_mobile_payments():
    card = CardFactory(three_ds_enabled=False, mobile_payments_enabled=True)
    token = WalletTokenFactory(card=card)
    common = {"customer": card.customer, "card_id": card.pk, "actor": None, "channel": PORTAL, "now": NOW}

    services.card_enable_3ds(**common)
    services.card_disable_mobile_payments(**common)
    token.refresh_from_db()
    assert token.status == "SUSPENDED"
    with pytest.raises(services.WalletTokenStateConflict):
        services.wallet_token_resume(token_id=token.pk, **common)
    services.card_enable_mobile_payments(**common)
    services.wallet_token_resume(token_id=token.pk, **common)

    card.refresh_from_db()
    token.refresh_from_db()
    assert (card.three_ds_enabled, card.mobile_payments_enabled, token.status) == (True, True, "ACTIVE")
    # Turning mobile payments off suspends the devices, then records the switch (as a cancellation
    # records the suspended devices before the cancellation itself).
    assert list(card.events.order_by("pk").values_list("kind", flat=True)) == [
        "CONTROLS_CHANGED",
        "WALLET_TOKEN_SUSPENDED",
        "CONTROLS_CHANGED",
        "CONTROLS_CHANGED",
        "WALLET_TOKEN_RESUMED",
    ]


def test_one_device_is_suspended_or_removed():
    card = CardFactory()
    phone = WalletTokenFactory(card=card)
    watch = WalletTokenFactory(card=card)
    common = {"customer": card.customer, "card_id": card.pk, "actor": None, "channel": PORTAL, "now": NOW}

    services.wallet_token_suspend(token_id=phone.pk, **common)
    services.wallet_token_remove(token_id=watch.pk, **common)

    phone.refresh_from_db()
    watch.refresh_from_db()
    assert (phone.status, watch.status) == ("SUSPENDED", "REMOVED")
    with pytest.raises(services.WalletTokenStateConflict):
        services.wallet_token_remove(token_id=watch.pk, **common)


def test_a_device_of_another_customers_card_is_not_found():
    card = CardFactory()
    foreign = WalletTokenFactory()

    with pytest.raises(type(foreign).DoesNotExist):
        services.wallet_token_suspend(
            customer=card.customer, card_id=card.pk, token_id=foreign.pk, actor=None, channel=PORTAL, now=NOW
        )

    foreign.refresh_from_db()
    assert foreign.status == "ACTIVE"


@pytest.mark.parametrize(
    ("pin", "repeated", "field", "message"),
    [
        ("1111", "1111", "pin", "Ten PIN jest zbyt łatwy do odgadnięcia"),
        ("1234", "1234", "pin", "Ten PIN jest zbyt łatwy do odgadnięcia"),
        ("5829", "5828", "pin_repeated", "Wpisane PIN-y się różnią."),
        ("1980", "1980", "pin", "Nie używaj roku ani daty urodzenia"),
    ],
)
def test_a_refused_pin_costs_no_code_attempt_and_changes_nothing(sms_outbox, pin, repeated, field, message):
    card = CardFactory(customer=CustomerFactory(birth_date=date(1980, 2, 3)))
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="CHANGE_PIN", now=NOW
    )

    with translation.override("pl"), pytest.raises(services.PinRefused) as raised:
        services.card_change_pin_with_code(
            customer=card.customer,
            card_id=card.pk,
            pin=pin,
            pin_repeated=repeated,
            challenge_id=challenge.pk,
            code=wrong_code(last_code(sms_outbox, card.customer.mobile_phone)),
            actor=None,
            now=NOW,
        )

    assert raised.value.field == field
    assert str(raised.value.message).startswith(message)
    challenge.refresh_from_db()
    assert challenge.attempts == 0
    assert not card.events.exists()


def test_a_pin_change_reaches_the_processor_and_never_the_database(sms_outbox):
    card = CardFactory()
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="CHANGE_PIN", now=NOW
    )

    code = last_code(sms_outbox, card.customer.mobile_phone)

    with CaptureQueriesContext(connection) as queries:
        services.card_change_pin_with_code(
            customer=card.customer,
            card_id=card.pk,
            pin="5829",
            pin_repeated="5829",
            challenge_id=challenge.pk,
            code=code,
            actor=None,
            now=NOW,
        )

    assert queries.captured_queries
    assert not [query["sql"] for query in queries.captured_queries if "5829" in query["sql"]]
    event = card.events.get()
    assert (event.kind, event.data, event.reason) == ("PIN_CHANGED", {}, "")
    assert _SIMULATOR_STATE[card.processor_token]["pin_set"] is True
    assert "5829" not in str(_SIMULATOR_STATE[card.processor_token])


# Built, not written out, and no test's local: an error report shows the lines around each frame and
# every frame's locals, the test's own included.
NEW_PIN = str(5800 + 29)


def test_a_pin_change_the_processor_fails_leaves_the_pin_out_of_the_error_report(sms_outbox, settings, rf):
    card = CardFactory()
    challenge = services.card_operation_request(
        customer=card.customer, card_id=card.pk, operation="CHANGE_PIN", now=NOW
    )
    code = last_code(sms_outbox, card.customer.mobile_phone)
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {card.processor_token: "TIMEOUT"}

    with pytest.raises(services.ProcessorUnavailable) as raised:
        services.card_change_pin_with_code(
            customer=card.customer,
            card_id=card.pk,
            pin=NEW_PIN,
            pin_repeated=NEW_PIN,
            challenge_id=challenge.pk,
            code=code,
            actor=None,
            now=NOW,
        )
    error = raised.value
    report = ExceptionReporter(rf.get("/"), type(error), error, error.__traceback__).get_traceback_html()

    assert "finish_card_change" in report and "call_processor" in report  # the frames are in the report
    assert not standing_alone(NEW_PIN).search(report)


def standing_alone(digits: str) -> "re.Pattern[str]":
    """``digits`` as a value of its own (quoted, after ``=`` or ``:``, between spaces or tags), not inside a
    longer run of letters, digits or dashes: a report's memory addresses, hashes, ids and UUIDs hold any
    four digits by chance in one report out of a few, a PIN shown as a value never stands inside one."""
    return re.compile(rf"(?<![\w-]){re.escape(digits)}(?![\w-])")


def test_standing_alone_finds_a_pin_shown_as_a_value_and_not_inside_an_address():
    shown = ["pin=5829", "&#x27;5829&#x27;", "<td>5829</td>", '"new_pin": "5829"', "pin: 5829."]
    incidental = ["0x7f3a5829c0", "a95829e1b2", "3f2a-58291", "158290", "id_5829"]
    assert all(standing_alone("5829").search(text) for text in shown)
    assert not any(standing_alone("5829").search(text) for text in incidental)
