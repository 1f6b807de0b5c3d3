"""An index of the entries waiting for the sealer, in the order it takes them.

The sealer's query (``sequence IS NULL ORDER BY id``) went through the NULLs of ``sequence``'s unique
index: every row inserted since the last vacuum, sealed or not (a sealed row's old version keeps its
NULL entry until vacuum), each one visited in the table, at every poll. This partial index holds only
rows inserted unsealed; sealing moves a row out of it (docs/PERFORMANCE.md, "Audit log").
"""

from django.db import migrations, models

UNSEALED = models.Index(fields=["id"], condition=models.Q(sequence__isnull=True), name="audit_entry_unsealed")


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_cheaper_seal_check")]

    operations = [migrations.AddIndex(model_name="auditentry", index=UNSEALED)]
