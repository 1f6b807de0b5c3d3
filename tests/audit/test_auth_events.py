"""Sign-ins, sign-outs, failed sign-ins and changes of privileges are recorded from Django's signals."""

import pytest
from django.contrib.auth import login
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore

from audit.canonical import canonical_json
from audit.context import AuditContext, audit_context
from audit.models import AuditEntry
from audit.services import audit_recorded_by_caller
from disputes.backoffice.services import staff_totp_device_ensure
from tests.backoffice.test_access import _code as totp_code
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

# Staff sign in through the back office (the admin's sign-in is the same two steps): the password
# step authenticates, the TOTP step signs in.
LOGIN_URL = "/back-office/sign-in/"
PASSWORD = "a-long-password-1"


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


def entry_text(entry: AuditEntry) -> str:
    return canonical_json(entry.hash_content()).decode()


def test_a_staff_sign_in_is_recorded_with_ip_role_and_channel(client, make_user):
    analyst = make_user("ewa.analyst", groups=("analysts",), is_staff=True)

    device = staff_totp_device_ensure(user=analyst)
    client.post(LOGIN_URL, {"username": "ewa.analyst", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert entries("auth.sign_in") == []  # the password alone signs nobody in
    response = client.post(
        "/back-office/sign-in/code/", {"code": totp_code(device)}, REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 302
    [entry] = entries("auth.sign_in")
    assert (entry.actor, entry.actor_repr, entry.role, entry.channel, entry.ip_address) == (
        analyst,
        f"ewa.analyst (user {analyst.pk})",
        "ANALYST",
        "BACK_OFFICE",
        "203.0.113.7",
    )
    assert (entry.object_label, entry.object_id) == ("customers.user", str(analyst.pk))
    assert len(entry.request_id) == 32
    assert PASSWORD not in entry_text(entry)


def test_a_customer_sign_in_on_the_portal_is_recorded_as_a_customer(rf, make_user):
    customer = make_user("anna.kowalska")
    request = rf.post("/logowanie/", REMOTE_ADDR="198.51.100.23")
    request.session = SessionStore()

    login(request, customer, backend="django.contrib.auth.backends.ModelBackend")

    [entry] = entries("auth.sign_in")
    assert (entry.actor, entry.role, entry.channel, entry.ip_address) == (
        customer,
        "CUSTOMER",
        "PORTAL",
        "198.51.100.23",
    )
    assert entry.data == {"backend": "django.contrib.auth.backends.ModelBackend"}


def test_a_failed_sign_in_is_recorded_anonymously_against_the_account(client, make_user):
    account = make_user("ewa.analyst", groups=("analysts",), is_staff=True)

    response = client.post(
        LOGIN_URL, {"username": "ewa.analyst", "password": "wrong-password-99"}, REMOTE_ADDR="203.0.113.99"
    )

    assert response.status_code == 200
    [entry] = entries("auth.sign_in_failed")
    assert (entry.actor, entry.actor_repr, entry.role, entry.channel, entry.ip_address) == (
        None,
        "anonymous",
        "ANONYMOUS",
        "BACK_OFFICE",
        "203.0.113.99",
    )
    assert (entry.object_label, entry.object_id) == ("customers.user", str(account.pk))
    assert entry.data == {"username": "ewa.analyst", "account_exists": True}
    assert "wrong-password-99" not in entry_text(entry)
    assert entries("auth.sign_in") == []


def test_a_failed_sign_in_with_an_unknown_user_name_is_recorded(client):
    client.post(LOGIN_URL, {"username": "nobody", "password": "x"}, REMOTE_ADDR="2001:db8::1")

    [entry] = entries("auth.sign_in_failed")
    assert (entry.object_id, entry.ip_address, entry.data) == (
        "",
        "2001:db8::1",
        {"username": "nobody", "account_exists": False},
    )


def test_a_failed_customer_sign_in_names_the_customer_and_never_the_pesel(client, make_user):
    from tests.customers.portal import registered_customer

    customer = registered_customer()

    client.post("/sign-in/", {"identifier": customer.pesel, "password": "wrong-password-99"})
    client.post("/sign-in/", {"identifier": "85031412345", "password": "wrong-password-99"})

    known, unknown = entries("auth.sign_in_failed")
    assert (known.object_repr, known.data) == (
        f"customer {customer.pk} (user {customer.user.pk})",
        {"account_exists": True, "identifier_withheld": True},
    )
    assert (unknown.object_id, unknown.data) == ("", {"account_exists": False, "identifier_withheld": True})
    assert customer.pesel not in entry_text(known) and "85031412345" not in entry_text(unknown)


def test_a_sign_out_is_recorded(client, make_user):
    user = make_user("admin.jan", is_staff=True, is_superuser=True)
    sign_in_staff(client, user)

    client.post("/admin/logout/", REMOTE_ADDR="203.0.113.7")

    [entry] = entries("auth.sign_out")
    assert (entry.actor, entry.role, entry.channel, entry.ip_address) == (
        user,
        "ADMINISTRATOR",
        "ADMIN",
        "203.0.113.7",
    )


def test_a_user_created_is_recorded_with_its_privileges(make_user):
    user = make_user("piotr", is_staff=True)

    [entry] = entries("auth.user_created")
    assert (entry.object_id, entry.before, entry.after) == (
        str(user.pk),
        None,
        {"is_active": True, "is_staff": True, "is_superuser": False, "role": "ADMINISTRATOR"},
    )


def test_a_change_of_staff_flags_is_recorded_with_the_role_before_and_after(make_user):
    admin = make_user("admin.jan", is_staff=True, is_superuser=True)
    user = make_user("piotr")

    with audit_context(
        AuditContext(channel="ADMIN", ip_address="203.0.113.7", user_getter=lambda: admin, web=True)
    ):
        user.is_staff = True
        user.is_superuser = True
        user.save()

    [entry] = entries("auth.privileges_changed")
    assert (entry.actor, entry.role, entry.object_id, entry.ip_address) == (
        admin,
        "ADMINISTRATOR",
        str(user.pk),
        "203.0.113.7",
    )
    assert entry.before == {"is_staff": False, "is_superuser": False, "role": "CUSTOMER"}
    assert entry.after == {"is_staff": True, "is_superuser": True, "role": "ADMINISTRATOR"}


def test_a_deactivation_is_recorded(make_user):
    user = make_user("piotr", groups=("analysts",), is_staff=True)

    user.is_active = False
    user.save(update_fields=["is_active"])

    [entry] = entries("auth.privileges_changed")
    assert (entry.before, entry.after) == (
        {"is_active": True, "role": "ANALYST"},
        {"is_active": False, "role": "ANALYST"},
    )


def test_a_password_change_is_recorded_without_the_password(make_user):
    user = make_user("piotr")
    old_hash = user.password

    user.set_password("another-long-password-2")
    user.save()

    [entry] = entries("auth.password_changed")
    assert (entry.object_id, entry.before, entry.after) == (str(user.pk), None, None)
    assert old_hash not in entry_text(entry)
    assert user.password not in entry_text(entry)
    assert entries("auth.privileges_changed") == []


def test_a_save_a_service_records_itself_is_left_to_it_and_the_next_one_is_recorded_again(make_user):
    user = make_user("piotr")

    with audit_recorded_by_caller(user):
        user.set_password("another-long-password-2")
        user.is_staff = True
        user.save()
    user.set_password("a-third-long-password-3")
    user.save()

    [entry] = entries("auth.password_changed")
    assert entry.object_id == str(user.pk)
    assert entries("auth.privileges_changed") == []


def test_a_user_created_inside_the_services_block_is_left_to_it(make_user, django_user_model):
    user = django_user_model(username="nowy")

    with audit_recorded_by_caller(user):
        user.save()

    assert entries("auth.user_created") == []


def test_a_save_that_changes_no_privilege_records_nothing(make_user):
    user = make_user("piotr")
    user.first_name = "Piotr"
    user.save()
    user.last_login = user.date_joined
    user.save(update_fields=["last_login"])

    assert entries("auth.privileges_changed") == []
    assert entries("auth.password_changed") == []


def test_joining_a_group_is_a_role_change(make_user):
    user = make_user("ewa", is_staff=True)
    analysts = Group.objects.get(name="analysts")  # a role group (disputes migration 0003)

    user.groups.add(analysts)
    user.groups.add(analysts)  # already in it: nothing changes

    [entry] = entries("auth.groups_changed")
    assert entry.object_id == str(user.pk)
    assert (entry.before, entry.after) == (
        {"groups": [], "role": "ADMINISTRATOR"},
        {"groups": ["analysts"], "role": "ANALYST"},
    )


def test_members_added_from_the_group_side_each_get_an_entry(make_user):
    ewa, jan = make_user("ewa", is_staff=True), make_user("jan", is_staff=True)
    auditors = Group.objects.get(name="auditors")

    auditors.user_set.add(ewa, jan)

    recorded = entries("auth.groups_changed")
    assert sorted((entry.object_id, entry.after["role"]) for entry in recorded) == sorted(
        [(str(ewa.pk), "AUDITOR"), (str(jan.pk), "AUDITOR")]
    )


def test_removing_and_clearing_groups_are_recorded(make_user):
    user = make_user("ewa", groups=("analysts", "supervisors"), is_staff=True)
    supervisors = Group.objects.get(name="supervisors")

    user.groups.remove(supervisors)
    user.groups.clear()

    changes = [(entry.before["groups"], entry.after["groups"]) for entry in entries("auth.groups_changed")]
    assert changes[-2:] == [(["analysts", "supervisors"], ["analysts"]), (["analysts"], [])]


def test_clearing_a_group_from_its_side_records_each_former_member(make_user):
    ewa, jan = make_user("ewa", groups=("analysts",)), make_user("jan", groups=("analysts",))
    before = {entry.pk for entry in entries("auth.groups_changed")}

    Group.objects.get(name="analysts").user_set.clear()

    recorded = [entry for entry in entries("auth.groups_changed") if entry.pk not in before]
    assert sorted(entry.object_id for entry in recorded) == sorted([str(ewa.pk), str(jan.pk)])
    assert all(entry.after == {"groups": [], "role": "CUSTOMER"} for entry in recorded)


def test_a_permission_granted_to_a_user_or_a_group_is_recorded(make_user):
    user = make_user("ewa", is_staff=True)
    group = Group.objects.create(name="audit readers")
    view_entries = Permission.objects.get(codename="view_auditentry")

    user.user_permissions.add(view_entries)
    group.permissions.add(view_entries)

    [user_entry] = entries("auth.user_permissions_changed")
    assert (user_entry.object_id, user_entry.before, user_entry.after) == (
        str(user.pk),
        {"permissions": []},
        {"permissions": ["audit.view_auditentry"]},
    )
    [group_entry] = entries("auth.group_permissions_changed")
    assert (group_entry.object_label, group_entry.object_repr, group_entry.after) == (
        "auth.group",
        "audit readers",
        {"permissions": ["audit.view_auditentry"]},
    )
