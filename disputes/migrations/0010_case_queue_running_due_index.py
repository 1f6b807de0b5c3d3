"""The queues order open cases by their nearest *running* clock (``next_running_due()``): index exactly
that expression, from ``Case.Meta``, so a queue page reads its rows in index order instead of sorting
every open case. The index of 0005 held the order the queues had before (refund, else reply) and no
query uses it any more: dropped (recreated on the way back)."""

import datetime
from importlib import import_module

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


OLD = import_module("disputes.migrations.0005_case_queue_index")


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0003_wallet_token_pending"),
        ("customers", "0006_contact_and_wallet_codes"),
        ("disputes", "0009_merge_0007_chargeback_work_0008_text_length_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(OLD.DROP, OLD.CREATE),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.functions.comparison.Least(
                    models.Case(
                        models.When(
                            models.Q(
                                ("refund_owed", True),
                                ("refund_withheld_at__isnull", True),
                                ("refunded_at__isnull", True),
                                ("state__in", ("SUBMITTED", "UNDER_REVIEW")),
                            ),
                            then=models.F("refund_due_at"),
                        ),
                        default=models.Value(
                            datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)
                        ),
                        output_field=models.DateTimeField(),
                    ),
                    models.Case(
                        models.When(
                            models.Q(
                                ("reply_dispatched_at__isnull", True),
                                (
                                    "state__in",
                                    (
                                        "SUBMITTED",
                                        "UNDER_REVIEW",
                                        "PROVISIONALLY_REFUNDED",
                                        "REFUND_WITHHELD",
                                        "AWAITING_CUSTOMER",
                                        "DECIDED",
                                    ),
                                ),
                            ),
                            then=models.F("reply_due_at"),
                        ),
                        default=models.Value(
                            datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)
                        ),
                        output_field=models.DateTimeField(),
                    ),
                    models.Case(
                        models.When(
                            models.Q(
                                ("chargeback_due_at__isnull", False),
                                (
                                    "state__in",
                                    (
                                        "SUBMITTED",
                                        "UNDER_REVIEW",
                                        "PROVISIONALLY_REFUNDED",
                                        "REFUND_WITHHELD",
                                        "AWAITING_CUSTOMER",
                                        "DECIDED",
                                        "DEEMED_ACCEPTED",
                                    ),
                                ),
                            ),
                            then=models.F("chargeback_due_at"),
                        ),
                        default=models.Value(
                            datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)
                        ),
                        output_field=models.DateTimeField(),
                    ),
                ),
                models.F("id"),
                condition=models.Q(
                    (
                        "state__in",
                        (
                            "SUBMITTED",
                            "UNDER_REVIEW",
                            "PROVISIONALLY_REFUNDED",
                            "REFUND_WITHHELD",
                            "AWAITING_CUSTOMER",
                            "DECIDED",
                            "DEEMED_ACCEPTED",
                        ),
                    )
                ),
                name="case_queue_running_due_idx",
            ),
        ),
    ]
