# A provisional refund reversed on withdrawal no longer holds its transaction: the one-refund index
# covers only the refunds not reversed, so a new claim about the transaction can be refunded.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def link_reversals(apps, schema_editor):
    """Point each refund reversed in full by its case's REVERSAL entry to that entry."""
    LedgerEntry = apps.get_model("disputes", "LedgerEntry")
    for reversal in LedgerEntry.objects.filter(kind="REVERSAL").order_by("pk"):
        LedgerEntry.objects.filter(
            case_id=reversal.case_id,
            transaction_id=reversal.transaction_id,
            kind="PROVISIONAL_REFUND",
            amount=reversal.amount,
            reversed_by__isnull=True,
        ).update(reversed_by=reversal)


class Migration(migrations.Migration):

    dependencies = [
        ('cards', '0002_replacement_cards'),
        ('disputes', '0005_case_queue_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerentry',
            name='reversed_by',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reverses', to='disputes.ledgerentry', verbose_name='reversed by'),
        ),
        migrations.RunPython(link_reversals, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='ledgerentry',
            name='ledger_one_provisional_refund',
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'PROVISIONAL_REFUND'), ('reversed_by__isnull', True)), fields=('transaction',), name='ledger_one_outstanding_provisional_refund'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('reversed_by__isnull', True), ('kind', 'PROVISIONAL_REFUND'), _connector='OR'), name='ledger_only_refunds_are_reversed'),
        ),
    ]
