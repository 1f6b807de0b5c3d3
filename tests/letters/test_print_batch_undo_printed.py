# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""A batch marked printed by mistake (a printer jam, a wrong click) is marked not printed again before it
is posted: who undid it and when is audited, and a version issued again meanwhile leaves the batch, as it
would have before printing, so the batch printed again holds only current letters. A posted batch's
printing is never undone."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.canonical import format_instant
from audit.models import AuditEntry
from letters.models import Letter, PrintBatchLetter
from letters.services import (
    LetterActionNotPermitted,
    PrintBatchAlreadyPosted,
    letter_reissue,
    print_batch_mark_posted,
    print_batch_mark_printed,
    print_batch_undo_printed,
)
from tests.disputes.conftest import staff, warsaw
from tests.letters.test_issue import _media, analyst, eur_rates, supervisor, theft  # noqa: F401
from tests.letters.test_reissue_in_print_batch import ASSEMBLED, POSTED, PRINTED, REISSUED, _batched
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

UNDONE = warsaw(2025, 5, 27, 16, 30)


def test_a_supervisor_undoes_marking_printed_and_it_is_audited(theft, eur_rates, analyst, supervisor):
    _case, batch, _old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=supervisor, now=PRINTED)
    letters = list(
        PrintBatchLetter.objects.filter(batch=batch).order_by("position").values_list("letter_id", flat=True)
    )

    undone = print_batch_undo_printed(batch_id=batch.pk, actor=supervisor, now=UNDONE)

    assert undone is True
    batch.refresh_from_db()
    assert batch.printed_at is None
    entry = AuditEntry.objects.get(action="print_batch.printed_undone")
    assert (entry.actor, entry.object_id, entry.recorded_at) == (supervisor, str(batch.pk), UNDONE)
    assert entry.data == {"printed_at": format_instant(PRINTED), "letters": letters, "taken_out": []}
    # Printed again after the jam: marked printed again, at the new time.
    assert print_batch_mark_printed(batch_id=batch.pk, actor=supervisor, now=POSTED) is True
    batch.refresh_from_db()
    assert batch.printed_at == POSTED


def test_a_version_issued_again_while_marked_printed_leaves_the_batch_when_printing_is_undone(
    theft, eur_rates, analyst, supervisor
):
    case, batch, old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=PRINTED)
    new = letter_reissue(letter_id=old.pk, reason="Błędny adres", actor=analyst, now=REISSUED)

    print_batch_undo_printed(batch_id=batch.pk, actor=supervisor, now=UNDONE)
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)

    assert not PrintBatchLetter.objects.filter(letter=old).exists()
    old.refresh_from_db()
    assert old.dispatched_at is None  # never posted: the new version goes in the next batch
    refund = Letter.objects.get(case=case, letter_type="PROVISIONAL_REFUND")
    assert list(PrintBatchLetter.objects.filter(batch=batch).values_list("letter_id", flat=True)) == [
        refund.pk
    ]
    undone = AuditEntry.objects.get(action="print_batch.printed_undone")
    assert (undone.data["letters"], undone.data["taken_out"]) == ([refund.pk], [old.pk])
    taken_out = AuditEntry.objects.get(action="letter.taken_out_of_print_batch")
    assert (taken_out.actor, taken_out.object_id, taken_out.data) == (
        supervisor,
        str(old.pk),
        {"case": case.pk, "version": 1, "batch": batch.pk, "replaced_by": new.pk},
    )


def test_a_posted_batch_printing_is_never_undone(theft, eur_rates, analyst, supervisor):
    _case, batch, _old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=PRINTED)
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=POSTED)

    with pytest.raises(PrintBatchAlreadyPosted):
        print_batch_undo_printed(batch_id=batch.pk, actor=supervisor, now=POSTED)

    batch.refresh_from_db()
    assert batch.printed_at == PRINTED
    assert not AuditEntry.objects.filter(action="print_batch.printed_undone").exists()


def test_a_batch_not_marked_printed_has_nothing_to_undo(theft, eur_rates, analyst, supervisor):
    _case, batch, _old = _batched(theft, analyst)

    assert print_batch_undo_printed(batch_id=batch.pk, actor=supervisor, now=UNDONE) is False
    assert not AuditEntry.objects.filter(action="print_batch.printed_undone").exists()


def test_an_auditor_cannot_undo_printing(theft, eur_rates, analyst):
    _case, batch, _old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=PRINTED)

    with pytest.raises(LetterActionNotPermitted):
        print_batch_undo_printed(batch_id=batch.pk, actor=staff("auditor", "auditors"), now=UNDONE)

    batch.refresh_from_db()
    assert batch.printed_at == PRINTED


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        (False, "Print batch {batch} is no longer marked printed."),
        (True, "This batch was marked posted: its printing cannot be undone. Nothing was changed."),
    ],
)
def test_the_print_room_undoes_printing_with_a_post_and_says_what_happened(
    theft, eur_rates, analyst, supervisor, posted, message
):
    _case, batch, _old = _batched(theft, analyst)
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=ASSEMBLED)
    if posted:
        print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=PRINTED)
    client = sign_in_staff(Client(), supervisor)
    url = reverse("backoffice:print_batch_printed_undo", args=[batch.pk])
    page = client.get(reverse("backoffice:print_batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")

    refused = client.get(url)
    answer = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert refused.status_code == 405
    assert (f'action="{url}"' in page.content.decode()) is not posted
    assert message.format(batch=batch.pk) in answer.content.decode()
    batch.refresh_from_db()
    assert (batch.printed_at is None) is not posted


def test_a_decision_withdrawn_while_its_batch_was_marked_printed_leaves_it_when_printing_is_undone(
    theft, eur_rates, analyst, supervisor
):
    # Printed on day 29, deemed accepted on day 31 (REK-8), then the printing is undone: the batch will
    # be printed again, and the stale decision must not be on those pages (posting would not record it).
    from tests.letters.test_delivery import printed_then_deemed_accepted

    decision, batch = printed_then_deemed_accepted(theft, analyst, supervisor)
    case = decision.case

    assert print_batch_undo_printed(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 26, 12, 0))

    assert not batch.letters.filter(pk=decision.pk).exists()
    taken_out = AuditEntry.objects.get(action="letter.taken_out_of_print_batch", object_id=str(decision.pk))
    assert taken_out.data == {
        "case": case.pk,
        "version": 1,
        "batch": batch.pk,
        "withdrawn_at": format_instant(warsaw(2025, 6, 26, 11, 5)),
    }
    undone = AuditEntry.objects.get(action="print_batch.printed_undone")
    assert decision.pk in undone.data["taken_out"] and decision.pk not in undone.data["letters"]
