"""Drafts opened before the reason code followed the transaction's channel carry the card-absent code
(Visa 10.4, Mastercard 4837) on card-present and cash machine transactions: the filing form preselects
the channel's code and filing refuses the stored one, while the draft's heading still shows it. Each
such DRAFT takes its channel's default code (``chargebacks.rules.fraud_right``). Filed, closed and not
filed chargebacks are history and keep the code they were filed or closed under. Reversing changes
nothing: the old code was the one filing refuses.
"""

from django.db import migrations

from chargebacks.rules import fraud_right


def reason_code_of_channel(scheme: str, channel: str, reason_code: str) -> str:
    """The code a draft should carry: its own if its transaction's channel allows it, else the channel's
    default. A scheme or channel the rules do not know keeps the stored code (filing says why)."""
    try:
        right = fraud_right(scheme=scheme, channel=channel)
    except ValueError:
        return reason_code
    return reason_code if reason_code in right.codes else right.default


def drafts_take_the_reason_code_of_their_channel(apps, schema_editor):
    Chargeback = apps.get_model("chargebacks", "Chargeback")
    changed = []
    drafts = Chargeback.objects.filter(state="DRAFT").select_related("transaction")
    for chargeback in drafts.only("pk", "scheme", "reason_code", "transaction__channel").iterator(chunk_size=500):
        code = reason_code_of_channel(chargeback.scheme, chargeback.transaction.channel, chargeback.reason_code)
        if code != chargeback.reason_code:
            chargeback.reason_code = code
            changed.append(chargeback)
    Chargeback.objects.bulk_update(changed, ["reason_code"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("chargebacks", "0001_initial"),
        ("cards", "0003_wallet_token_pending"),
    ]

    operations = [
        migrations.RunPython(drafts_take_the_reason_code_of_their_channel, migrations.RunPython.noop, elidable=True),
    ]
