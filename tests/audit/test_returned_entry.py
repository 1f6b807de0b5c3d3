"""What ``audit_record`` returns is the entry as stored, and its INSERT keeps Django's transaction rules."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_init

from audit import services
from audit.models import AuditEntry
from audit.services import AuditEvent, audit_record, audit_record_many
from tests.audit.helpers import postgresql_only

pytestmark = pytest.mark.django_db

COLUMNS = [field.attname for field in AuditEntry._meta.concrete_fields]


def _columns(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in COLUMNS}


def _record(actor, now):
    return audit_record(
        action="card.limits_changed",
        actor=actor,
        obj=actor,
        before={"daily_cash_limit": Decimal("2000.00")},
        after={"daily_cash_limit": Decimal("500.00")},
        data={"reason": "customer request by phone", "card": "4111111111111111"},
        channel="PHONE",
        now=now,
    )


@pytest.mark.parametrize("sealing", ["IN_TRANSACTION", "PERIODIC"])
def test_the_returned_entry_holds_every_column_as_stored(sealing, settings, now, make_user):
    settings.KARTOSFERA_AUDIT_SEALING = sealing
    analyst = make_user("ewa.analyst", groups=("analysts",), is_staff=True)

    entry = _record(analyst, now)

    assert _columns(entry) == _columns(AuditEntry.objects.get(pk=entry.pk))
    assert entry.role == "ANALYST"
    assert entry.data == {"reason": "customer request by phone", "card": "************1111"}
    assert (entry._state.adding, entry._state.db) == (False, "default")
    assert entry.sealed is (sealing == "IN_TRANSACTION")


def test_the_returned_entries_of_a_batch_hold_their_columns_as_stored(now, make_user):
    supervisor = make_user("jan.supervisor", groups=("supervisors",), is_staff=True)
    events = [AuditEvent(action=f"test.act_{n}", actor=supervisor, now=now, data={"n": n}) for n in range(3)]

    entries = audit_record_many(events)

    stored = AuditEntry.objects.in_bulk([entry.pk for entry in entries])
    assert [_columns(entry) for entry in entries] == [_columns(stored[entry.pk]) for entry in entries]


def test_the_returned_entry_keeps_its_actor_and_object_type_without_a_query(
    now, make_user, django_assert_num_queries
):
    analyst = make_user("ewa.analyst", groups=("analysts",), is_staff=True)
    entry = _record(analyst, now)

    with django_assert_num_queries(0):
        assert entry.actor is analyst
        assert (entry.object_type.app_label, entry.object_type.model) == ("customers", "user")


def test_with_a_post_init_receiver_the_entry_is_built_by_the_model_and_the_receiver_sees_it(now, make_user):
    analyst = make_user("ewa.analyst", groups=("analysts",), is_staff=True)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=AuditEntry)
    try:
        entry = _record(analyst, now)
    finally:
        post_init.disconnect(receiver, sender=AuditEntry)

    assert any(instance is entry for instance in seen)
    assert _columns(entry) == _columns(AuditEntry.objects.get(pk=entry.pk))


def test_a_failed_insert_leaves_the_callers_transaction_marked_for_rollback(now, monkeypatch):
    def failing_insert(rows):
        raise DatabaseError("the INSERT failed")

    monkeypatch.setattr(services, "insert_unsealed", failing_insert)

    with transaction.atomic():
        with pytest.raises(DatabaseError):
            audit_record(action="test.act", actor=None, now=now)
        assert connection.needs_rollback is True
        connection.set_rollback(False)  # only so that the test's own block can end normally


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_entry_is_written_in_one_of_its_own(now):
    assert not connection.in_atomic_block

    entry = audit_record(action="test.alone", actor=None, now=now)

    assert not connection.in_atomic_block
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.alone"


@postgresql_only
def test_an_execute_wrapper_sees_the_act_s_prepared_insert(now):
    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        entry = audit_record(action="test.wrapped", actor=None, now=now)

    assert statements[0].startswith('INSERT INTO "audit_auditentry"')
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.wrapped"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_act_s_cursor_is_made_again_for_a_new_connection(now, settings):
    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    first = audit_record(action="test.before_reconnect", actor=None, now=now)
    connection.close()

    second = audit_record(action="test.after_reconnect", actor=None, now=now)

    assert list(AuditEntry.objects.filter(pk__in=[first.pk, second.pk]).values_list("action", flat=True)) == [
        "test.before_reconnect",
        "test.after_reconnect",
    ]
