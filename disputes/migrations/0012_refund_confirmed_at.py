"""The D+1 refund is made when the core system has confirmed every positive provisional refund credit
of the case (docs/WORKFLOW.md, "When the D+1 refund is made"): ``Case.refund_confirmed_at`` records
when, so the refund's running clock is a condition on the case's own columns and the queue's index
(``case_queue_running_due_idx``, the expression ``next_running_due()``) can hold it again.

Existing cases are backfilled: a refund recorded with no positive credit is made when recorded; one
whose positive credits are all confirmed was made at the last confirmation; the others stay unset
(their clock runs until the core system confirms). The index is rebuilt after the backfill."""

import datetime
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, F, Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    Case = apps.get_model("disputes", "Case")
    LedgerEntry = apps.get_model("disputes", "LedgerEntry")
    Posting = apps.get_model("corebanking", "Posting")
    credits = LedgerEntry.objects.filter(case=OuterRef("pk"), kind="PROVISIONAL_REFUND", amount__gt=0)
    refunded = Case.objects.filter(refunded_at__isnull=False)
    refunded.exclude(Exists(credits)).update(refund_confirmed_at=F("refunded_at"))
    last_confirmation = (
        Posting.objects.filter(
            ledger_entry__case=OuterRef("pk"),
            ledger_entry__kind="PROVISIONAL_REFUND",
            ledger_entry__amount__gt=0,
        )
        .values("ledger_entry__case")
        .annotate(last=Max("confirmed_at"))
        .values("last")
    )
    refunded.filter(Exists(credits)).exclude(
        Exists(credits.exclude(posting__status="CONFIRMED"))
    ).update(refund_confirmed_at=Subquery(last_confirmation))


class Migration(migrations.Migration):

    dependencies = [
        ('cards', '0003_wallet_token_pending'),
        ('customers', '0006_contact_and_wallet_codes'),
        ('corebanking', '0001_initial'),
        ('disputes', '0011_merge_reply_delivery_and_queue_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_queue_running_due_idx',
        ),
        migrations.AddField(
            model_name='case',
            name='refund_confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='refund confirmed at'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(django.db.models.functions.comparison.Least(models.Case(models.When(models.Q(('refund_owed', True), ('refund_withheld_at__isnull', True), models.Q(models.Q(('refunded_at__isnull', True), ('state__in', ('SUBMITTED', 'UNDER_REVIEW'))), models.Q(('refund_confirmed_at__isnull', True), ('refunded_at__isnull', False), ('state__in', ('SUBMITTED', 'UNDER_REVIEW', 'PROVISIONALLY_REFUNDED', 'REFUND_WITHHELD', 'AWAITING_CUSTOMER', 'DECIDED', 'DEEMED_ACCEPTED'))), _connector='OR')), then=models.F('refund_due_at')), default=models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), output_field=models.DateTimeField()), models.Case(models.When(models.Q(('reply_dispatched_at__isnull', True), ('state__in', ('SUBMITTED', 'UNDER_REVIEW', 'PROVISIONALLY_REFUNDED', 'REFUND_WITHHELD', 'AWAITING_CUSTOMER', 'DECIDED'))), then=models.F('reply_due_at')), default=models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), output_field=models.DateTimeField()), models.Case(models.When(models.Q(('chargeback_due_at__isnull', False), ('state__in', ('SUBMITTED', 'UNDER_REVIEW', 'PROVISIONALLY_REFUNDED', 'REFUND_WITHHELD', 'AWAITING_CUSTOMER', 'DECIDED', 'DEEMED_ACCEPTED'))), then=models.F('chargeback_due_at')), default=models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), output_field=models.DateTimeField())), models.F('id'), condition=models.Q(('state__in', ('SUBMITTED', 'UNDER_REVIEW', 'PROVISIONALLY_REFUNDED', 'REFUND_WITHHELD', 'AWAITING_CUSTOMER', 'DECIDED', 'DEEMED_ACCEPTED'))), name='case_queue_running_due_idx'),
        ),
    ]
