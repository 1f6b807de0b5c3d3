"""The production database roles of docs/AUDIT.md: the application's role cannot truncate, alter, switch
off the triggers of, or rewrite the audit log; it can append and seal (PostgreSQL)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import audit_record, audit_seal
from tests.audit.helpers import forged_entry, insert_entry_sql, postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db]

APP_ROLE = "kartosfera_app_test"

# What docs/AUDIT.md ("Database roles") grants the application on the audit tables; the migrations
# run as the owner. Column-level UPDATE: the sealer fills the three chain columns, nothing else.
GRANTS = f"""
CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
GRANT USAGE ON SCHEMA public TO {APP_ROLE};
GRANT SELECT, INSERT ON audit_auditentry TO {APP_ROLE};
GRANT UPDATE (sequence, previous_hash, entry_hash) ON audit_auditentry TO {APP_ROLE};
GRANT SELECT, UPDATE ON audit_auditchainhead TO {APP_ROLE};
GRANT USAGE ON SEQUENCE audit_auditentry_id_seq TO {APP_ROLE};
"""


def _as_application(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(statement, params)


@pytest.fixture
def application_role(now):
    # Created inside the test's transaction: rolled back with it, so the cluster keeps no role.
    with connection.cursor() as cursor:
        cursor.execute(GRANTS)
    for n in range(1, 4):
        audit_record(action=f"test.entry_{n}", actor=None, now=now)


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("TRUNCATE audit_auditentry", "permission denied for table audit_auditentry"),
        ("TRUNCATE audit_auditchainhead", "permission denied for table audit_auditchainhead"),
        ("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL", "must be owner of table audit_auditentry"),
        (
            "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_sealed_once",
            "must be owner of table audit_auditentry",
        ),
        ("ALTER TABLE audit_auditentry ADD COLUMN note text", "must be owner of table audit_auditentry"),
        ("DROP TRIGGER audit_entry_no_truncate ON audit_auditentry", "must be owner of"),
        ("SET session_replication_role = replica", "permission denied to set parameter"),
        (
            "UPDATE audit_auditentry SET action = 'test.rewritten'",
            "permission denied for table audit_auditentry",
        ),
        ("UPDATE audit_auditentry SET sequence = 99 WHERE sequence = 2", "the audit log is append-only"),
        ("DELETE FROM audit_auditentry", "permission denied for table audit_auditentry"),
    ],
)
def test_the_application_role_is_refused(application_role, statement, refusal):
    with pytest.raises(DatabaseError, match=refusal):
        _as_application(statement)

    assert list(AuditEntry.objects.values_list("action", "sequence")) == [
        ("test.entry_1", 1),
        ("test.entry_2", 2),
        ("test.entry_3", 3),
    ]


def test_the_application_role_appends_and_seals(application_role, now, settings):
    columns = forged_entry(sequence=4, previous_hash="", recorded_at=now, action="test.appended")
    for chain_column in ("sequence", "previous_hash", "entry_hash"):
        del columns[chain_column]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(*insert_entry_sql(**columns))
        sealed = audit_seal(now=now).sealed

    assert sealed == 1
    assert AuditEntry.objects.get(action="test.appended").sequence == 4
    assert audit_chain_verify().ok
