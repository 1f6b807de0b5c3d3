# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""An id that names no letter, request or print batch is refused with its own error, naming the id."""

import pytest

from letters.services import (
    LetterNotFound,
    PrintBatchNotFound,
    letter_dispatch,
    letter_issue,
    letter_reissue,
    print_batch_mark_posted,
    print_batch_mark_printed,
    print_batch_pdf,
)
from tests.disputes.conftest import warsaw
from tests.letters.test_issue import analyst  # noqa: F401

MISSING = 987_654


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda actor, now: letter_issue(letter_request_id=MISSING, actor=actor, now=now), LetterNotFound),
        (
            lambda actor, now: letter_dispatch(letter_id=MISSING, channel="POST", actor=actor, now=now),
            LetterNotFound,
        ),
        (
            lambda actor, now: letter_reissue(letter_id=MISSING, reason="Zły adres", actor=actor, now=now),
            LetterNotFound,
        ),
        (
            lambda actor, now: print_batch_mark_posted(batch_id=MISSING, actor=actor, now=now),
            PrintBatchNotFound,
        ),
        (lambda actor, now: print_batch_pdf(batch_id=MISSING, actor=actor, now=now), PrintBatchNotFound),
        (
            lambda actor, now: print_batch_mark_printed(batch_id=MISSING, actor=actor, now=now),
            PrintBatchNotFound,
        ),
    ],
    ids=["issue", "dispatch", "reissue", "mark-posted", "batch-pdf", "mark-printed"],
)
def test_an_unknown_id_is_refused_with_its_not_found_error(analyst, call, error):
    with pytest.raises(error) as refused:
        call(analyst, warsaw(2025, 6, 3, 9, 0))

    assert refused.value.args == (MISSING,)
