"""The ledger entry is the ledger app's model now (ledger 0001): removed from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('corebanking', '0002_posting_of_the_ledger_entry_in_ledger'),
        ('disputes', '0013_case_channel_label_of_the_one_vocabulary'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='LedgerEntry')],
        ),
    ]
