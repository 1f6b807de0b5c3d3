"""The chain head row, and on PostgreSQL the triggers that keep the audit log append-only.

- ``audit_auditentry``: UPDATE and DELETE are refused; an INSERT must extend the chain head (its
  sequence is the head's plus one and its previous_hash the head's hash).
- ``audit_auditchainhead``: DELETE is refused; an UPDATE may only advance the head by one, to the
  entry just appended; an INSERT (only when the row is missing) must name the last entry.

SQLite has no such triggers: there the model, its queryset and ``verify_audit`` protect the log.
"""

from django.db import migrations

GENESIS_HASH = "0" * 64

CREATE_SQL = """
CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % of entry % refused', TG_OP, OLD.sequence
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();

CREATE FUNCTION audit_entry_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_sequence bigint;
    head_hash varchar(64);
BEGIN
    SELECT sequence, entry_hash INTO head_sequence, head_hash FROM audit_auditchainhead WHERE id = 1;
    IF NOT FOUND OR NEW.sequence <> head_sequence + 1 OR NEW.previous_hash <> head_hash THEN
        RAISE EXCEPTION 'audit entry % does not extend the chain head (sequence %)', NEW.sequence, head_sequence
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_entry_extends_head
    BEFORE INSERT ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_extends_head();

CREATE FUNCTION audit_chainhead_advance_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_sequence bigint;
    last_hash varchar(64);
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT sequence, entry_hash INTO last_sequence, last_hash
            FROM audit_auditentry ORDER BY sequence DESC LIMIT 1;
        IF NEW.sequence <> COALESCE(last_sequence, 0)
                OR NEW.entry_hash <> COALESCE(last_hash, repeat('0', 64)) THEN
            RAISE EXCEPTION 'a new audit chain head must name the last entry (sequence %)', COALESCE(last_sequence, 0)
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.sequence <> OLD.sequence + 1 OR NOT EXISTS (
        SELECT 1 FROM audit_auditentry
        WHERE sequence = NEW.sequence AND entry_hash = NEW.entry_hash AND previous_hash = OLD.entry_hash
    ) THEN
        RAISE EXCEPTION 'the audit chain head only advances by one, to the entry just appended'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chainhead_advance_only
    BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_advance_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS audit_chainhead_advance_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_chainhead_advance_only();
DROP TRIGGER IF EXISTS audit_entry_extends_head ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_extends_head();
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_refuse_change();
"""


def create_chain_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"sequence": 0, "entry_hash": GENESIS_HASH}
    )


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
