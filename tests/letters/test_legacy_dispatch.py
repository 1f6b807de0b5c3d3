# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""Letters issued before their dispatch was recorded are marked sent by migration 0005 and never
printed again; one print batch holds at most KARTOSFERA_PRINT_BATCH_MAX letters."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from disputes.services import case_dispatch_reply
from letters.models import Letter, PrintBatchLetter
from letters.services import NothingToPrint, print_batch_assemble
from tests.disputes.conftest import warsaw
from tests.letters.test_delivery import _decided

# The letters tests' fixtures: stored files in a temporary MEDIA_ROOT, NBP rates, signing staff.
from tests.letters.test_issue import _media, _sign_in, analyst, eur_rates, supervisor, theft  # noqa: F401

pytestmark = pytest.mark.django_db

MIGRATION = "0005_letters_sent_before_dispatch_recorded"


def _run_legacy_migration():
    # The migration's own function on the models as they stand at that migration.
    state = MigrationLoader(connection).project_state(("letters", MIGRATION))
    importlib.import_module(f"letters.migrations.{MIGRATION}").mark_issued_letters_sent(state.apps, None)


def test_letters_issued_before_dispatch_was_recorded_are_marked_sent_and_never_printed(
    theft, eur_rates, analyst, supervisor
):
    # Decided and its letters issued Tue 2025-06-03 09:00; the reply was recorded on the case by hand
    # (before letters recorded their dispatch) as posted Wed 2025-06-04 15:00.
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 3, 9, 0))
    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    case_dispatch_reply(
        case_id=case.pk,
        letter_id=decision.pk,
        channel="POST",
        dispatched_at=warsaw(2025, 6, 4, 15, 0),
        actor=analyst,
        now=warsaw(2025, 6, 4, 15, 5),
    )
    others = list(Letter.objects.filter(case=case).exclude(pk=decision.pk).order_by("pk"))
    assert others and all(letter.dispatched_at is None for letter in others)

    _run_legacy_migration()

    decision.refresh_from_db()
    assert (decision.dispatched_at, decision.dispatch_channel) == (warsaw(2025, 6, 4, 15, 0), "UNRECORDED")
    assert [
        (letter.dispatched_at, letter.dispatch_channel)
        for letter in Letter.objects.filter(pk__in=[o.pk for o in others]).order_by("pk")
    ] == [(warsaw(2025, 6, 3, 9, 0), "UNRECORDED")] * len(others)
    assert decision.get_dispatch_channel_display() == "Wysłane, zanim rejestrowano wysyłkę"
    with pytest.raises(NothingToPrint):
        print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 5, 14, 0))
    assert not PrintBatchLetter.objects.filter(letter__case=case).exists()


def test_a_decision_letter_without_a_recorded_reply_is_marked_sent_at_its_issue_time(
    theft, eur_rates, analyst, supervisor
):
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 3, 9, 0))

    _run_legacy_migration()

    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    assert (decision.dispatched_at, decision.dispatch_channel) == (warsaw(2025, 6, 3, 9, 0), "UNRECORDED")
    case.refresh_from_db()
    assert case.reply_dispatched_at is None  # the case's reply is not the migration's to record


def test_a_print_batch_holds_at_most_the_cap_and_the_rest_go_in_the_next(
    theft, eur_rates, analyst, supervisor, settings
):
    settings.KARTOSFERA_PRINT_BATCH_MAX = 2
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 3, 9, 0))
    letters = list(Letter.objects.filter(case=case).order_by("issued_at", "pk").values_list("pk", flat=True))
    assert len(letters) == 3

    first = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 3, 14, 0))
    second = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 3, 14, 5))

    def held(batch):
        return list(
            PrintBatchLetter.objects.filter(batch=batch).order_by("position").values_list("letter", flat=True)
        )

    assert held(first) == letters[:2]
    assert held(second) == letters[2:]
    with pytest.raises(NothingToPrint):
        print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 3, 14, 10))
