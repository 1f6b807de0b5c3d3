"""On PostgreSQL, let one statement append many linked entries (``audit_record_many``).

The triggers of 0002 checked every inserted row against the chain head, which moves only after the
INSERT: a multi-row INSERT failed at its second row. Now:

- ``audit_auditentry`` INSERT: the first entry a transaction appends must extend the chain head (its
  sequence the head's plus one, its previous_hash the head's hash); each further entry before the
  head is moved must follow the entry this transaction appended just before it, and link to that
  entry's stored hash, looked up by ``sequence - 1``. A row that skips, repeats or does not link
  is refused, in one statement or many. UPDATE and DELETE stay refused (unchanged).
- ``audit_auditchainhead`` UPDATE: the head may advance by one or more, to an entry that exists, with
  the first entry after the old head linking to the old head's hash (the entries in between link to
  each other by the INSERT check). DELETE stays refused; INSERT is unchanged.

The transaction remembers the last entry it appended in the setting ``kartosfera.audit_tail``
(``set_config(..., true)``: local to the transaction, undone with a rolled-back savepoint), so a
forger's rows past the head cannot be extended by another transaction.
"""

import importlib

from django.db import migrations

INITIAL = importlib.import_module("audit.migrations.0002_chain_head_and_postgresql_triggers")

FORWARD_SQL = """
CREATE OR REPLACE FUNCTION audit_entry_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_sequence bigint;
    head_hash varchar(64);
    tail text;
    before_hash varchar(64);
BEGIN
    SELECT sequence, entry_hash INTO head_sequence, head_hash FROM audit_auditchainhead WHERE id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit entry % does not extend the chain head (there is none)', NEW.sequence
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.sequence = head_sequence + 1 THEN
        IF NEW.previous_hash <> head_hash THEN
            RAISE EXCEPTION 'audit entry % does not extend the chain head (sequence %)', NEW.sequence, head_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    ELSE
        tail := current_setting('kartosfera.audit_tail', true);
        SELECT entry_hash INTO before_hash FROM audit_auditentry WHERE sequence = NEW.sequence - 1;
        IF NEW.sequence <= head_sequence OR tail IS DISTINCT FROM (NEW.sequence - 1)::text
                OR before_hash IS NULL OR NEW.previous_hash <> before_hash THEN
            RAISE EXCEPTION 'audit entry % does not link to the entry this transaction appended before it (chain head at sequence %)', NEW.sequence, head_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    PERFORM set_config('kartosfera.audit_tail', NEW.sequence::text, true);
    RETURN NEW;
END;
$$;

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
            FROM audit_auditentry ORDER BY sequence DESC LIMIT 1;
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
        RAISE EXCEPTION 'the audit chain head only advances, to the last of the entries just appended'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)


def restore_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INITIAL.DROP_SQL, params=None)
        schema_editor.execute(INITIAL.CREATE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_and_postgresql_triggers")]

    operations = [migrations.RunPython(replace_functions, restore_functions)]
