"""A change of the bank's calendar writes one audit entry, in the transaction of the change."""

from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from deadlines.models import CalendarOverride
from deadlines.services import (
    CalendarOverrideNotFound,
    OverrideChangesNothing,
    calendar_override_remove,
    calendar_override_set,
)
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

CLOSURE = date(2025, 12, 31)  # a Wednesday


def calendar_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="calendar.").order_by("sequence"))


@pytest.fixture
def time_machine_at_noon(time_machine):
    instant = datetime(2025, 12, 23, 11, 0, tzinfo=UTC)
    time_machine.move_to(instant, tick=False)
    return instant


@pytest.fixture
def admin(make_user):
    return make_user("jan.admin", groups=("administrators",), is_staff=True)


def test_a_new_closure_writes_one_entry_with_the_override_after(admin, now):
    override = calendar_override_set(
        day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin, now=now
    )

    [entry] = calendar_entries()
    assert (entry.action, entry.actor, entry.role, entry.recorded_at) == (
        "calendar.override_set",
        admin,
        "ADMINISTRATOR",
        now,
    )
    assert (entry.object_label, entry.object_id, entry.object_repr) == (
        "deadlines.calendaroverride",
        str(override.pk),
        "2025-12-31 CLOSED: core banking migration",
    )
    assert entry.before is None
    assert entry.after == {
        "day": "2025-12-31",
        "kind": "CLOSED",
        "reason": "core banking migration",
        "created_by": admin.pk,
    }
    assert entry.data == {"day": "2025-12-31", "calendar_changed": True}


def test_a_reason_edit_records_the_reason_before_and_after(admin, now):
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin, now=now)

    calendar_override_set(
        day=CLOSURE, kind="CLOSED", reason="core banking migration, phase 2", actor=None, now=now
    )

    entry = calendar_entries()[-1]
    assert (entry.before, entry.after) == (
        {"reason": "core banking migration"},
        {"reason": "core banking migration, phase 2"},
    )
    assert (entry.data["calendar_changed"], entry.role) == (False, "SYSTEM")


def test_setting_the_same_override_again_writes_nothing(admin, now):
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin, now=now)

    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin, now=now)

    assert len(calendar_entries()) == 1


def test_a_refused_override_writes_nothing(admin, now):
    with pytest.raises(OverrideChangesNothing):
        calendar_override_set(day=date(2025, 12, 28), kind="CLOSED", reason="a Sunday", actor=admin, now=now)

    assert calendar_entries() == []


def test_a_removal_writes_one_entry_with_the_override_before(admin, now):
    override = calendar_override_set(
        day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin, now=now
    )

    calendar_override_remove(day=CLOSURE, actor=admin, now=now)

    entry = calendar_entries()[-1]
    assert (entry.action, entry.object_id, entry.after) == (
        "calendar.override_removed",
        str(override.pk),
        None,
    )
    assert entry.before == {
        "day": "2025-12-31",
        "kind": "CLOSED",
        "reason": "core banking migration",
        "created_by": admin.pk,
    }
    assert not CalendarOverride.objects.filter(day=CLOSURE).exists()


def test_removing_a_missing_override_writes_nothing(admin, now):
    with pytest.raises(CalendarOverrideNotFound):
        calendar_override_remove(day=CLOSURE, actor=admin, now=now)

    assert calendar_entries() == []


def test_the_entry_goes_with_a_rolled_back_change(admin, now):
    with pytest.raises(RuntimeError, match="abandoned"), transaction.atomic():
        calendar_override_set(
            day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin, now=now
        )
        raise RuntimeError("abandoned")

    assert calendar_entries() == []
    assert audit_chain_verify().ok


def test_without_now_the_clock_gives_the_time(admin, time_machine_at_noon):
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=admin)

    assert calendar_entries()[0].recorded_at == time_machine_at_noon


def test_a_closure_added_in_the_admin_is_recorded_with_the_admin_channel_and_ip(client, admin):
    admin.is_superuser = True  # the administrators group carries no model permissions of its own
    admin.save()
    sign_in_staff(client, admin)

    response = client.post(
        "/admin/deadlines/calendaroverride/add/",
        {"day": "2025-12-31", "kind": "CLOSED", "reason": "core banking migration"},
        REMOTE_ADDR="10.20.30.40",
    )

    assert response.status_code == 302
    [entry] = calendar_entries()
    assert (entry.actor, entry.role, entry.channel, entry.ip_address) == (
        admin,
        "ADMINISTRATOR",
        "ADMIN",
        "10.20.30.40",
    )
