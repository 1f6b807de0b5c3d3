"""The ledger entry moves from the disputes app to the ledger app: the model, not the data.

The table keeps its name (``disputes_ledgerentry``) and its rows: the model is created in the ledger's
state only, and disputes 0014 deletes it from the disputes' state only. The content type row is
renamed (``disputes.ledgerentry`` becomes ``ledger.ledgerentry``), not replaced, so its permissions,
the groups that hold them and the audit entries that point at it keep pointing at the same row; the
audit entries' recorded ``object_label`` (hashed into the chain) is stored text and stays as written.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("disputes", "ledger", ["ledgerentry"])


def move_content_types(apps, schema_editor, *, backwards=False):
    """Rename the moved models' content type rows to their new app (back again when reversed)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    old_app, new_app, models_ = MOVED
    source, target = (new_app, old_app) if backwards else (old_app, new_app)
    for model in models_:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue  # already there (a database that never had the old row)
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cards', '0003_wallet_token_pending'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('disputes', '0013_case_channel_label_of_the_one_vocabulary'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LedgerEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('PROVISIONAL_REFUND', 'Provisional refund (D+1)'), ('FINAL_REFUND', 'Refund on acceptance'), ('RECOVERY', "Recovery of the customer's share"), ('REVERSAL', 'Reversal of a refund'), ('CHARGEBACK_CREDIT', 'Chargeback credit from the acquirer')], max_length=20, verbose_name='kind')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                        ('currency', models.CharField(default='PLN', max_length=3, verbose_name='currency')),
                        ('disputed_amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='disputed amount')),
                        ('idempotency_key', models.CharField(max_length=100, unique=True, verbose_name='idempotency key')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='disputes.case', verbose_name='case')),
                        ('chargeback', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='disputes.chargeback', verbose_name='chargeback')),
                        ('reversed_by', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reverses', to='ledger.ledgerentry', verbose_name='reversed by')),
                        ('transaction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dispute_ledger_entries', to='cards.transaction', verbose_name='transaction')),
                        ('transition', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='disputes.casetransition', verbose_name='transition')),
                    ],
                    options={
                        'verbose_name': 'ledger entry',
                        'verbose_name_plural': 'ledger entries',
                        'db_table': 'disputes_ledgerentry',
                        'ordering': ['created_at', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['PROVISIONAL_REFUND', 'FINAL_REFUND', 'RECOVERY', 'REVERSAL', 'CHARGEBACK_CREDIT'])), name='ledger_kind_valid'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='ledger_amount_positive'), models.CheckConstraint(condition=models.Q(('amount__lte', models.F('disputed_amount'))), name='ledger_amount_within_disputed'), models.CheckConstraint(condition=models.Q(('currency', 'PLN')), name='ledger_currency_pln'), models.UniqueConstraint(condition=models.Q(('kind', 'PROVISIONAL_REFUND'), ('reversed_by__isnull', True)), fields=('transaction',), name='ledger_one_outstanding_provisional_refund'), models.CheckConstraint(condition=models.Q(('reversed_by__isnull', True), ('kind', 'PROVISIONAL_REFUND'), _connector='OR'), name='ledger_only_refunds_are_reversed'), models.UniqueConstraint(fields=('case', 'transaction', 'kind'), name='ledger_one_kind_per_case_transaction'), models.CheckConstraint(condition=models.Q(models.Q(('chargeback__isnull', False), ('kind', 'CHARGEBACK_CREDIT')), models.Q(('kind', 'CHARGEBACK_CREDIT'), _negated=True), _connector='OR'), name='ledger_chargeback_credit_names_chargeback')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
