"""One model of authorisation: permissions, granted by the role groups the audit log names."""

from django.conf import settings

from kartosfera.authz import APPROVE_DECISION, HANDLE_CASE, READ_REPORTS, ROLE_PERMISSIONS, VIEW_CASE


def test_every_role_group_is_a_group_the_audit_log_names_a_role_by():
    assert set(ROLE_PERMISSIONS) <= set(settings.KARTOSFERA_ROLE_GROUPS.values())


def test_what_each_role_may_do():
    may = {
        group: {p for p in (VIEW_CASE, HANDLE_CASE, APPROVE_DECISION, READ_REPORTS) if p in held}
        for group, held in ROLE_PERMISSIONS.items()
    }

    assert may == {
        "analysts": {VIEW_CASE, HANDLE_CASE},
        "supervisors": {VIEW_CASE, HANDLE_CASE, APPROVE_DECISION, READ_REPORTS},
        "auditors": {VIEW_CASE, READ_REPORTS},
        "administrators": {VIEW_CASE, HANDLE_CASE, APPROVE_DECISION, READ_REPORTS},
    }
