"""Registering the apps' tasks in a web process (the first enqueue, or the WSGI start) leaves logging
and Django as they are: no second django.setup(), whose logging configuration would drop a handler
added since start-up (an error reporter's, or a test's log capture)."""

import logging

from outbox import services


def test_loading_the_tasks_keeps_the_root_loggers_handlers():
    marker = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(marker)
    services._registered_tasks.cache_clear()
    try:
        tasks = services._registered_tasks()
        assert marker in root.handlers
    finally:
        root.removeHandler(marker)
    assert {"outbox.tasks.deliver", "customers.tasks.send_otp", "letters.tasks.issue_letter"} <= tasks
