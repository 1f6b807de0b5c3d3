"""The Celery application; configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartosfera.settings")

app = Celery("kartosfera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _eager_without_a_broker(sender: Celery, **_kwargs) -> None:
    """Eager tasks (no ``CELERY_BROKER_URL``) never reach a broker, but Celery still takes a producer
    for their serializer; the in-memory transport saves kombu from guessing a host ("No hostname was
    supplied. Reverting to default 'localhost'")."""
    if sender.conf.task_always_eager and not sender.conf.broker_url:
        sender.conf.broker_url = "memory://localhost/"
