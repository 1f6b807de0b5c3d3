"""Text messages: a pluggable sender chosen by ``settings.KARTOSFERA_SMS_BACKEND``.

- :class:`FileSmsBackend` (development, demo, tests) appends every message to ``outbox.jsonl`` in
  ``KARTOSFERA_SMS_DIR`` and, with ``KARTOSFERA_SMS_ECHO``, prints it on the console (not to a
  log: the logs never see a one-time password), so a person trying the demo can read the code.
- :class:`HttpGatewaySmsBackend` (production) posts the message to an SMS gateway over HTTPS with httpx.

Callers never log a message body.
"""

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from kartosfera import clock


class SmsSendError(Exception):
    """The message could not be handed to the gateway."""


@dataclass(frozen=True, slots=True)
class SmsMessage:
    to: str  # E.164
    body: str


def masked_phone(phone: str) -> str:
    """A phone number as shown on screen and in logs: ``+48 ••• ••• 567``."""
    return f"{phone[:3]} ••• ••• {phone[-3:]}" if len(phone) > 6 else "•••"


class SmsBackend:
    """Sends one text message or raises :class:`SmsSendError`."""

    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


_OUTBOX_LOCK = threading.Lock()


class FileSmsBackend(SmsBackend):
    """Development sender: ``<KARTOSFERA_SMS_DIR>/outbox.jsonl``, one JSON object per message."""

    def __init__(self, directory: Path | None = None, echo: bool | None = None) -> None:
        self.directory = Path(directory or settings.KARTOSFERA_SMS_DIR)
        self.echo = settings.KARTOSFERA_SMS_ECHO if echo is None else echo

    @property
    def outbox(self) -> Path:
        return self.directory / "outbox.jsonl"

    def send(self, message: SmsMessage) -> None:
        sent_at = clock.now()
        line = json.dumps(
            {"sent_at": sent_at.isoformat(), "to": message.to, "body": message.body}, ensure_ascii=False
        )
        try:
            with _OUTBOX_LOCK:
                self.directory.mkdir(parents=True, exist_ok=True)
                with self.outbox.open("a", encoding="utf-8") as outbox:
                    outbox.write(line + "\n")
        except OSError as error:
            raise SmsSendError(f"cannot write the SMS outbox: {error}") from error
        if self.echo:
            # The demo's way to "receive" the text: the development server's console.
            sys.stdout.write(f"\n[SMS to {message.to} at {sent_at:%H:%M:%S}] {message.body}\n")
            sys.stdout.flush()


def read_outbox(directory: Path | None = None) -> list[dict[str, str]]:
    """Every message the file sender wrote, oldest first (tests and the demo read codes from it)."""
    outbox = FileSmsBackend(directory=directory, echo=False).outbox
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines() if line.strip()]


class HttpGatewaySmsBackend(SmsBackend):
    """Production sender: ``POST {to, text, sender}`` as JSON to the gateway with a bearer token.

    Any answer other than 2xx, a timeout or a connection error raises :class:`SmsSendError`.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url if url is not None else settings.KARTOSFERA_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.KARTOSFERA_SMS_GATEWAY_TOKEN
        self.sender = sender or settings.KARTOSFERA_SMS_SENDER
        self.timeout = timeout if timeout is not None else settings.KARTOSFERA_SMS_TIMEOUT_SECONDS
        self.transport = transport

    def send(self, message: SmsMessage) -> None:
        if not self.url:
            raise SmsSendError("KARTOSFERA_SMS_GATEWAY_URL is not set")
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    self.url,
                    json={"to": message.to, "text": message.body, "sender": self.sender},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
        except httpx.HTTPError as error:
            raise SmsSendError(f"SMS gateway unreachable: {type(error).__name__}") from error
        if not response.is_success:
            raise SmsSendError(f"SMS gateway answered {response.status_code}")


def get_sms_backend() -> SmsBackend:
    """The configured sender (``settings.KARTOSFERA_SMS_BACKEND``, a dotted path to a class)."""
    return import_string(settings.KARTOSFERA_SMS_BACKEND)()
