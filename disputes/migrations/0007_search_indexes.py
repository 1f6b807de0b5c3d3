# The back office's search box: indexes that serve each kind of lookup on PostgreSQL. Names and
# merchants are matched anywhere in the folded text (``LIKE '%kowal%'``), which only a pg_trgm GIN
# index on the same expression serves. SQLite (tests, development) has neither pg_trgm nor GIN, and
# its tables are small: the migration does nothing there. The indexes are not in the models' Meta
# for the same reason (makemigrations would then create them on SQLite too).

from django.db import migrations, models


def _indexes(apps):
    from django.contrib.postgres.indexes import GinIndex, OpClass

    from disputes.backoffice.search import customer_name_folded, merchant_folded

    return [
        (
            apps.get_model("customers", "Customer"),
            GinIndex(OpClass(customer_name_folded(), name="gin_trgm_ops"), name="customer_name_trgm"),
        ),
        (apps.get_model("customers", "Customer"), models.Index(fields=["mobile_phone"], name="customer_phone_idx")),
        (apps.get_model("cards", "Card"), models.Index(fields=["last4"], name="card_last4_idx")),
        (
            apps.get_model("cards", "Transaction"),
            GinIndex(OpClass(merchant_folded(), name="gin_trgm_ops"), name="transaction_merchant_trgm"),
        ),
        (apps.get_model("disputes", "Case"), models.Index(fields=["disputed_amount"], name="case_amount_idx")),
        (
            apps.get_model("disputes", "CaseTransaction"),
            models.Index(fields=["amount"], name="casetransaction_amount_idx"),
        ),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0006_ledger_refund_reversed_by"),
        ("customers", "0004_throttle_hits"),
        ("cards", "0002_replacement_cards"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
