"""The escalation sweep's partial index takes the sweep's own condition.

D+1 is met when the core system confirms the refund, so the sweep reads the refund clock's one
definition (``REFUND_RUNNING``): a refund pending, or made and not yet confirmed. The index still held
the pending states only, and PostgreSQL answered the sweep by ORing it with the queue's index of every
open case and sorting what they found (docs/PERFORMANCE.md, "The sweep queries and their indexes").

On PostgreSQL the index is dropped and built again CONCURRENTLY (so outside a transaction): every
case's workflow writes this table, and a plain DROP INDEX would hold its reads and writes for as long
as the new index takes to build.
"""

from django.db import migrations, models

PENDING = ("SUBMITTED", "UNDER_REVIEW")
OPEN = (
    "SUBMITTED",
    "UNDER_REVIEW",
    "PROVISIONALLY_REFUNDED",
    "REFUND_WITHHELD",
    "AWAITING_CUSTOMER",
    "DECIDED",
    "DEEMED_ACCEPTED",
)

OLD = models.Index(
    fields=["refund_due_at"],
    name="case_refund_sweep_idx",
    condition=models.Q(state__in=PENDING, refund_owed=True, refund_escalated_at__isnull=True),
)
# disputes.models._clocks.REFUND_RUNNING and not escalated, as the states were at this migration.
NEW = models.Index(
    fields=["refund_due_at"],
    name="case_refund_sweep_idx",
    condition=models.Q(
        ("refund_owed", True),
        ("refund_withheld_at__isnull", True),
        models.Q(
            models.Q(("refunded_at__isnull", True), ("state__in", PENDING)),
            models.Q(("refund_confirmed_at__isnull", True), ("refunded_at__isnull", False), ("state__in", OPEN)),
            _connector="OR",
        ),
        ("refund_escalated_at__isnull", True),
    ),
)


def _replace(schema_editor, model, old: models.Index, new: models.Index) -> None:
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    schema_editor.remove_index(model, old, **concurrently)
    schema_editor.add_index(model, new, **concurrently)


def _forwards(apps, schema_editor):
    _replace(schema_editor, apps.get_model("disputes", "Case"), OLD, NEW)


def _backwards(apps, schema_editor):
    _replace(schema_editor, apps.get_model("disputes", "Case"), NEW, OLD)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("disputes", "0016_actor_help_text")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="case", name="case_refund_sweep_idx"),
                migrations.AddIndex(model_name="case", index=NEW),
            ],
            database_operations=[migrations.RunPython(_forwards, _backwards)],
        )
    ]
