"""A posting's ledger entry is the ledger app's model now (same table, same column): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('corebanking', '0001_initial'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.AlterField(
            model_name='posting',
            name='ledger_entry',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='posting', to='ledger.ledgerentry', verbose_name='ledger entry'),
        ),
            ],
        ),
    ]
