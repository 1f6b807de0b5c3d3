"""The Celery app of the test suite's worker process: the project's app, with Django's content-type
cache cleared before each task.

The suite's transactional tests flush the PostgreSQL test database, which recreates the content types
under new ids while the worker lives on; a worker that kept the old ids would write audit entries
pointing at content types that no longer exist. A production worker never sees its content types
change under it.
"""

from celery.signals import task_prerun

from kartosfera.celery import app

__all__ = ["app"]


@task_prerun.connect
def _forget_content_types(**_: object) -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
