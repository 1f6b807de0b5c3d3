from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from audit.canonical import GENESIS_HASH
from audit.chain import entry_hash
from audit.context import AuditContext, audit_channel, audit_context
from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify, audit_entries_for_object, role_of
from audit.services import (
    AuditChainHeadMissing,
    AuditEntryInvalid,
    AuditEvent,
    audit_diff,
    audit_record,
    audit_record_many,
    audit_snapshot,
)
from deadlines import engine as deadlines_engine
from deadlines.models import CalendarOverride
from kartosfera.legaltime import WARSAW, NaiveDatetimeError
from tests.audit.helpers import raw_sql

pytestmark = pytest.mark.django_db


def test_the_first_entry_starts_the_chain_and_moves_the_head(now):
    entry = audit_record(action="test.first", actor=None, now=now)

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.sequence, stored.previous_hash) == (1, GENESIS_HASH)
    assert stored.entry_hash == entry_hash(stored.hash_content())
    assert stored.recorded_at == now
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (1, stored.entry_hash)


def test_each_entry_links_to_the_one_before(now):
    first = audit_record(action="test.first", actor=None, now=now)
    second = audit_record(action="test.second", actor=None, now=now)

    assert (second.sequence, second.previous_hash) == (2, first.entry_hash)
    assert audit_chain_verify().ok


def test_without_a_request_the_system_acts_through_the_system_channel(now):
    entry = audit_record(action="test.system", actor=None, now=now)

    assert (entry.actor, entry.actor_repr, entry.role, entry.channel, entry.ip_address) == (
        None,
        "system",
        "SYSTEM",
        "SYSTEM",
        "",
    )


def test_the_actor_is_frozen_as_text_with_the_role_their_groups_give(now, make_user):
    analyst = make_user("ewa.analyst", groups=("analysts",), is_staff=True)

    entry = audit_record(action="test.act", actor=analyst, now=now)

    assert (entry.actor, entry.actor_repr, entry.role) == (
        analyst,
        f"ewa.analyst (user {analyst.pk})",
        "ANALYST",
    )


@pytest.mark.parametrize(
    ("groups", "flags", "role"),
    [
        ((), {}, "CUSTOMER"),
        (("analysts",), {"is_staff": True}, "ANALYST"),
        (("analysts", "supervisors"), {"is_staff": True}, "SUPERVISOR"),
        (("supervisors", "auditors"), {"is_staff": True}, "AUDITOR"),
        (("auditors", "administrators"), {"is_staff": True}, "ADMINISTRATOR"),
        (("analysts",), {"is_staff": True, "is_superuser": True}, "ADMINISTRATOR"),
        ((), {"is_staff": True}, "ADMINISTRATOR"),
        (("bowling team",), {}, "CUSTOMER"),
    ],
)
def test_the_role_is_derived_from_groups_and_flags(make_user, groups, flags, role, now):
    user = make_user("someone", groups=groups, **flags)

    entry = audit_record(action="test.act", actor=user, now=now)

    # The INSERT chooses the role in SQL (audit.selectors.role_group_sql): the same rule as role_of.
    assert (role_of(user), entry.role, AuditEntry.objects.get(pk=entry.pk).role) == (role, role, role)


def test_the_role_groups_are_a_setting(make_user, settings, now):
    settings.KARTOSFERA_ROLE_GROUPS = {**settings.KARTOSFERA_ROLE_GROUPS, "ANALYST": "analitycy O'Hary"}
    anna = make_user("anna", groups=("analitycy O'Hary",), is_staff=True)

    entry = audit_record(action="test.act", actor=anna, now=now)

    assert (role_of(anna), AuditEntry.objects.get(pk=entry.pk).role) == ("ANALYST", "ANALYST")


def test_each_entry_of_a_bulk_append_has_its_own_actors_role(make_user, now):
    supervisor = make_user("ola", groups=("supervisors",), is_staff=True)
    customer = make_user("jan")
    events = [
        AuditEvent(action="test.act", actor=supervisor, now=now),
        AuditEvent(action="test.act", actor=customer, now=now),
        AuditEvent(action="test.act", actor=None, now=now),
        AuditEvent(action="test.act", actor=supervisor, now=now),
    ]

    entries = audit_record_many(events)

    stored = AuditEntry.objects.filter(pk__in=[entry.pk for entry in entries]).order_by("id")
    assert [entry.role for entry in stored] == ["SUPERVISOR", "CUSTOMER", "SYSTEM", "SUPERVISOR"]
    assert [entry.role for entry in entries] == ["SUPERVISOR", "CUSTOMER", "SYSTEM", "SUPERVISOR"]


