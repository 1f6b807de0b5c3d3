"""``{% load reports_access %}``: ``user|may_read_reports`` for the navigation (the views check again)."""

from typing import Any

from django import template

from reports.access import may_read_reports as _may_read_reports

register = template.Library()


@register.filter
def may_read_reports(user: Any) -> bool:
    """Whether the signed-in user is an auditor, supervisor or administrator."""
    return _may_read_reports(user)
