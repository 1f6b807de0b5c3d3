# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""Marking a printed batch posted when a letter in it was issued again after printing: the print room
shows the replaced version before and after the batch is marked posted, and the audit entry of the
posting says which version of each letter went out, so an auditor proves what the customer received."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from letters.models import Letter
from letters.services import letter_reissue, print_batch_mark_posted, print_batch_mark_printed
from tests.letters.test_issue import _media, analyst, eur_rates, theft  # noqa: F401
from tests.letters.test_reissue_in_print_batch import POSTED, PRINTED, REISSUED, _batched
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db


def _printed_then_reissued(theft, analyst):
    case, batch, old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=PRINTED)
    new = letter_reissue(letter_id=old.pk, reason="Błędny adres", actor=analyst, now=REISSUED)
    refund = Letter.objects.get(case=case, letter_type="PROVISIONAL_REFUND")
    return case, batch, old, new, refund


def test_the_posting_records_which_version_of_each_letter_went_out(theft, eur_rates, analyst):
    case, batch, old, new, refund = _printed_then_reissued(theft, analyst)

    posted = print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)

    assert [(row.letter, row.replaced_by) for row in posted.replaced] == [(old, new)]
    entry = AuditEntry.objects.get(action="print_batch.posted")
    assert (entry.actor, entry.object_id, entry.recorded_at) == (analyst, str(batch.pk), POSTED)
    assert entry.data == {
        "sent": [
            {"letter": old.pk, "case": case.pk, "version": 1},
            {"letter": refund.pk, "case": case.pk, "version": 1},
        ],
        "replaced": [{"letter": old.pk, "version": 1, "replaced_by": new.pk, "replaced_by_version": 2}],
    }


def test_a_posting_with_no_letter_replaced_records_none(theft, eur_rates, analyst):
    case, batch, old = _batched(theft, analyst)
    refund = Letter.objects.get(case=case, letter_type="PROVISIONAL_REFUND")

    posted = print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)

    assert posted.replaced == []
    assert AuditEntry.objects.get(action="print_batch.posted").data == {
        "sent": [
            {"letter": old.pk, "case": case.pk, "version": 1},
            {"letter": refund.pk, "case": case.pk, "version": 1},
        ],
        "replaced": [],
    }


def test_the_print_room_shows_the_replaced_version_before_and_after_marking_posted(theft, eur_rates, analyst):
    case, batch, _old, _new, _refund = _printed_then_reissued(theft, analyst)
    client = sign_in_staff(Client(), analyst)

    room = client.get(reverse("backoffice:print"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    batch_page = client.get(reverse("backoffice:print_batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    answer = client.post(
        reverse("backoffice:print_batch_posted", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True
    ).content.decode()

    warning = (
        "1 letter of this batch was issued again after the batch was printed: the printed version goes "
        "out with the batch and is recorded as sent; the new version follows in the next batch."
    )
    assert warning in room and warning in batch_page.content.decode()
    assert "replaced by version 2, issued 27 May 2025, 16:00:00" in batch_page.content.decode()
    assert (
        f"Case {case.number}: Acknowledgement, version 1, went out as printed, though version 2 replaced it"
        in answer
    )
