"""On PostgreSQL, the sealer's one-time fill is checked column by column rather than through JSON.

``audit_entry_sealed_once`` (audit/migrations/0004) made sure that sealing an entry changes only its
three chain columns by comparing ``to_jsonb(NEW)`` and ``to_jsonb(OLD)`` without them: two JSON
documents of the whole row, built for every entry sealed. Now it compares the new row with the old
one whose chain columns are given the new values (``NEW IS DISTINCT FROM kept``): the same rule,
every other column, present and future, compared with its own equality, without building JSON.
Everything else in the function is unchanged.
"""

from django.db import migrations

CHECK_BY_JSON = """
            OR (to_jsonb(NEW) - 'sequence' - 'previous_hash' - 'entry_hash')
                IS DISTINCT FROM (to_jsonb(OLD) - 'sequence' - 'previous_hash' - 'entry_hash') THEN"""

CHECK_BY_COLUMNS = """
            OR NEW IS DISTINCT FROM kept THEN"""

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entry_sealed_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_sequence bigint;
    head_hash varchar(64);
    tail text;
    before_hash varchar(64);
    kept audit_auditentry;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- The old row as the sealer may leave it: only the three chain columns take new values.
        kept := OLD;
        kept.sequence := NEW.sequence;
        kept.previous_hash := NEW.previous_hash;
        kept.entry_hash := NEW.entry_hash;
    END IF;
    IF TG_OP = 'DELETE' OR OLD.sequence IS NOT NULL OR OLD.previous_hash IS NOT NULL
            OR OLD.entry_hash IS NOT NULL
            OR NEW.sequence IS NULL OR NEW.previous_hash IS NULL OR NEW.entry_hash IS NULL{check}
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
"""


def by_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.replace("{check}", CHECK_BY_COLUMNS), params=None)


def by_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.replace("{check}", CHECK_BY_JSON), params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_fewer_indexes_no_locking_foreign_keys")]

    operations = [migrations.RunPython(by_columns, by_json)]