def test_the_role_is_the_one_at_write_time(now, make_user):
    user = make_user("piotr", groups=("analysts",), is_staff=True)
    before = audit_record(action="test.act", actor=user, now=now)

    user.groups.add(Group.objects.get(name="supervisors"))
    after = audit_record(action="test.act", actor=user, now=now)

    assert (AuditEntry.objects.get(pk=before.pk).role, after.role) == ("ANALYST", "SUPERVISOR")


def test_channel_ip_and_request_id_come_from_the_context(now, make_user):
    customer = make_user("jan")
    context = AuditContext(
        channel="PORTAL",
        ip_address="198.51.100.23",
        request_id="abc123",
        user_getter=lambda: customer,
        web=True,
    )

    with audit_context(context):
        entry = audit_record(action="test.act", actor=customer, now=now)

    assert (entry.channel, entry.ip_address, entry.request_id, entry.role) == (
        "PORTAL",
        "198.51.100.23",
        "abc123",
        "CUSTOMER",
    )


def test_an_explicit_channel_wins_over_the_context(now, make_user):
    analyst = make_user("ewa", groups=("analysts",), is_staff=True)

    with audit_context(AuditContext(channel="BACK_OFFICE", ip_address="10.0.0.5", web=True)):
        entry = audit_record(action="test.claim_taken", actor=analyst, channel="PHONE", now=now)

    assert (entry.channel, entry.ip_address) == ("PHONE", "10.0.0.5")


def test_a_command_records_through_the_cli_channel(now):
    with audit_channel("CLI"):
        entry = audit_record(action="test.command", actor=None, now=now)

    assert (entry.channel, entry.role) == ("CLI", "SYSTEM")


def test_nobody_signed_in_over_the_web_is_anonymous(now):
    with audit_context(AuditContext(channel="PORTAL", ip_address="198.51.100.23", web=True)):
        entry = audit_record(action="test.act", actor=None, now=now)

    assert (entry.actor_repr, entry.role) == ("anonymous", "ANONYMOUS")


def test_the_object_is_recorded_by_type_id_and_text(now):
    override = CalendarOverride.objects.create(day=date(2025, 12, 31), kind="CLOSED", reason="migration")

    entry = audit_record(action="test.act", actor=None, obj=override, now=now)

    assert entry.object_type == ContentType.objects.get_for_model(CalendarOverride)
    assert (entry.object_label, entry.object_id, entry.object_repr) == (
        "deadlines.calendaroverride",
        str(override.pk),
        "2025-12-31 CLOSED: migration",
    )
    assert list(audit_entries_for_object(obj=override)) == [entry]


def test_rich_values_are_stored_as_plain_json_and_still_verify(now):
    entry = audit_record(
        action="test.rich",
        actor=None,
        before={"amount": Decimal("800.00"), "on": date(2025, 5, 23)},
        after={"amount": Decimal("212.71"), "at": datetime(2025, 5, 23, 10, 0, tzinfo=WARSAW)},
        data={
            "rate": Decimal("4.2541"),
            "table": "099/A/NBP/2025",
            "nested": {"ids": {3, 1}},
            "name": "Łódź",
        },
        now=now,
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.before == {"amount": "800.00", "on": "2025-05-23"}
    assert stored.after == {"amount": "212.71", "at": "2025-05-23T08:00:00.000000Z"}
    assert stored.data == {
        "rate": "4.2541",
        "table": "099/A/NBP/2025",
        "nested": {"ids": [1, 3]},
        "name": "Łódź",
    }
    assert entry_hash(stored.hash_content()) == stored.entry_hash


def test_a_computation_is_kept_with_its_rule_steps_and_explanations(now):
    deadline = deadlines_engine.refund_due(reported_at=datetime(2025, 12, 23, 10, 0, tzinfo=WARSAW))

    entry = audit_record(action="test.deadline_computed", actor=None, data={"deadline": deadline}, now=now)

    stored = AuditEntry.objects.get(pk=entry.pk).data["deadline"]
    assert (stored["rule"], stored["start_date"], stored["due_date"]) == (
        "UUP-46-1",
        "2025-12-23",
        "2025-12-29",
    )
    # Step codes (START, BUSINESS_DAYS...) are kept: a bare "code" is redacted only when it has a digit.
    assert [step["code"] for step in stored["steps"]] == [step.code for step in deadline.steps]
    assert stored["explanation_pl"] == deadline.explanation_pl


def test_secrets_and_card_numbers_never_reach_the_entry(now):
    entry = audit_record(
        action="test.card_op",
        actor=None,
        before={"pin": "1234", "pan": "4111111111111111"},
        after={"pin": "9876", "note": "customer read 5500 0000 0000 0004 aloud"},
        data={"otp": "839201", "password": "hunter2-correct", "sms": "Kod SMS: 551177"},
        now=now,
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    text = repr((stored.before, stored.after, stored.data))
    for secret in ("1234", "4111111111111111", "9876", "5500 0000 0000 0004", "839201", "hunter2", "551177"):
        assert secret not in text
    assert stored.before == {"pin": "[REDACTED]", "pan": "************1111"}
    assert stored.after["note"] == "customer read **** **** **** 0004 aloud"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"action": "Sign In"}, AuditEntryInvalid, "not '<area>.<what_happened>'"),
        ({"action": "signin"}, AuditEntryInvalid, "not '<area>.<what_happened>'"),
        ({"action": "a." + "b" * 63}, AuditEntryInvalid, "not '<area>.<what_happened>'"),
        ({"channel": "EMAIL"}, AuditEntryInvalid, "unknown channel 'EMAIL'"),
        ({"data": ["not", "a", "dict"]}, AuditEntryInvalid, "data must be a dict"),
        ({"now": datetime(2025, 12, 23, 13, 5)}, NaiveDatetimeError, "now must be timezone-aware"),
        ({"obj": CalendarOverride(day=date(2025, 12, 31))}, AuditEntryInvalid, "unsaved CalendarOverride"),
    ],
)
def test_an_invalid_entry_is_refused_and_nothing_is_written(now, kwargs, error, message):
    arguments = {"action": "test.act", "actor": None, "now": now, **kwargs}

    with pytest.raises(error, match=message):
        audit_record(**arguments)

    assert not AuditEntry.objects.exists()
    assert not AuditChainHead.objects.filter(sequence__gt=0).exists()


