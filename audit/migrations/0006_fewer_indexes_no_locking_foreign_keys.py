"""Fewer indexes on the audit log, and its two references checked without locking what they name.

An audited act is one INSERT into ``audit_auditentry``; each index and each foreign-key check is
part of its cost, and the sealer's UPDATE of the chain columns rewrites every index entry again
(docs/PERFORMANCE.md, "Audit log").

- Dropped: the pattern (``varchar_pattern_ops``) indexes of ``action`` and ``entry_hash``, which no
  query uses (the admin's search is ``icontains``; the hash is compared for equality), and the
  single-column indexes of ``actor_id`` and ``object_type_id``, which lead the composite indexes
  ``audit_entry_actor`` and ``audit_entry_object``. ``action`` keeps a plain index
  (``audit_entry_action``), ``entry_hash`` its uniqueness (``audit_entry_hash_unique``).
- The foreign keys of ``actor_id`` and ``object_type_id`` are no longer database constraints. A
  constraint's check takes ``FOR KEY SHARE`` on the referenced row in every insert, and concurrent
  acts by one user or on one kind of object (every act on a case names the same content type) then
  share that row lock, a multixact each time. On PostgreSQL triggers keep the same two guarantees:

  - ``BEFORE INSERT`` on ``audit_auditentry`` (with the existing check that a new entry comes
    unchained): an entry's ``actor_id`` must name an existing user and its ``object_type_id`` an
    existing content type;
  - ``BEFORE DELETE OR UPDATE OF id`` on the user and content type tables: a row that an audit entry
    names cannot be deleted or renumbered (the model says ``PROTECT``; Django's own deletion is
    refused before it reaches the database, this also refuses raw SQL).

  Unlike a constraint they do not lock: a user deleted by a transaction running at the same moment
  as an act naming them could escape both checks. Users who acted are deactivated, never deleted,
  and the entry keeps ``actor_repr`` and ``object_label`` (both hashed) whatever happens to the row.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_entry_inserted_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sequence IS NOT NULL OR NEW.previous_hash IS NOT NULL OR NEW.entry_hash IS NOT NULL THEN
        RAISE EXCEPTION 'audit entries are inserted unsealed; the sealer chains them'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- Nested IFs: the lookup is planned only when there is something to look up.
    IF NEW.actor_id IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM {user_table} WHERE id = NEW.actor_id) THEN
            RAISE EXCEPTION 'audit entry names actor %, who is not a user', NEW.actor_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.object_type_id IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM {content_type_table} WHERE id = NEW.object_type_id) THEN
            RAISE EXCEPTION 'audit entry names object type %, which does not exist', NEW.object_type_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION audit_actor_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id)
            AND EXISTS (SELECT 1 FROM audit_auditentry WHERE actor_id = OLD.id) THEN
        RAISE EXCEPTION 'user % acted in the audit log: deactivate them instead (% refused)', OLD.id, TG_OP
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER audit_actor_kept
    BEFORE DELETE OR UPDATE OF id ON {user_table}
    FOR EACH ROW EXECUTE FUNCTION audit_actor_kept();

CREATE FUNCTION audit_object_type_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id)
            AND EXISTS (SELECT 1 FROM audit_auditentry WHERE object_type_id = OLD.id) THEN
        RAISE EXCEPTION 'content type % is named in the audit log (% refused)', OLD.id, TG_OP
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER audit_object_type_kept
    BEFORE DELETE OR UPDATE OF id ON {content_type_table}
    FOR EACH ROW EXECUTE FUNCTION audit_object_type_kept();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS audit_object_type_kept ON {content_type_table};
DROP FUNCTION IF EXISTS audit_object_type_kept();
DROP TRIGGER IF EXISTS audit_actor_kept ON {user_table};
DROP FUNCTION IF EXISTS audit_actor_kept();
CREATE OR REPLACE FUNCTION audit_entry_inserted_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sequence IS NOT NULL OR NEW.previous_hash IS NOT NULL OR NEW.entry_hash IS NOT NULL THEN
        RAISE EXCEPTION 'audit entries are inserted unsealed; the sealer chains them'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def _sql(template, apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    return template.format(
        user_table=quote(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table),
        content_type_table=quote(apps.get_model("contenttypes", "ContentType")._meta.db_table),
    )


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql(TRIGGER_SQL, apps, schema_editor), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql(REVERSE_SQL, apps, schema_editor), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_merge_0004_api_channel_0004_sealed_after_commit'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(editable=False, max_length=64, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name='hash'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='object_type',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='object type'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action'], name='audit_entry_action'),
        ),
        migrations.AddConstraint(
            model_name='auditentry',
            constraint=models.UniqueConstraint(fields=('entry_hash',), name='audit_entry_hash_unique'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
