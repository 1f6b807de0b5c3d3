# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""A letter issued again while its old version waits in a print batch not yet posted: taken out of the
batch if the batch was not marked printed (downloading its PDF is not printing), else posted with it;
either way the records say what left the bank, and the reissue page tells the analyst which batch holds
the old version."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from letters.models import Letter, PrintBatchLetter
from letters.services import (
    letter_reissue,
    print_batch_assemble,
    print_batch_mark_posted,
    print_batch_mark_printed,
)
from tests.disputes.conftest import warsaw
from tests.letters.test_issue import _media, analyst, eur_rates, theft  # noqa: F401
from tests.letters.test_print_batch_order import _two_letters
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

ASSEMBLED, PRINTED, REISSUED, POSTED = (warsaw(2025, 5, 27, hour, 0) for hour in (14, 15, 16, 17))


def _batched(theft, analyst):
    """Both letters in one batch made Tue 27 May 14:00; the acknowledgement is printed first."""
    case = _two_letters(theft, analyst)
    batch = print_batch_assemble(actor=analyst, now=ASSEMBLED)
    acknowledgement = Letter.objects.get(case=case, letter_type="CLAIM_ACKNOWLEDGEMENT")
    return case, batch, acknowledgement


def test_a_version_issued_again_before_its_batch_was_printed_leaves_the_batch(theft, eur_rates, analyst):
    case, batch, old = _batched(theft, analyst)

    new = letter_reissue(letter_id=old.pk, reason="Błędny adres", actor=analyst, now=REISSUED)
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)

    assert not PrintBatchLetter.objects.filter(letter=old).exists()
    assert list(batch.letters.values_list("letter_type", flat=True)) == ["PROVISIONAL_REFUND"]
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.dispatched_at, new.dispatched_at) == (None, None)  # the new one waits for the next batch
    assert Letter.objects.get(case=case, letter_type="PROVISIONAL_REFUND").dispatched_at == POSTED
    entry = AuditEntry.objects.get(action="letter.taken_out_of_print_batch")
    assert (entry.object_id, entry.data) == (
        str(old.pk),
        {"case": case.pk, "version": 1, "batch": batch.pk, "replaced_by": new.pk},
    )
    following = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 28, 14, 0))
    assert list(following.letters.values_list("pk", flat=True)) == [new.pk]


def test_a_version_issued_again_after_its_batch_was_printed_is_recorded_as_posted_with_it(
    theft, eur_rates, analyst
):
    case, batch, old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=PRINTED)

    new = letter_reissue(letter_id=old.pk, reason="Błędny adres", actor=analyst, now=REISSUED)
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)

    batch.refresh_from_db()
    assert batch.printed_at == PRINTED
    assert PrintBatchLetter.objects.filter(batch=batch, letter=old).exists()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.dispatched_at, old.dispatch_channel) == (POSTED, "POST")
    assert new.dispatched_at is None
    dispatched = AuditEntry.objects.get(action="letter.dispatched", object_id=str(old.pk))
    assert dispatched.data == {"case": case.pk, "version": 1, "channel": "POST", "printed_in_batch": batch.pk}
    assert not AuditEntry.objects.filter(action="letter.taken_out_of_print_batch").exists()


@pytest.mark.parametrize(
    ("printed", "warning"),
    [
        (False, "Version 1 is in print batch {batch}, not yet posted. The batch has not been printed"),
        (
            True,
            "Version 1 is in print batch {batch}, printed 27 May 2025, 15:00:00 and not yet marked posted.",
        ),
    ],
)
def test_the_reissue_page_says_which_unposted_batch_holds_the_old_version(
    theft, eur_rates, analyst, printed, warning
):
    case, batch, old = _batched(theft, analyst)
    if printed:
        print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=PRINTED)
    client = sign_in_staff(Client(), analyst)

    page = client.get(
        reverse("backoffice:letter_reissue", args=[case.pk, old.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert warning.format(batch=batch.pk) in page


def test_downloading_the_batch_pdf_changes_nothing_so_a_version_issued_again_still_leaves_it(
    theft, eur_rates, analyst
):
    """A preview or a second tab is not printing: the old version is taken out, never posted. Each
    download is audited, and that is all it records."""
    _case, batch, old = _batched(theft, analyst)
    client = sign_in_staff(Client(), analyst)
    audited = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()

    first = client.get(reverse("backoffice:print_batch_file", args=[batch.pk]))
    second = client.get(reverse("backoffice:print_batch_file", args=[batch.pk]))

    assert (first.status_code, second.status_code) == (200, 200)
    batch.refresh_from_db()
    assert batch.printed_at is None
    # Each download is recorded (who took which letters, the file's SHA-256), and nothing else is.
    assert (
        list(AuditEntry.objects.filter(pk__gt=audited).values_list("action", "object_id"))
        == [("print_batch.downloaded", str(batch.pk))] * 2
    )
    new = letter_reissue(letter_id=old.pk, reason="Błędny adres", actor=analyst, now=REISSUED)
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)
    old.refresh_from_db()
    assert old.dispatched_at is None
    assert not PrintBatchLetter.objects.filter(letter=old).exists()
    assert AuditEntry.objects.filter(action="letter.taken_out_of_print_batch", object_id=str(old.pk)).exists()
    assert not AuditEntry.objects.filter(action="letter.dispatched", object_id=str(old.pk)).exists()
    assert new.pk != old.pk


def test_marking_a_batch_printed_is_a_post_recorded_once(theft, eur_rates, analyst):
    _case, batch, _old = _batched(theft, analyst)
    client = sign_in_staff(Client(), analyst)
    url = reverse("backoffice:print_batch_printed", args=[batch.pk])

    refused = client.get(url)
    client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert refused.status_code == 405
    batch.refresh_from_db()
    assert batch.printed_at is not None
    marked = AuditEntry.objects.get(action="print_batch.printed")
    assert (marked.object_id, marked.data) == (
        str(batch.pk),
        {
            "letters": list(
                PrintBatchLetter.objects.filter(batch=batch)
                .order_by("position")
                .values_list("letter_id", flat=True)
            )
        },
    )
    assert "This batch was marked printed before; nothing changed." in again.content.decode()
    assert print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=POSTED) is False
    assert AuditEntry.objects.filter(action="print_batch.printed").count() == 1
