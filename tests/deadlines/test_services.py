from datetime import date

import pytest
from django.db import IntegrityError, transaction

from deadlines.models import CalendarOverride
from deadlines.services import (
    CalendarOverrideInvalid,
    CalendarOverrideNotFound,
    OverrideChangesNothing,
    calendar_override_remove,
    calendar_override_set,
)

CLOSURE = date(2025, 12, 31)  # a Wednesday
SUNDAY = date(2025, 12, 28)

# What the test-local calendar-change hook below was called with, in order.
calendar_changes: list[date] = []


def record_calendar_change(*, day: date) -> None:
    """A calendar-change hook (settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS) that remembers the day."""
    calendar_changes.append(day)


def failing_calendar_change(*, day: date) -> None:
    """A calendar-change hook that fails, as a broken recomputation would."""
    raise RuntimeError(f"recomputation failed for {day}")


@pytest.fixture
def hook(settings):
    settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS = [f"{__name__}.record_calendar_change"]
    calendar_changes.clear()
    yield calendar_changes
    calendar_changes.clear()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="analyst", password="a-long-password-1")


@pytest.mark.django_db
def test_a_closure_is_recorded_with_who_created_it(staff):
    override = calendar_override_set(
        day=CLOSURE, kind="CLOSED", reason=" core banking migration ", actor=staff
    )

    stored = CalendarOverride.objects.get(day=CLOSURE)
    assert stored.pk == override.pk
    assert (stored.kind, stored.reason, stored.created_by) == ("CLOSED", "core banking migration", staff)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (SUNDAY, "CLOSED", "2025-12-28 is not a business day \\(Sunday\\): a closure changes nothing"),
        (date(2025, 12, 24), "CLOSED", "public holiday: Christmas Eve"),
        (date(2025, 12, 29), "OPEN", "2025-12-29 is already a business day \\(Monday\\)"),
    ],
)
def test_an_override_that_changes_nothing_is_refused_and_nothing_is_stored(hook, day, kind, message):
    with pytest.raises(OverrideChangesNothing, match=message):
        calendar_override_set(day=day, kind=kind, reason="why not", actor=None)

    assert not CalendarOverride.objects.filter(day=day).exists()
    assert hook == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "reason", "message"),
    [("HALF_DAY", "short day", "unknown override kind 'HALF_DAY'"), ("CLOSED", "   ", "needs a reason")],
)
def test_an_invalid_override_is_refused_and_nothing_is_stored(kind, reason, message):
    with pytest.raises(CalendarOverrideInvalid, match=message):
        calendar_override_set(day=CLOSURE, kind=kind, reason=reason, actor=None)

    assert not CalendarOverride.objects.filter(day=CLOSURE).exists()


@pytest.mark.django_db
def test_switching_an_existing_closure_to_an_open_day_is_refused_and_leaves_it(hook):
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)
    hook.clear()

    with pytest.raises(OverrideChangesNothing):
        calendar_override_set(day=CLOSURE, kind="OPEN", reason="changed our mind", actor=None)

    stored = CalendarOverride.objects.get(day=CLOSURE)
    assert (stored.kind, stored.reason) == ("CLOSED", "core banking migration")
    assert hook == []


@pytest.mark.django_db
def test_removing_a_missing_override_is_refused():
    with pytest.raises(CalendarOverrideNotFound, match="no calendar override on 2025-12-31"):
        calendar_override_remove(day=CLOSURE, actor=None)


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_kind_written_around_the_service():
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(day=CLOSURE, kind="HALF", reason="bypassing the service")


@pytest.mark.django_db
def test_the_database_refuses_an_empty_reason_written_around_the_service():
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(day=CLOSURE, kind="CLOSED", reason="")


# --- the calendar-change hook: called after commit, with the day ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_hook_is_called_after_commit_with_the_changed_day(hook):
    with transaction.atomic():
        calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)
        assert hook == []  # not before the change is committed

    assert hook == [CLOSURE]


@pytest.mark.django_db(transaction=True)
def test_the_hook_is_called_when_an_override_is_removed(hook):
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)

    calendar_override_remove(day=CLOSURE, actor=None)

    assert hook == [CLOSURE, CLOSURE]
    assert not CalendarOverride.objects.filter(day=CLOSURE).exists()


@pytest.mark.django_db(transaction=True)
def test_the_hook_is_not_called_when_the_change_is_rolled_back(hook):
    with pytest.raises(RuntimeError, match="abandoned"), transaction.atomic():
        calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)
        raise RuntimeError("abandoned")

    assert hook == []
    assert not CalendarOverride.objects.filter(day=CLOSURE).exists()


@pytest.mark.django_db(transaction=True)
def test_a_reason_only_edit_changes_no_date_and_calls_no_hook(hook):
    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)
    hook.clear()

    calendar_override_set(
        day=CLOSURE, kind="CLOSED", reason="core banking migration (approved by the board)", actor=None
    )
    calendar_override_set(
        day=CLOSURE, kind="CLOSED", reason="core banking migration (approved by the board)", actor=None
    )

    assert (
        CalendarOverride.objects.get(day=CLOSURE).reason == "core banking migration (approved by the board)"
    )
    assert hook == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_hook_neither_undoes_the_change_nor_stops_the_other_hooks(settings, hook):
    settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS = [
        f"{__name__}.failing_calendar_change",
        f"{__name__}.record_calendar_change",
    ]

    calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)

    assert CalendarOverride.objects.filter(day=CLOSURE).exists()
    assert hook == [CLOSURE]


@pytest.mark.django_db(transaction=True)
def test_a_hook_that_cannot_be_imported_fails_the_change(settings):
    settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS = [f"{__name__}.no_such_hook"]

    with pytest.raises(ImportError):
        calendar_override_set(day=CLOSURE, kind="CLOSED", reason="core banking migration", actor=None)

    assert not CalendarOverride.objects.filter(day=CLOSURE).exists()
