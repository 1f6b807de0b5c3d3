# The back office's search box: indexes that serve each kind of lookup on PostgreSQL. Names and
# merchants are matched anywhere in the folded text (``LIKE '%kowal%'``), which only a pg_trgm GIN
# index on the same expression serves. SQLite (tests, development) has neither pg_trgm nor GIN, and
# its tables are small: the migration does nothing there. The indexes are not in the models' Meta
# for the same reason (makemigrations would then create them on SQLite too).

from django.db import migrations, models
from django.db.models.sql import Query


def _trigram_indexes(apps):
    from disputes.backoffice.search import customer_name_folded, merchant_folded

    return [
        (apps.get_model("customers", "Customer"), customer_name_folded(), "customer_name_trgm"),
        (apps.get_model("cards", "Transaction"), merchant_folded(), "transaction_merchant_trgm"),
    ]


def _trigram_index_sql(schema_editor, model, expression, name: str) -> str:
    """CREATE INDEX over exactly the SQL the search's queries compile the expression to."""
    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = compiler.compile(expression.resolve_expression(query))
    sql = sql % tuple(schema_editor.quote_value(param) for param in params)
    table = schema_editor.quote_name(model._meta.db_table)
    return f"CREATE INDEX {schema_editor.quote_name(name)} ON {table} USING gin (({sql}) gin_trgm_ops)"


def _indexes(apps):
    return [
        (
            apps.get_model("customers", "Customer"),
            models.Index(fields=["mobile_phone"], name="customer_phone_idx"),
        ),
        (apps.get_model("cards", "Card"), models.Index(fields=["last4"], name="card_last4_idx")),
        (
            apps.get_model("disputes", "Case"),
            models.Index(fields=["disputed_amount"], name="case_amount_idx"),
        ),
        (
            apps.get_model("disputes", "CaseTransaction"),
            models.Index(fields=["amount"], name="casetransaction_amount_idx"),
        ),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model, expression, name in _trigram_indexes(apps):
        schema_editor.execute(_trigram_index_sql(schema_editor, model, expression, name))
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model, _expression, name in _trigram_indexes(apps):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0006_ledger_refund_reversed_by"),
        ("customers", "0004_throttle_hits"),
        ("cards", "0002_replacement_cards"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
