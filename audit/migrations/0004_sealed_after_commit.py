"""Entries are inserted unchained and sealed moments later (docs/AUDIT.md, "Sealing").

The chain columns (sequence, previous_hash, entry_hash) become empty until the sealer fills them.
On PostgreSQL the triggers become:

- ``audit_auditentry`` INSERT: a new entry comes unchained (the three chain columns empty); the
  business transaction touches no shared row.
- ``audit_auditentry`` UPDATE: refused, except the sealer's one-time fill: an unsealed entry gets
  all three chain columns and nothing else changes; its sequence extends the chain head (the
  head's plus one, linking to the head's hash) or follows the entry this transaction sealed just
  before it (``kartosfera.audit_tail``) and links to that entry's stored hash. DELETE: refused.
- ``audit_auditentry`` and ``audit_auditchainhead`` TRUNCATE: refused while the log holds entries
  (a flush of an empty test database stays possible).
- ``audit_auditchainhead`` INSERT (recreating a removed head) names the last *sealed* entry.
"""

from django.conf import settings
import importlib

from django.db import migrations, models

INITIAL = importlib.import_module("audit.migrations.0002_chain_head_and_postgresql_triggers")
BULK = importlib.import_module("audit.migrations.0003_bulk_append_triggers")

FORWARD_SQL = """
DROP TRIGGER IF EXISTS audit_entry_extends_head ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_extends_head();
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_refuse_change();

CREATE FUNCTION audit_entry_inserted_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sequence IS NOT NULL OR NEW.previous_hash IS NOT NULL OR NEW.entry_hash IS NOT NULL THEN
        RAISE EXCEPTION 'audit entries are inserted unsealed; the sealer chains them'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_entry_inserted_unsealed
    BEFORE INSERT ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_inserted_unsealed();

CREATE FUNCTION audit_entry_sealed_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_sequence bigint;
    head_hash varchar(64);
    tail text;
    before_hash varchar(64);
BEGIN
    IF TG_OP = 'DELETE' OR OLD.sequence IS NOT NULL OR OLD.previous_hash IS NOT NULL
            OR OLD.entry_hash IS NOT NULL
            OR NEW.sequence IS NULL OR NEW.previous_hash IS NULL OR NEW.entry_hash IS NULL
            OR (to_jsonb(NEW) - 'sequence' - 'previous_hash' - 'entry_hash')
                IS DISTINCT FROM (to_jsonb(OLD) - 'sequence' - 'previous_hash' - 'entry_hash') THEN
        RAISE EXCEPTION 'the audit log is append-only: % of entry % (id %) refused', TG_OP, OLD.sequence, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT sequence, entry_hash INTO head_sequence, head_hash FROM audit_auditchainhead WHERE id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit entry % cannot be sealed: there is no chain head', NEW.sequence
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.sequence = head_sequence + 1 THEN
        IF NEW.previous_hash <> head_hash THEN
            RAISE EXCEPTION 'sealed entry % does not extend the chain head (sequence %)', NEW.sequence, head_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    ELSE
        tail := current_setting('kartosfera.audit_tail', true);
        SELECT entry_hash INTO before_hash FROM audit_auditentry WHERE sequence = NEW.sequence - 1;
        IF NEW.sequence <= head_sequence OR tail IS DISTINCT FROM (NEW.sequence - 1)::text
                OR before_hash IS NULL OR NEW.previous_hash <> before_hash THEN
            RAISE EXCEPTION 'sealed entry % does not follow the entry this transaction sealed before it (chain head at sequence %)', NEW.sequence, head_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    PERFORM set_config('kartosfera.audit_tail', NEW.sequence::text, true);
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_entry_sealed_once
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_sealed_once();

CREATE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_auditentry) THEN
        RAISE EXCEPTION 'the audit log cannot be truncated (% holds entries)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_chainhead_no_truncate
    BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

CREATE OR REPLACE FUNCTION audit_chainhead_advance_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
            FROM audit_auditentry WHERE sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1;
        IF NEW.sequence <> COALESCE(last_sequence, 0)
                OR NEW.entry_hash <> COALESCE(last_hash, repeat('0', 64)) THEN
            RAISE EXCEPTION 'a new audit chain head must name the last entry (sequence %)', COALESCE(last_sequence, 0)
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.sequence <= OLD.sequence
        OR NOT EXISTS (
            SELECT 1 FROM audit_auditentry WHERE sequence = NEW.sequence AND entry_hash = NEW.entry_hash
        )
        OR NOT EXISTS (
            SELECT 1 FROM audit_auditentry WHERE sequence = OLD.sequence + 1 AND previous_hash = OLD.entry_hash
        ) THEN
        RAISE EXCEPTION 'the audit chain head only advances, to the last of the entries just sealed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

BACKWARD_SQL = """
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
DROP TRIGGER IF EXISTS audit_entry_sealed_once ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_sealed_once();
DROP TRIGGER IF EXISTS audit_entry_inserted_unsealed ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_inserted_unsealed();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL, params=None)
        schema_editor.execute(INITIAL.DROP_SQL, params=None)
        schema_editor.execute(INITIAL.CREATE_SQL, params=None)
        schema_editor.execute(BULK.FORWARD_SQL, params=None)



class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_bulk_append_triggers'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditentry',
            options={'default_permissions': ('view',), 'ordering': [models.OrderBy(models.F('sequence'), nulls_last=True), 'id'], 'verbose_name': 'audit entry', 'verbose_name_plural': 'audit entries'},
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(editable=False, max_length=64, null=True, unique=True, verbose_name='hash'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='previous_hash',
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="previous entry's hash"),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, null=True, unique=True, verbose_name='sequence'),
        ),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('entry_hash__isnull', True), ('previous_hash__isnull', True), ('sequence__isnull', True)), models.Q(('entry_hash__isnull', False), ('previous_hash__isnull', False), ('sequence__isnull', False)), _connector='OR'), name='audit_entry_sealed_whole'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
