"""Who may do what, in one place: Django permissions, granted to staff through their role groups.

There is one model of authorisation. Every check asks ``user.has_perm`` for one of the permissions
named here, never for a role or a group name. A staff role is a Django group (named as in
``settings.KARTOSFERA_ROLE_GROUPS``, so the role the audit log records and the permissions agree),
and ``ROLE_PERMISSIONS`` is what each group grants; a superuser holds every permission. The audit
log's ``role`` column describes who acted; it decides nothing.

Pure: no ORM. The services that create the groups (``disputes.services.staff_groups_ensure``) and the
migrations that grant the permissions read this table.
"""

from typing import Any

VIEW_CASE = "disputes.view_case"
HANDLE_CASE = "disputes.handle_case"
APPROVE_DECISION = "disputes.approve_decision"
SUPERVISE_CASE = "disputes.supervise_case"
# The bank-wide reports, exports and audit verification: auditors, supervisors and administrators.
# Analysts work cases; they do not read the bank-wide figures.
READ_REPORTS = "reports.read_reports"

# The staff roles' groups and the permissions each grants. Auditors see everything and change nothing;
# administrators hold every permission.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "analysts": (VIEW_CASE, HANDLE_CASE),
    "supervisors": (VIEW_CASE, HANDLE_CASE, APPROVE_DECISION, SUPERVISE_CASE, READ_REPORTS),
    "auditors": (VIEW_CASE, READ_REPORTS),
    "administrators": (VIEW_CASE, HANDLE_CASE, APPROVE_DECISION, SUPERVISE_CASE, READ_REPORTS),
}


def may(user: Any, permission: str) -> bool:
    """True for a signed-in, active user who holds ``permission`` (directly, by a group, or as superuser)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(permission))
