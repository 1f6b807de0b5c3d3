"""Kartosfera: card portal and dispute case management."""

from kartosfera.celery import app as celery_app

__all__ = ["celery_app"]
