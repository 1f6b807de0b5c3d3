"""Who may see the auditors' reports and exports: auditors, supervisors and administrators, signed in
to the back office with their second factor. Analysts work cases; they do not read the bank-wide
figures. Every report and export view and service checks this, not only the navigation."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from audit.models import Role
from audit.selectors import role_of
from disputes.backoffice.views import staff_required

REPORT_ROLES = frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.ADMINISTRATOR})


def may_read_reports(user: Any) -> bool:
    """True for an authenticated auditor, supervisor or administrator (as the audit log records roles)."""
    return bool(getattr(user, "is_authenticated", False)) and role_of(user) in REPORT_ROLES


def require_report_reader(user: Any) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may read reports (for services and tasks)."""
    if not may_read_reports(user):
        raise PermissionDenied("reports are for auditors, supervisors and administrators")


def reports_required(view: Callable) -> Callable:
    """Back-office staff past the second factor (``staff_required``) who may also read reports."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        require_report_reader(request.user)
        return view(request, *args, **kwargs)

    return wrapper
