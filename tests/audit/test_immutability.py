import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from audit.models import AuditChainHead, AuditEntry, AuditLogImmutable
from audit.services import audit_record
from tests.audit.helpers import forged_entry, insert_entry_sql, postgresql_only, raw_insert_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(now):
    return [audit_record(action=f"test.entry_{n}", actor=None, data={"n": n}, now=now) for n in (1, 2, 3)]


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))


def test_saving_a_changed_entry_is_refused_and_the_row_stays(entries):
    entry = AuditEntry.objects.get(pk=entries[1].pk)
    entry.action = "test.rewritten"

    with pytest.raises(AuditLogImmutable, match="audit entry #2 cannot be changed"):
        entry.save()

    assert _actions() == ["test.entry_1", "test.entry_2", "test.entry_3"]


def test_deleting_an_entry_is_refused(entries):
    with pytest.raises(AuditLogImmutable, match="audit entry #2 cannot be deleted"):
        AuditEntry.objects.get(pk=entries[1].pk).delete()

    assert _actions() == ["test.entry_1", "test.entry_2", "test.entry_3"]


@pytest.mark.parametrize(
    "write",
    [
        lambda qs: qs.update(action="test.rewritten"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["action"]),
        lambda qs: qs.bulk_create([AuditEntry(action="test.bulk")]),
        lambda qs: qs.update_or_create(sequence=1, defaults={"action": "test.rewritten"}),
        lambda qs: AuditEntry.objects.all()._raw_delete(connection.alias),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create", "update_or_create", "raw_delete"],
)
def test_queryset_writes_are_refused(entries, write):
    with pytest.raises(AuditLogImmutable):
        write(AuditEntry.objects.filter(sequence=2))

    assert _actions() == ["test.entry_1", "test.entry_2", "test.entry_3"]


def test_an_entry_is_not_written_around_the_service(now):
    with pytest.raises(AuditLogImmutable, match=r"appended unsealed by audit\.services\.audit_record"):
        AuditEntry(sequence=1, recorded_at=now, action="test.around", role="SYSTEM", channel="SYSTEM").save()

    assert not AuditEntry.objects.exists()


def test_a_user_who_acted_cannot_be_deleted(now, make_user):
    user = make_user("ewa", is_staff=True)
    audit_record(action="test.act", actor=user, now=now)

    with pytest.raises(ProtectedError):
        user.delete()

    assert type(user).objects.filter(pk=user.pk).exists()


# --- PostgreSQL: the database itself refuses -----------------------------------------------------------


def _sql(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET action = 'test.rewritten' WHERE sequence = 2",
        "UPDATE audit_auditentry SET data = '{}'::jsonb",
        "DELETE FROM audit_auditentry WHERE sequence = 2",
        "DELETE FROM audit_auditentry",
    ],
)
def test_postgresql_refuses_update_and_delete_of_entries(entries, statement):
    with pytest.raises(IntegrityError, match="the audit log is append-only"):
        _sql(statement)

    assert _actions() == ["test.entry_1", "test.entry_2", "test.entry_3"]


@postgresql_only
@pytest.mark.django_db(transaction=True)  # TRUNCATE cannot follow the inserts in the same transaction
@pytest.mark.parametrize("table", ["audit_auditentry", "audit_auditchainhead"])
def test_postgresql_refuses_to_truncate_the_log(entries, table):
    with pytest.raises(IntegrityError, match="the audit log cannot be truncated"):
        _sql(f"TRUNCATE {table} CASCADE")

    assert _actions() == ["test.entry_1", "test.entry_2", "test.entry_3"]


@postgresql_only
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DELETE FROM audit_auditchainhead", "the audit chain head cannot be deleted"),
        ("UPDATE audit_auditchainhead SET sequence = 2", "only advances"),
        (
            "UPDATE audit_auditchainhead SET sequence = 4, entry_hash = repeat('a', 64)",
            "only advances",
        ),
    ],
)
def test_postgresql_keeps_the_chain_head_in_step_with_the_entries(entries, statement, message):
    with pytest.raises(IntegrityError, match=message):
        _sql(statement)

    assert AuditChainHead.objects.get().sequence == 3


# The actor and object type are not database foreign keys (no row lock in every act,
# audit/migrations/0006); triggers keep what the constraints kept.


def _unchained(now, **columns) -> tuple[str, list]:
    entry = forged_entry(sequence=1, previous_hash="", recorded_at=now, action="test.named")
    for chain_column in ("sequence", "previous_hash", "entry_hash"):
        del entry[chain_column]
    return insert_entry_sql(**entry, **columns)


@postgresql_only
@pytest.mark.parametrize(
    ("column", "message"),
    [("actor_id", "names actor 987654, who is not a user"), ("object_type_id", "names object type 987654")],
)
def test_postgresql_refuses_an_entry_naming_what_does_not_exist(now, column, message):
    with pytest.raises(IntegrityError, match=message):
        _sql(*_unchained(now, **{column: 987654}))

    assert not AuditEntry.objects.exists()


@postgresql_only
def test_postgresql_accepts_an_entry_naming_an_existing_actor_and_object_type(now, make_user):
    user = make_user("ewa", is_staff=True)
    user_type = ContentType.objects.get_for_model(user)

    _sql(*_unchained(now, actor_id=user.pk, object_type_id=user_type.pk))

    named = AuditEntry.objects.filter(action="test.named")
    assert list(named.values_list("actor_id", "object_type_id")) == [(user.pk, user_type.pk)]


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM customers_user WHERE id = %s",
        "UPDATE customers_user SET id = id + 1000000 WHERE id = %s",
    ],
)
def test_postgresql_keeps_a_user_who_acted(now, make_user, statement):
    user = make_user("ewa", is_staff=True)
    audit_record(action="test.act", actor=user, now=now)

    with pytest.raises(IntegrityError, match=f"user {user.pk} acted in the audit log"):
        _sql(statement, [user.pk])

    assert type(user).objects.filter(pk=user.pk).exists()


@postgresql_only
def test_postgresql_deletes_a_user_who_never_acted(make_user):
    user = make_user("ewa", is_staff=True)

    _sql("DELETE FROM customers_user WHERE id = %s", [user.pk])

    assert not type(user).objects.filter(pk=user.pk).exists()


@postgresql_only
def test_postgresql_keeps_a_content_type_the_log_names(now, make_user):
    user = make_user("ewa", is_staff=True)
    audit_record(action="test.act", actor=None, obj=user, now=now)
    user_type = ContentType.objects.get_for_model(user)

    with pytest.raises(IntegrityError, match=f"content type {user_type.pk} is named in the audit log"):
        _sql("DELETE FROM django_content_type WHERE id = %s", [user_type.pk])

    assert ContentType.objects.filter(pk=user_type.pk).exists()


def test_raw_insert_helper_bypasses_the_protections_on_every_database(entries, now):
    # The helper the verification tests use to forge entries must really write them.
    raw_insert_entry(**forged_entry(sequence=4, previous_hash="f" * 64, recorded_at=now))

    assert _actions() == ["test.entry_1", "test.entry_2", "test.entry_3", "auth.sign_in"]
