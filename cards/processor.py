"""The card processor: the system that actually authorises payments with the card's settings.

Every change a customer makes to a card is sent here before our records change (``cards.services``
call it inside their transaction, after their own checks, so a failure rolls our change back). The
PIN goes here and nowhere else: not to the database, not to a log.

``settings.KARTOSFERA_CARD_PROCESSOR`` names the implementation. :class:`SimulatedCardProcessor` is a
working in-process stand-in for the demo and the tests: it keeps its own view of each card and
refuses what a processor would (e.g. activating a cancelled card). It can be told to fail:
``settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES`` maps a card's processor token or a wallet
token reference to ``"TIMEOUT"`` or ``"REFUSED"``.
"""

import base64
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables


class CardProcessorError(Exception):
    """The processor did not carry out the request; nothing changed on its side."""


class CardProcessorTimeout(CardProcessorError):
    """The processor did not answer in time."""


class CardProcessorRefused(CardProcessorError):
    """The processor answered and refused the request."""


@dataclass(frozen=True, slots=True)
class IssuedCard:
    """What the processor tells us about a newly issued card: never the full number."""

    processor_token: str
    last4: str
    expires_on: date


class CardProcessor(Protocol):
    """What Kartosfera asks of a card processor. Each call raises :class:`CardProcessorError` on failure."""

    def activate(self, *, processor_token: str) -> None: ...

    def set_pin(self, *, processor_token: str, pin: str) -> None: ...

    def block(self, *, processor_token: str) -> None: ...

    def unblock(self, *, processor_token: str) -> None: ...

    def cancel(self, *, processor_token: str, reason: str) -> None: ...

    def set_controls(self, *, processor_token: str, controls: dict[str, bool]) -> None: ...

    def set_limits(self, *, processor_token: str, limits: dict[str, Decimal]) -> None: ...

    def enable_3ds(self, *, processor_token: str) -> None: ...

    def set_mobile_payments(self, *, processor_token: str, enabled: bool) -> None: ...

    def suspend_wallet_token(self, *, token_reference: str) -> None: ...

    def resume_wallet_token(self, *, token_reference: str) -> None: ...

    def remove_wallet_token(self, *, token_reference: str) -> None: ...

    def activate_wallet_token(self, *, token_reference: str) -> None: ...

    def issue_replacement(self, *, processor_token: str, expires_on: date) -> IssuedCard: ...


_SIMULATOR_STATE: dict[str, dict[str, object]] = {}
_SIMULATOR_LOCK = threading.Lock()


class SimulatedCardProcessor:
    """An in-process processor for the demo and the tests (see the module docstring)."""

    def _maybe_fail(self, reference: str) -> None:
        failure = settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES.get(reference)
        if failure == "TIMEOUT":
            raise CardProcessorTimeout(f"simulated timeout for {reference}")
        if failure == "REFUSED":
            raise CardProcessorRefused(f"simulated refusal for {reference}")

    def _card(self, processor_token: str) -> dict[str, object]:
        self._maybe_fail(processor_token)
        return _SIMULATOR_STATE.setdefault(processor_token, {"cancelled": False})

    def _live_card(self, processor_token: str) -> dict[str, object]:
        card = self._card(processor_token)
        if card["cancelled"]:
            raise CardProcessorRefused(f"card {processor_token} is cancelled")
        return card

    def activate(self, *, processor_token: str) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)["active"] = True

    @sensitive_variables("pin")
    def set_pin(self, *, processor_token: str, pin: str) -> None:
        if len(pin) != 4 or not pin.isdigit():
            raise CardProcessorRefused("a PIN has 4 digits")
        with _SIMULATOR_LOCK:
            # A real processor keeps the PIN in its hardware security module; the simulator keeps
            # only the fact that one was set.
            self._live_card(processor_token)["pin_set"] = True

    def block(self, *, processor_token: str) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)["blocked"] = True

    def unblock(self, *, processor_token: str) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)["blocked"] = False

    def cancel(self, *, processor_token: str, reason: str) -> None:
        with _SIMULATOR_LOCK:
            card = self._card(processor_token)
            card["cancelled"], card["cancellation_reason"] = True, reason

    def set_controls(self, *, processor_token: str, controls: dict[str, bool]) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token).update(controls)

    def set_limits(self, *, processor_token: str, limits: dict[str, Decimal]) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)["limits"] = dict(limits)

    def enable_3ds(self, *, processor_token: str) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)["three_ds"] = True

    def set_mobile_payments(self, *, processor_token: str, enabled: bool) -> None:
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)["mobile_payments"] = enabled

    def suspend_wallet_token(self, *, token_reference: str) -> None:
        self._maybe_fail(token_reference)

    def resume_wallet_token(self, *, token_reference: str) -> None:
        self._maybe_fail(token_reference)

    def remove_wallet_token(self, *, token_reference: str) -> None:
        self._maybe_fail(token_reference)

    def activate_wallet_token(self, *, token_reference: str) -> None:
        self._maybe_fail(token_reference)

    def wallet_request(self, *, processor_token: str) -> tuple[str, str]:
        """A wallet's request to add the card, as the token service sends it: the token's reference
        (letters only, never like a card number) and the last four digits the wallet will show."""
        with _SIMULATOR_LOCK:
            self._live_card(processor_token)
        reference = "wtk_" + base64.b32encode(secrets.token_bytes(15)).decode().lower()
        return reference, f"{secrets.randbelow(10_000):04d}"

    def issue_replacement(self, *, processor_token: str, expires_on: date) -> IssuedCard:
        with _SIMULATOR_LOCK:
            self._card(processor_token)
            # Letters and the digits 2-7 only: a token never looks like a card number.
            token = "tok_" + base64.b32encode(secrets.token_bytes(15)).decode().lower()
            _SIMULATOR_STATE[token] = {"cancelled": False, "replaces": processor_token}
        return IssuedCard(
            processor_token=token, last4=f"{secrets.randbelow(10_000):04d}", expires_on=expires_on
        )


def get_card_processor() -> CardProcessor:
    """The configured processor (``settings.KARTOSFERA_CARD_PROCESSOR``, a dotted path to a class)."""
    return import_string(settings.KARTOSFERA_CARD_PROCESSOR)()
