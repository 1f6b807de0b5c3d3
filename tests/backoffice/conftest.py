"""Back-office fixtures: staff in their role groups with a TOTP device, the stolen-card case of
tests/disputes, and a client signed in with both factors."""

import pytest
from django.contrib.auth.models import Group

from disputes.backoffice.services import staff_totp_device_ensure
from tests.disputes.conftest import (  # noqa: F401 (fixtures)
    RECEIVED_AT,
    _media,
    analyst,
    case,
    eur_rates,
    make_theft,
    staff,
    submitted_case,
    supervisor,
    theft,
    warsaw,
)
from tests.staff import sign_in_staff

NOW = warsaw(2025, 5, 26, 12, 0)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    # The pages read the clock (kartosfera.clock): the case was received at 10:00 this Monday.
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def auditor(db):
    return staff("auditor", "auditors")


@pytest.fixture
def second_supervisor(db):
    user = staff("supervisor2", "supervisors")
    return user


def sign_in(client, user):
    """Sign ``user`` in with both factors (the password step is tested on its own)."""
    staff_totp_device_ensure(user=user)
    return sign_in_staff(client, user)


@pytest.fixture
def as_staff(client):
    return lambda user: sign_in(client, user)


def add_to(user, group: str):
    user.groups.add(Group.objects.get(name=group))
