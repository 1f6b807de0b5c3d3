"""On PostgreSQL, the sealer fills a whole batch with one UPDATE, and the chain is checked per statement.

The row trigger of 0004/0007 checked every sealed row's link against the row sealed just before it,
which made the sealer write one row per statement (an UPDATE, a trigger call with two lookups and a
``set_config`` per entry). The checks are now split by what they need (docs/AUDIT.md, "Immutability"):

- ``audit_entry_sealed_once``, ``BEFORE UPDATE OR DELETE``, each row, no lookup but the head's
  sequence: DELETE refused; an UPDATE may only fill the three empty chain columns of an entry, every
  other column unchanged (as 0007: the new row against the old one given the new chain values), with
  a sequence past the chain head (a sequence already sealed is refused here, before its unique index
  would refuse it with a less telling message).
- ``audit_entry_batch_linked``, ``AFTER UPDATE``, once per statement over the rows it sealed (the
  transition table ``sealed``): their sequences follow one another without a gap, each links to the
  stored hash of the one before it in the statement, and the first extends the chain head (head + 1,
  the head's hash) or follows the entry this transaction sealed last (``kartosfera.audit_tail``, as
  before) and links to its stored hash. The transaction's tail becomes the statement's last sequence.

One statement of several rows or several statements of one row in a transaction are held to the same
chain; only the number of trigger lookups changes (from two per row to a few per statement).
"""

import importlib

from django.db import migrations

CHEAPER_CHECK = importlib.import_module("audit.migrations.0007_cheaper_seal_check")

FORWARD_SQL = """
CREATE OR REPLACE FUNCTION audit_entry_sealed_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
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
            OR NEW.sequence IS NULL OR NEW.previous_hash IS NULL OR NEW.entry_hash IS NULL
            OR NEW IS DISTINCT FROM kept THEN
        RAISE EXCEPTION 'the audit log is append-only: % of entry % (id %) refused', TG_OP, OLD.sequence, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- Its links are checked once per statement (audit_entry_batch_linked).
    IF NEW.sequence <= (SELECT sequence FROM audit_auditchainhead WHERE id = 1) THEN
        RAISE EXCEPTION 'sealed entry % does not follow the chain head: that sequence is sealed already', NEW.sequence
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION audit_entry_batch_linked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_sequence bigint;
    head_hash varchar(64);
    first_sequence bigint;
    first_link varchar(64);
    last_sequence bigint;
    sealed_rows bigint;
    broken bigint;
    tail_hash varchar(64);
BEGIN
    SELECT min(sequence), max(sequence), count(*) INTO first_sequence, last_sequence, sealed_rows FROM sealed;
    IF sealed_rows = 0 THEN
        RETURN NULL;
    END IF;
    SELECT sequence, entry_hash INTO head_sequence, head_hash FROM audit_auditchainhead WHERE id = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit entry % cannot be sealed: there is no chain head', first_sequence
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- Inside the statement: each entry follows the one before it (no gap) and links to its hash.
    SELECT links.sequence INTO broken FROM (
        SELECT sequence, previous_hash,
               lag(sequence) OVER (ORDER BY sequence) AS prior_sequence,
               lag(entry_hash) OVER (ORDER BY sequence) AS prior_hash
        FROM sealed
    ) AS links
    WHERE links.prior_sequence IS NOT NULL
        AND (links.sequence <> links.prior_sequence + 1 OR links.previous_hash <> links.prior_hash)
    ORDER BY links.sequence
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'sealed entry % does not follow the entry sealed before it in the same statement', broken
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- The first: it extends the chain head, or the entries this transaction sealed before.
    SELECT previous_hash INTO first_link FROM sealed WHERE sequence = first_sequence;
    IF first_sequence = head_sequence + 1 THEN
        IF first_link <> head_hash THEN
            RAISE EXCEPTION 'sealed entry % does not extend the chain head (sequence %)', first_sequence, head_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    ELSE
        SELECT entry_hash INTO tail_hash FROM audit_auditentry WHERE sequence = first_sequence - 1;
        IF first_sequence <= head_sequence
                OR current_setting('kartosfera.audit_tail', true) IS DISTINCT FROM (first_sequence - 1)::text
                OR tail_hash IS NULL OR first_link <> tail_hash THEN
            RAISE EXCEPTION 'sealed entry % does not follow the entry this transaction sealed before it (chain head at sequence %)', first_sequence, head_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    PERFORM set_config('kartosfera.audit_tail', last_sequence::text, true);
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_entry_batch_linked
    AFTER UPDATE ON audit_auditentry
    REFERENCING NEW TABLE AS sealed
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_batch_linked();
"""

BACKWARD_SQL = """
DROP TRIGGER IF EXISTS audit_entry_batch_linked ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_batch_linked();
"""


def check_per_statement(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_SQL, params=None)


def check_per_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD_SQL, params=None)
        CHEAPER_CHECK.by_columns(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_unsealed_index")]

    operations = [migrations.RunPython(check_per_statement, check_per_row)]
