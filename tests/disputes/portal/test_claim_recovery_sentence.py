"""The claim page's one sentence on the customer's share still to be taken back: which variant, when."""

from datetime import date

import pytest

from disputes.portal.claim_status import (
    RECOVERY_AFTER_REPLY,
    RECOVERY_MAY_NOW,
    RECOVERY_NOT_BEFORE,
    RECOVERY_SENTENCES,
    recovery_timing,
)

TODAY = date(2025, 6, 12)


@pytest.mark.parametrize(
    ("recovery_from", "timing"),
    [
        (None, RECOVERY_AFTER_REPLY),  # the reply has not left: no day yet
        (date(2025, 6, 11), RECOVERY_MAY_NOW),
        (TODAY, RECOVERY_MAY_NOW),  # the first day is today: it has come
        (date(2025, 6, 13), RECOVERY_NOT_BEFORE),
    ],
    ids=["no-reply-yet", "past", "today", "tomorrow"],
)
def test_recovery_timing(recovery_from, timing):
    assert recovery_timing(recovery_from=recovery_from, today=TODAY) == timing


def test_there_is_one_sentence_for_each_share_and_timing():
    timings = (RECOVERY_MAY_NOW, RECOVERY_NOT_BEFORE, RECOVERY_AFTER_REPLY)
    assert set(RECOVERY_SENTENCES) == {(part, timing) for part in (False, True) for timing in timings}
