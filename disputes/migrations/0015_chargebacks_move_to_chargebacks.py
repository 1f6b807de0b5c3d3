"""The chargeback models are the chargebacks app's now (chargebacks 0001): removed from this app's state
only, and the case's history and proposals point at them there (same tables, same columns).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chargebacks', '0001_initial'),
        ('disputes', '0014_ledger_entry_moves_to_ledger'),
        ('ledger', '0002_chargeback_of_the_chargebacks_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='decisionproposal',
                    name='chargeback',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='chargebacks.chargeback', verbose_name='chargeback'),
                ),
                migrations.AlterField(
                    model_name='casetransition',
                    name='chargeback',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='chargebacks.chargeback', verbose_name='chargeback'),
                ),
                migrations.RemoveField(
                    model_name='chargebackdocument',
                    name='chargeback',
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='chargeback',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='chargebacks.chargeback', verbose_name='chargeback'),
                ),
                migrations.RemoveField(
                    model_name='chargebackdocument',
                    name='evidence',
                ),
                migrations.DeleteModel(
                    name='Chargeback',
                ),
                migrations.DeleteModel(
                    name='ChargebackDocument',
                ),
            ],
        ),
    ]
