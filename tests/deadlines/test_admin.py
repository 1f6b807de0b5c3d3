from datetime import date

import pytest

from deadlines.models import CalendarOverride
from deadlines.services import calendar_override_set

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/deadlines/calendaroverride/add/"
CHANGELIST_URL = "/admin/deadlines/calendaroverride/"
CLOSURE = date(2025, 12, 31)  # a Wednesday

calendar_changes: list[date] = []


def record_calendar_change(*, day: date) -> None:
    """A calendar-change hook that remembers the day."""
    calendar_changes.append(day)


@pytest.fixture
def hook(settings):
    settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS = [f"{__name__}.record_calendar_change"]
    calendar_changes.clear()
    yield calendar_changes
    calendar_changes.clear()


def test_the_admin_adds_a_closure_through_the_service(
    admin_client, admin_user, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ADD_URL, {"day": "2025-12-31", "kind": "CLOSED", "reason": "core banking migration"}
        )

    assert response.status_code == 302
    stored = CalendarOverride.objects.get(day=CLOSURE)
    assert (stored.kind, stored.reason, stored.created_by) == ("CLOSED", "core banking migration", admin_user)
    assert hook == [CLOSURE]


def test_the_admin_refuses_a_closure_on_a_sunday_and_stores_nothing(admin_client, hook):
    response = admin_client.post(ADD_URL, {"day": "2025-12-28", "kind": "CLOSED", "reason": "staff outing"})

    assert response.status_code == 200
    assert "2025-12-28" in response.content.decode()
    assert "niedziela" in response.content.decode()  # Polish, the default language
    assert not CalendarOverride.objects.exists()
    assert hook == []


def test_the_admin_refuses_an_open_day_on_a_business_day_in_english(admin_client, hook):
    response = admin_client.post(
        ADD_URL, {"day": "2025-12-29", "kind": "OPEN", "reason": "extra"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert (
        "2025-12-29 is a business day already (Monday): an open day changes nothing."
        in response.content.decode()
    )
    assert not CalendarOverride.objects.exists()


def test_the_admin_edits_the_reason_and_keeps_the_day(admin_client, hook):
    override = calendar_override_set(day=CLOSURE, kind="CLOSED", reason="migration", actor=None)

    response = admin_client.post(
        f"{CHANGELIST_URL}{override.pk}/change/",
        {"day": "2026-01-02", "kind": "CLOSED", "reason": "core banking migration"},
    )

    assert response.status_code == 302
    assert list(CalendarOverride.objects.values_list("day", "reason")) == [
        (CLOSURE, "core banking migration")
    ]


def test_the_admin_refuses_switching_a_closure_to_a_useless_open_day(admin_client):
    override = calendar_override_set(day=CLOSURE, kind="CLOSED", reason="migration", actor=None)

    response = admin_client.post(
        f"{CHANGELIST_URL}{override.pk}/change/", {"kind": "OPEN", "reason": "migration"}
    )

    assert response.status_code == 200
    assert CalendarOverride.objects.get(pk=override.pk).kind == "CLOSED"


def test_the_admin_deletes_through_the_service(admin_client, hook, django_capture_on_commit_callbacks):
    override = calendar_override_set(day=CLOSURE, kind="CLOSED", reason="migration", actor=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{CHANGELIST_URL}{override.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert hook == [CLOSURE]


def test_the_admin_bulk_delete_goes_through_the_service(
    admin_client, hook, django_capture_on_commit_callbacks
):
    first = calendar_override_set(day=CLOSURE, kind="CLOSED", reason="migration", actor=None)
    second = calendar_override_set(day=date(2026, 1, 3), kind="OPEN", reason="backlog", actor=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST_URL,
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert sorted(hook) == [CLOSURE, date(2026, 1, 3)]
