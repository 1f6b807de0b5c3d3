"""A ledger entry's chargeback is the chargebacks app's model now (same table, same column): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chargebacks', '0001_initial'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='ledgerentry',
                    name='chargeback',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='chargebacks.chargeback', verbose_name='chargeback'),
                ),
            ],
        ),
    ]
