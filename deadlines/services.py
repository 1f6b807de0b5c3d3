"""Writes for the deadline engine: the bank's calendar overrides.

Every change of the bank's calendar (an override added, removed, or switched to the other kind) is
announced after commit to the callables listed in ``settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS``
(dotted paths, each called as ``hook(day=<date>)``). That is the extension point through which the
disputes app recomputes the business-day deadlines of its open cases. A hook should be quick and
idempotent (typically: enqueue a Celery task); an exception in one is logged and does not stop the
others or undo the committed change. A reason-only edit changes no date, so it calls no hook.

Every change, reason-only edits included, writes an audit entry in the same transaction
(``calendar.override_set`` / ``calendar.override_removed``, with the override before and after).
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.module_loading import import_string

from audit import actions
from audit.services import audit_diff, audit_record, audit_snapshot
from deadlines.calendar import OverrideChangesNothing, OverrideKind
from deadlines.models import CalendarOverride
from deadlines.selectors import bank_calendar
from kartosfera import clock
from kartosfera.refusals import TextTooLong, bounded_text

# The fields of an override an audit entry shows (the timestamps are the entry's own time).
_AUDITED_FIELDS = ("day", "kind", "reason", "created_by")

__all__ = [
    "CalendarOverrideInvalid",
    "CalendarOverrideNotFound",
    "OverrideChangesNothing",
    "calendar_override_remove",
    "calendar_override_set",
]


class CalendarOverrideInvalid(ValueError):
    """An override with an unknown kind or an empty reason."""


class OverrideReasonTooLong(TextTooLong, CalendarOverrideInvalid):
    """A reason longer than the override's column holds."""


class CalendarOverrideNotFound(LookupError):
    """There is no override on that day to remove."""


def _announce_calendar_change(day: date) -> None:
    # Resolved inside the transaction, so a misconfigured hook fails the change instead of being
    # discovered after commit; called after commit, so a hook never sees an uncommitted calendar.
    for dotted in settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS:
        hook = import_string(dotted)

        def announce(hook: Callable[..., object] = hook) -> None:
            hook(day=day)

        announce.__qualname__ = f"calendar change hook {dotted}"  # named in the error log if it fails
        transaction.on_commit(announce, robust=True)


def _snapshot(override: CalendarOverride) -> dict[str, Any]:
    return audit_snapshot(override, fields=_AUDITED_FIELDS)


def calendar_override_set(
    *,
    day: date,
    kind: OverrideKind | str,
    reason: str,
    actor: AbstractBaseUser | None,
    now: datetime | None = None,
) -> CalendarOverride:
    """Close the bank on a business day or open it on a day off; update the reason of an existing one.

    ``now`` is the time of the change in the audit log (the clock's when the caller does not give it).

    :raises OverrideChangesNothing: a closure on a day that is not a business day anyway, or an open
        day on a business day.
    :raises CalendarOverrideInvalid: unknown ``kind`` or empty ``reason``.
    :raises OverrideReasonTooLong: a ``reason`` longer than the override holds.
    """
    try:
        kind = OverrideKind(kind)
    except ValueError:
        raise CalendarOverrideInvalid(f"unknown override kind {kind!r}: expected CLOSED or OPEN") from None
    reason = reason.strip()
    if not reason:
        raise CalendarOverrideInvalid("an override needs a reason (auditors ask why a day was changed)")
    bounded_text(CalendarOverride, "reason", reason, refusal=OverrideReasonTooLong)
    bank_calendar().check_override(day, kind)
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(day=day).first()
        if override is None:
            before = None
            # The actor is a user of the auth model (customers sits beside deadlines: named by its id).
            override = CalendarOverride.objects.create(
                day=day, kind=kind, reason=reason, created_by_id=None if actor is None else actor.pk
            )
            calendar_changed = True
        elif override.kind == kind and override.reason == reason:
            return override
        else:
            before = _snapshot(override)
            calendar_changed = override.kind != kind
            override.kind, override.reason = kind, reason
            override.save(update_fields=["kind", "reason", "updated_at"])
        audit_record(
            action=actions.CALENDAR_OVERRIDE_SET,
            actor=actor,
            obj=override,
            **audit_diff(before, _snapshot(override)),
            data={"day": override.day, "calendar_changed": calendar_changed},
            now=clock.now() if now is None else now,
        )
        if calendar_changed:
            _announce_calendar_change(day)
    return override


def calendar_override_remove(
    *, day: date, actor: AbstractBaseUser | None, now: datetime | None = None
) -> None:
    """Remove the bank's override of ``day``: the package calendar applies to it again.

    ``now`` is the time of the change in the audit log (the clock's when the caller does not give it).

    :raises CalendarOverrideNotFound: no override on ``day``.
    """
    with transaction.atomic():
        override = CalendarOverride.objects.select_for_update().filter(day=day).first()
        if override is None:
            raise CalendarOverrideNotFound(f"no calendar override on {day.isoformat()}")
        # Recorded before the row goes, while the entry can still name the override's id.
        audit_record(
            action=actions.CALENDAR_OVERRIDE_REMOVED,
            actor=actor,
            obj=override,
            before=_snapshot(override),
            data={"day": override.day, "calendar_changed": True},
            now=clock.now() if now is None else now,
        )
        override.delete()
        _announce_calendar_change(day)
