"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartosfera.settings")
application = get_wsgi_application()

# Each web process registers the apps' tasks as it starts, so no request waits for their import.
from outbox.services import outbox_tasks_load  # noqa: E402 (after Django is set up)

outbox_tasks_load()
