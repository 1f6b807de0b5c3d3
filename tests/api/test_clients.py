"""API clients: the workflow permissions a client's user is given, named by kartosfera.authz."""

import pytest

from api.services import api_client_create
from customers.models import User
from kartosfera import authz
from kartosfera.clock import now

pytestmark = pytest.mark.django_db


def _permissions(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).get_all_permissions())


def test_a_workflow_client_may_see_and_handle_cases_and_nothing_more():
    created = api_client_create(name="branch-hub", scopes=["claims:write"], actor=None, now=now())

    assert _permissions(created.client.application.user) == {authz.VIEW_CASE, authz.HANDLE_CASE}


def test_a_client_outside_the_workflow_gets_no_case_permission():
    created = api_client_create(name="reporting", scopes=["claims:read"], actor=None, now=now())

    assert _permissions(created.client.application.user) == set()
