"""Who may see the auditors' reports and exports: staff holding ``kartosfera.authz.READ_REPORTS``
(the auditors', supervisors' and administrators' groups grant it), signed in to the back office with
their second factor. Analysts work cases; they do not read the bank-wide figures. Every report and
export view and service checks this, not only the navigation."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from disputes.backoffice.access import staff_required
from kartosfera.authz import READ_REPORTS, may


def may_read_reports(user: Any) -> bool:
    """True for a signed-in user who holds ``READ_REPORTS``."""
    return may(user, READ_REPORTS)


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
