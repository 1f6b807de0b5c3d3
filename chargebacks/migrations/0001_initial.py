"""The chargeback and its documents move from the disputes app to the chargebacks app: the models, not the data.

The tables keep their names (``disputes_chargeback``, ``disputes_chargebackdocument``) and their rows:
the models are created in this app's state only, and disputes 0015 deletes them from the disputes'
state only. The content type rows are renamed (``disputes.chargeback`` becomes
``chargebacks.chargeback``), not replaced, so their permissions (``chargebacks.view_chargeback``), the
groups that hold them and the audit entries that point at them keep pointing at the same rows; the
audit entries' recorded ``object_label`` (hashed into the chain) is stored text and stays as written.
"""

import django.db.models.deletion
import django_fsm
from django.db import migrations, models

MOVED = ("disputes", "chargebacks", ["chargeback", "chargebackdocument"])


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
        ('contenttypes', '0002_remove_content_type_name'),
        ('cards', '0003_wallet_token_pending'),
        ('disputes', '0014_ledger_entry_moves_to_ledger'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Chargeback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scheme', models.CharField(choices=[('VISA', 'Visa'), ('MASTERCARD', 'Mastercard')], max_length=16, verbose_name='scheme')),
                        ('reason_code', models.CharField(max_length=8, verbose_name='reason code')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount (PLN)')),
                        ('state', django_fsm.FSMField(choices=[('DRAFT', 'Draft'), ('FILED', 'Filed'), ('REPRESENTED', 'Second presentment received'), ('PRE_ARBITRATION', 'Pre-arbitration'), ('ARBITRATION', 'Arbitration'), ('WON', 'Won'), ('LOST', 'Lost'), ('NOT_FILED', 'Not filed')], default='DRAFT', max_length=20, protected=True, verbose_name='state')),
                        ('filing_due_at', models.DateTimeField(verbose_name='file before')),
                        ('filing_due_on', models.DateField(db_index=True, verbose_name='filing due on')),
                        ('filing_rule', models.CharField(max_length=20, verbose_name='filing rule')),
                        ('response_due_at', models.DateTimeField(blank=True, null=True, verbose_name='respond before')),
                        ('response_due_on', models.DateField(blank=True, db_index=True, null=True, verbose_name='response due on')),
                        ('response_rule', models.CharField(blank=True, max_length=20, verbose_name='response rule')),
                        ('deadline_explanations', models.JSONField(blank=True, default=dict, verbose_name='deadline explanations')),
                        ('acquirer_reference', models.CharField(blank=True, max_length=64, verbose_name='acquirer reference')),
                        ('created_at', models.DateTimeField(verbose_name='opened at')),
                        ('filed_at', models.DateTimeField(blank=True, null=True, verbose_name='filed at')),
                        ('represented_at', models.DateTimeField(blank=True, null=True, verbose_name='second presentment received at')),
                        ('pre_arbitration_at', models.DateTimeField(blank=True, null=True, verbose_name='pre-arbitration at')),
                        ('arbitration_at', models.DateTimeField(blank=True, null=True, verbose_name='arbitration at')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                        ('alerted_at', models.DateTimeField(blank=True, null=True, verbose_name='filing alert sent at')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chargebacks', to='disputes.case', verbose_name='case')),
                        ('transaction', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chargebacks', to='cards.transaction', verbose_name='transaction')),
                    ],
                    options={
                        'verbose_name': 'chargeback',
                        'verbose_name_plural': 'chargebacks',
                        'db_table': 'disputes_chargeback',
                        'ordering': ['created_at', 'id'],
                    },
                    bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='ChargebackDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('direction', models.CharField(choices=[('SENT', 'Sent to the scheme'), ('RECEIVED', 'Received from the acquirer')], max_length=8, verbose_name='direction')),
                        ('stage', models.CharField(choices=[('DRAFT', 'Draft'), ('FILED', 'Filed'), ('REPRESENTED', 'Second presentment received'), ('PRE_ARBITRATION', 'Pre-arbitration'), ('ARBITRATION', 'Arbitration'), ('WON', 'Won'), ('LOST', 'Lost'), ('NOT_FILED', 'Not filed')], max_length=20, verbose_name='stage')),
                        ('added_at', models.DateTimeField(verbose_name='added at')),
                        ('chargeback', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='chargebacks.chargeback', verbose_name='chargeback')),
                        ('evidence', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chargeback_documents', to='disputes.evidence', verbose_name='evidence')),
                    ],
                    options={
                        'verbose_name': 'chargeback document',
                        'verbose_name_plural': 'chargeback documents',
                        'db_table': 'disputes_chargebackdocument',
                        'ordering': ['added_at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='chargeback',
                    index=models.Index(condition=models.Q(('alerted_at__isnull', True), ('state', 'DRAFT')), fields=['filing_due_at'], name='chargeback_filing_alert_idx'),
                ),
                migrations.AddConstraint(
                    model_name='chargeback',
                    constraint=models.UniqueConstraint(fields=('case', 'transaction'), name='chargeback_once_per_case_transaction'),
                ),
                migrations.AddConstraint(
                    model_name='chargeback',
                    constraint=models.CheckConstraint(condition=models.Q(('state__in', ['DRAFT', 'FILED', 'REPRESENTED', 'PRE_ARBITRATION', 'ARBITRATION', 'WON', 'LOST', 'NOT_FILED'])), name='chargeback_state_valid'),
                ),
                migrations.AddConstraint(
                    model_name='chargeback',
                    constraint=models.CheckConstraint(condition=models.Q(('scheme__in', ['VISA', 'MASTERCARD'])), name='chargeback_scheme_valid'),
                ),
                migrations.AddConstraint(
                    model_name='chargeback',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='chargeback_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='chargeback',
                    constraint=models.CheckConstraint(condition=models.Q(('state', 'DRAFT'), ('state', 'NOT_FILED'), ('filed_at__isnull', False), _connector='OR'), name='chargeback_filed_has_date'),
                ),
                migrations.AddConstraint(
                    model_name='chargebackdocument',
                    constraint=models.UniqueConstraint(fields=('chargeback', 'evidence', 'stage'), name='chargeback_document_once_per_stage'),
                ),
                migrations.AddConstraint(
                    model_name='chargebackdocument',
                    constraint=models.CheckConstraint(condition=models.Q(('direction__in', ['SENT', 'RECEIVED'])), name='chargeback_document_direction_valid'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
