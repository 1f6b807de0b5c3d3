"""``PermissionsInOneQuery``: the same permissions as Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from customers.backends import PermissionsInOneQuery
from customers.models import User
from disputes.services import staff_groups_ensure
from tests.customers.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache from an earlier read


def _users() -> list[User]:
    staff_groups_ensure()
    view_card = Permission.objects.get(codename="view_card")
    direct = UserFactory(username="direct")
    direct.user_permissions.add(view_card)
    grouped = UserFactory(username="grouped")
    grouped.groups.add(Group.objects.get(name="analysts"))
    both = UserFactory(username="both")
    both.groups.add(*Group.objects.filter(name__in=["analysts", "supervisors"]))
    both.user_permissions.add(view_card)
    inactive = UserFactory(username="inactive", is_active=False)
    inactive.groups.add(Group.objects.get(name="analysts"))
    return [
        direct,
        grouped,
        both,
        inactive,
        UserFactory(username="none"),
        UserFactory(username="root", is_superuser=True),
    ]


def test_the_same_permissions_as_model_backend():
    for user in _users():
        expected = ModelBackend().get_all_permissions(_fresh(user))

        assert PermissionsInOneQuery().get_all_permissions(_fresh(user)) == expected, user.username
        assert len(expected) > 0 or user.username in ("inactive", "none")


def test_one_query_answers_every_permission_check(django_assert_num_queries):
    user = _fresh(_users()[2])

    with django_assert_num_queries(1):
        assert user.has_perm("disputes.view_case")
        assert user.has_perm("disputes.supervise_case")
        assert user.has_perm("cards.view_card")
        assert not user.has_perm("disputes.delete_case")


def test_it_signs_nobody_in_and_loads_nobody(client):
    user = UserFactory(username="someone")
    user.set_password("a long passphrase")
    user.save()

    assert (
        PermissionsInOneQuery().authenticate(None, username="someone", password="a long passphrase") is None
    )
    # No get_user: the test client's force_login (and Django's sign-in) take the next backend.
    assert not hasattr(PermissionsInOneQuery(), "get_user")
    client.force_login(user)
    assert client.session["_auth_user_backend"] != "customers.backends.PermissionsInOneQuery"
