"""Helpers and fixtures for portal tests: the SMS outbox, registered customers, signing in."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from customers.models import Customer, User
from customers.services._otp import SEND_TASK
from customers.sms import read_outbox
from kartosfera import clock
from tests.customers.factories import CustomerFactory

PASSWORD = "Zielona-Herbata-2026"


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path) -> Path:
    """Every test gets its own SMS outbox (the file sender), silent on the console."""
    directory = tmp_path / "sms"
    settings.KARTOSFERA_SMS_BACKEND = "customers.sms.FileSmsBackend"
    settings.KARTOSFERA_SMS_DIR = directory
    settings.KARTOSFERA_SMS_ECHO = False
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {}
    return directory


@contextmanager
def _tasks_here() -> Iterator[None]:
    from kartosfera.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def texts_in_this_process():
    """Tasks run here after the commit, also under `make test-services`: a worker process would write
    the texts and e-mails to its own SMS outbox and mail box, not this test's."""
    with _tasks_here():
        yield


def run_queued_texts() -> int:
    """Run, in this process, the code texts queued in the outbox and not run yet; how many.

    What a worker does once the request's transaction commits: a test's own transaction never commits
    (transactional tests and the browser run them after the commit already, leaving nothing here).
    In this process also under `make test-services`, so the texts land in this test's SMS outbox.
    """
    from outbox.models import OutboxMessage
    from outbox.services import outbox_publish

    queued = list(
        OutboxMessage.objects.filter(task=SEND_TASK, finished_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with _tasks_here():
        return outbox_publish(message_ids=queued, now=clock.now())


def messages_to(directory: Path, phone: str, *, run_queued: bool = True) -> list[str]:
    """The bodies of the texts to ``phone``, once the queued code texts have run (``run_queued``; a
    browser test's live server ran them after its commits, and its thread may not use the ORM)."""
    if run_queued:
        run_queued_texts()
    return [message["body"] for message in read_outbox(directory) if message["to"] == phone]


def last_code(directory: Path, phone: str, *, run_queued: bool = True) -> str:
    """The code in the latest text message to ``phone``."""
    bodies = messages_to(directory, phone, run_queued=run_queued)
    assert bodies, f"no text message to {phone}"
    return re.search(r"(?<![0-9])([0-9]{6})(?![0-9])", bodies[-1]).group(1)


def wrong_code(code: str) -> str:
    """A 6-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def registered_customer(password: str = PASSWORD, **kwargs) -> Customer:
    """A customer with a portal sign-in (username = PESEL or bank id)."""
    customer = CustomerFactory(**kwargs)
    user = User.objects.create_user(
        username=customer.pesel or customer.bank_id,
        password=password,
        first_name=customer.first_name,
        last_name=customer.last_name,
    )
    customer.user = user
    customer.save(update_fields=["user"])
    return customer


def sign_in(client, customer: Customer, password: str = PASSWORD):
    """Sign in through the portal's page (django-axes and all), returning the response."""
    return client.post("/sign-in/", {"identifier": customer.pesel or customer.bank_id, "password": password})


def birth_date_of(customer: Customer) -> date:
    return customer.birth_date
