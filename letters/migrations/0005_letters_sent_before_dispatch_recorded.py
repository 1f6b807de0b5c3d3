"""Letters issued before this release are marked sent, by the legacy channel UNRECORDED.

Nothing recorded a letter's dispatch before: every letter had ``dispatched_at`` empty, so the first print
batch would have printed every letter ever issued again. Each such letter left the bank then, so it is
marked dispatched ("sent before dispatch was recorded"): a decision letter at its case's recorded
``reply_dispatched_at`` when the case has one, any other letter at its issue time. The case's reply is
not touched (no outbox task), and these letters never enter a print batch or an e-mail.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

UNRECORDED = "UNRECORDED"
DECISION_TYPES = ("DECISION_ACCEPTED", "DECISION_PARTIALLY_ACCEPTED", "DECISION_REJECTED")


def mark_issued_letters_sent(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Case = apps.get_model("disputes", "Case")
    waiting = Letter.objects.filter(dispatched_at__isnull=True)
    reply_sent = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("reply_dispatched_at")[:1])
    waiting.filter(letter_type__in=DECISION_TYPES).update(
        dispatched_at=Coalesce(reply_sent, F("issued_at")), dispatch_channel=UNRECORDED
    )
    waiting.update(dispatched_at=F("issued_at"), dispatch_channel=UNRECORDED)


class Migration(migrations.Migration):

    dependencies = [
        ('letters', '0004_print_batches'),
        ('disputes', '0011_merge_reply_delivery_and_queue_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='letter',
            name='dispatch_channel',
            field=models.CharField(blank=True, choices=[('PORTAL', 'Portal download'), ('POST', 'Post'), ('EMAIL', "E-mail at the customer's request"), ('UNRECORDED', 'Sent before dispatch was recorded')], max_length=16, verbose_name='dispatch channel'),
        ),
        # Nothing to undo: going back, the letters simply stay marked.
        migrations.RunPython(mark_issued_letters_sent, migrations.RunPython.noop),
    ]
