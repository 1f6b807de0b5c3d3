"""An index of the entries waiting for the sealer, in the order it takes them.

The sealer's query (``sequence IS NULL ORDER BY id``) went through the NULLs of ``sequence``'s unique
index: every row inserted since the last vacuum, sealed or not (a sealed row's old version keeps its
NULL entry until vacuum), each one visited in the table, at every poll. This partial index holds only
rows inserted unsealed; sealing moves a row out of it (docs/PERFORMANCE.md, "Audit log").

On PostgreSQL the index is built CONCURRENTLY (so outside a transaction): every audited act inserts
into this table, and a plain CREATE INDEX would hold them all for as long as it reads a grown log.
"""

from django.db import migrations, models

UNSEALED = models.Index(fields=["id"], condition=models.Q(sequence__isnull=True), name="audit_entry_unsealed")


def _add(apps, schema_editor):
    model = apps.get_model("audit", "AuditEntry")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, UNSEALED, concurrently=True)
    else:
        schema_editor.add_index(model, UNSEALED)


def _remove(apps, schema_editor):
    model = apps.get_model("audit", "AuditEntry")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(model, UNSEALED, concurrently=True)
    else:
        schema_editor.remove_index(model, UNSEALED)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0007_cheaper_seal_check")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="auditentry", index=UNSEALED)],
            database_operations=[migrations.RunPython(_add, _remove)],
        )
    ]