def test_an_entry_rolled_back_with_its_change_leaves_no_gap(now):
    audit_record(action="test.first", actor=None, now=now)
    with pytest.raises(RuntimeError, match="abandoned"), transaction.atomic():
        audit_record(action="test.abandoned", actor=None, now=now)
        raise RuntimeError("abandoned")

    later = audit_record(action="test.later", actor=None, now=now)

    assert later.sequence == 2
    assert not AuditEntry.objects.filter(action="test.abandoned").exists()
    assert audit_chain_verify().ok


def test_appending_stops_when_the_chain_head_has_been_removed(now):
    audit_record(action="test.first", actor=None, now=now)
    raw_sql("DELETE FROM audit_auditchainhead")

    with pytest.raises(AuditChainHeadMissing, match="head row is missing"), transaction.atomic():
        audit_record(action="test.second", actor=None, now=now)

    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.first"]


def test_a_fresh_log_gets_its_head_back_when_the_row_is_gone(now):
    raw_sql("DELETE FROM audit_auditchainhead")

    entry = audit_record(action="test.first", actor=None, now=now)

    assert (entry.sequence, entry.previous_hash) == (1, GENESIS_HASH)


# --- describing a change -------------------------------------------------------------------------------


def test_a_snapshot_holds_concrete_fields_as_json_with_foreign_keys_as_ids(make_user):
    admin = make_user("admin", is_staff=True)
    override = CalendarOverride.objects.create(
        day=date(2025, 12, 31), kind="CLOSED", reason="migration", created_by=admin
    )

    assert audit_snapshot(override, fields=["day", "kind", "created_by"]) == {
        "day": "2025-12-31",
        "kind": "CLOSED",
        "created_by": admin.pk,
    }
    assert set(audit_snapshot(override, exclude=["id"])) == {
        "day",
        "kind",
        "reason",
        "created_by",
        "created_at",
        "updated_at",
    }


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            {"kind": "CLOSED", "reason": "a", "day": "2025-12-31"},
            {"kind": "CLOSED", "reason": "b", "day": "2025-12-31"},
            {"before": {"reason": "a"}, "after": {"reason": "b"}},
        ),
        (None, {"kind": "CLOSED"}, {"before": None, "after": {"kind": "CLOSED"}}),
        ({"kind": "CLOSED"}, None, {"before": {"kind": "CLOSED"}, "after": None}),
        ({"a": 1}, {"b": 2}, {"before": {"a": 1, "b": None}, "after": {"a": None, "b": 2}}),
        ({"a": 1}, {"a": 1}, {"before": {}, "after": {}}),
    ],
)
def test_a_diff_keeps_only_the_changed_fields(before, after, expected):
    assert audit_diff(before, after) == expected
