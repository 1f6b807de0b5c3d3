"""Where an act comes from: channel, client IP, request id and signed-in user, per request or task.

``AuditContextMiddleware`` sets it for every web request and the Celery task signals
(audit.receivers) set SYSTEM for every task. A ``manage.py`` process (a command, the shell) records
through the CLI channel naming the operating-system user (``AuditConfig.ready``); any other process
without a context, SYSTEM. ``audit_channel`` changes the channel for a block. ``audit_record`` takes
its defaults from here. A ``contextvars`` variable, so threads and asyncio tasks each see their own.
"""

import getpass
import ipaddress
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from audit.models import Channel


@dataclass(frozen=True, slots=True)
class AuditContext:
    """The origin of the acts recorded while it is current."""

    channel: str
    ip_address: str = ""
    request_id: str = ""
    # Reads the signed-in user when an entry needs it (request.user is lazy and may change on sign-in).
    user_getter: Callable[[], Any] | None = None
    # True for a web request: an act without a signed-in user is then ANONYMOUS rather than SYSTEM.
    web: bool = False
    # Who is behind acts without a user, e.g. "root@host: manage.py shell" on the command line.
    origin: str = ""

    @property
    def user(self) -> Any:
        """The signed-in user, or None."""
        user = self.user_getter() if self.user_getter is not None else None
        return user if getattr(user, "is_authenticated", False) else None


SYSTEM_CONTEXT = AuditContext(channel=Channel.SYSTEM.value)

_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)
_process_default = SYSTEM_CONTEXT


def current_context() -> AuditContext:
    """The context of the running request or task, else the process's (SYSTEM unless set)."""
    return _current.get() or _process_default


def set_process_context(context: AuditContext) -> None:
    """Make ``context`` the one of everything in this process that sets no context of its own."""
    global _process_default  # one value per process, set once at start-up
    _process_default = context


def command_line_context(argv: list[str]) -> AuditContext | None:
    """The CLI context of a ``manage.py <command>`` process; None for any other program and for
    ``runserver`` (whose requests set their own)."""
    if not argv or Path(argv[0]).name not in {"manage.py", "django-admin"}:
        return None
    command = argv[1] if len(argv) > 1 else ""
    if command == "runserver":
        return None
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown user"
    return AuditContext(
        channel=Channel.CLI.value, origin=f"{user}@{socket.gethostname()}: manage.py {command}".strip()
    )


def has_context() -> bool:
    """Whether a request, task or command has set a context (the default SYSTEM one is not counted)."""
    return _current.get() is not None


def push_context(context: AuditContext) -> Token:
    """Make ``context`` current until ``pop_context`` is given the returned token."""
    return _current.set(context)


def pop_context(token: Token) -> None:
    """Restore the context that was current before ``push_context`` returned ``token``."""
    _current.reset(token)


@contextmanager
def audit_context(context: AuditContext) -> Iterator[AuditContext]:
    """Make ``context`` current inside the block."""
    token = push_context(context)
    try:
        yield context
    finally:
        pop_context(token)


@contextmanager
def audit_channel(channel: Channel | str) -> Iterator[AuditContext]:
    """Record the acts inside the block as coming through ``channel`` (e.g. ``Channel.PHONE`` for a
    claim an analyst takes on the telephone, ``Channel.LINE_828`` for a cancellation on the 828 line);
    the rest of the current context (IP, request id, user) stays."""
    with audit_context(replace(current_context(), channel=Channel(channel).value)) as context:
        yield context


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, normalised; behind ``KARTOSFERA_TRUSTED_PROXY_COUNT`` proxies, the
    address the outermost trusted proxy put in ``X-Forwarded-For``. Empty when it is not an address."""
    proxies = settings.KARTOSFERA_TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        # Each trusted proxy appends the address it received from; the ones before could be forged.
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    return normalise_ip(candidate)


def normalise_ip(value: str) -> str:
    """An IPv4 or IPv6 address in its canonical text (IPv4-mapped IPv6 as IPv4); '' if not one."""
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def channel_for_path(path: str) -> str:
    """The channel of a URL path: the first matching prefix of ``KARTOSFERA_AUDIT_CHANNEL_BY_PATH``,
    else PORTAL (the customers' site)."""
    for prefix, channel in settings.KARTOSFERA_AUDIT_CHANNEL_BY_PATH:
        if path.startswith(prefix):
            return Channel(channel).value
    return Channel.PORTAL.value


def request_context(request: HttpRequest) -> AuditContext:
    """The audit context of a web request."""
    return AuditContext(
        channel=channel_for_path(request.path),
        ip_address=client_ip(request),
        request_id=uuid.uuid4().hex,
        user_getter=lambda: getattr(request, "user", None),
        web=True,
    )
