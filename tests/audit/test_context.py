"""The audit context: per request from the middleware, SYSTEM in Celery tasks, CLI in manage.py."""

import getpass
import socket

import pytest
from django.http import HttpResponse

from audit.context import (
    SYSTEM_CONTEXT,
    channel_for_path,
    client_ip,
    command_line_context,
    current_context,
    has_context,
    normalise_ip,
    set_process_context,
)
from audit.middleware import AuditContextMiddleware
from audit.models import AuditEntry
from audit.services import audit_record
from kartosfera.celery import app
from kartosfera.clock import now as clock_now


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/admin/", "ADMIN"),
        ("/admin/audit/auditentry/", "ADMIN"),
        ("/back-office/cases/12/", "BACK_OFFICE"),
        ("/", "PORTAL"),
        ("/karty/", "PORTAL"),
        ("/administration", "PORTAL"),
    ],
)
def test_the_channel_follows_the_url(path, channel):
    assert channel_for_path(path) == channel


def test_the_channel_prefixes_are_a_setting(settings):
    settings.KARTOSFERA_AUDIT_CHANNEL_BY_PATH = [("/pracownik/", "BACK_OFFICE")]

    assert (channel_for_path("/pracownik/sprawy/"), channel_for_path("/admin/")) == ("BACK_OFFICE", "PORTAL")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("unknown", ""),
        ("", ""),
    ],
)
def test_ip_addresses_are_normalised(value, expected):
    assert normalise_ip(value) == expected


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no trusted proxy: the header could be forged
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client made up the first address
        (2, "198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.2"),  # fewer addresses than proxies: not to be trusted
    ],
)
def test_behind_trusted_proxies_the_client_ip_comes_from_x_forwarded_for(
    rf, settings, proxies, forwarded, expected
):
    settings.KARTOSFERA_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_the_middleware_sets_the_context_for_the_request_only(rf):
    seen = []

    def view(request):
        seen.append(current_context())
        return HttpResponse("ok")

    middleware = AuditContextMiddleware(view)
    middleware(rf.get("/admin/", REMOTE_ADDR="203.0.113.7"))
    middleware(rf.get("/karty/", REMOTE_ADDR="198.51.100.23"))

    assert [(context.channel, context.ip_address, context.web) for context in seen] == [
        ("ADMIN", "203.0.113.7", True),
        ("PORTAL", "198.51.100.23", True),
    ]
    assert seen[0].request_id != seen[1].request_id
    assert not has_context()
    assert current_context().channel == "SYSTEM"


@app.task(name="tests.audit.record_in_a_task")
def record_in_a_task(action: str) -> int:
    return audit_record(action=action, actor=None, now=clock_now()).pk


@pytest.mark.django_db
def test_a_celery_task_records_through_the_system_channel_even_inside_a_request(rf):
    def view(request):
        pk = record_in_a_task.apply(kwargs={"action": "test.from_task"}).get()
        return HttpResponse(str(pk))

    response = AuditContextMiddleware(view)(rf.get("/karty/", REMOTE_ADDR="198.51.100.23"))

    entry = AuditEntry.objects.get(pk=int(response.content))
    assert (entry.channel, entry.role, entry.ip_address, entry.request_id) == ("SYSTEM", "SYSTEM", "", "")
    assert not has_context()


@pytest.mark.parametrize(
    ("argv", "channel"),
    [
        (["manage.py", "shell"], "CLI"),
        (["/srv/kartosfera/manage.py", "seed_demo"], "CLI"),
        (["django-admin", "verify_audit"], "CLI"),
        (["manage.py", "runserver"], None),
        (["/usr/bin/celery", "-A", "kartosfera", "worker"], None),
        (["pytest"], None),
        ([], None),
    ],
)
def test_a_manage_py_process_records_through_the_cli_channel(argv, channel):
    context = command_line_context(argv)

    assert (None if context is None else context.channel) == channel


@pytest.mark.django_db
def test_an_act_on_the_command_line_names_the_operating_system_user(now):
    context = command_line_context(["manage.py", "shell"])
    set_process_context(context)
    try:
        entry = audit_record(action="test.from_shell", actor=None, now=now)
    finally:
        set_process_context(SYSTEM_CONTEXT)

    assert (entry.channel, entry.role) == ("CLI", "SYSTEM")
    assert entry.actor_repr == f"{getpass.getuser()}@{socket.gethostname()}: manage.py shell"
    assert current_context().channel == "SYSTEM"
