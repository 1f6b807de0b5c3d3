"""The letters app's writes: issue, hold, dispatch, re-issue and preview letters, and deliver them."""

from kartosfera.authz import HANDLE_CASE, VIEW_CASE
from letters.services._address import (
    ADDRESS_SUBJECT,
    AddressInvalid,
    customer_address_change_confirm,
    customer_address_change_start,
)
from letters.services._common import (
    CorrectionReasonMissing,
    LetterActionNotPermitted,
    LetterAlreadyDispatched,
    LetterNotFound,
    LetterSuperseded,
    LetterWithdrawn,
)
from letters.services._delivery import (
    NothingToPrint,
    PrintBatchAlreadyPosted,
    PrintBatchNotFound,
    PrintBatchOutOfOrder,
    letters_email_send,
    print_batch_assemble,
    print_batch_mark_posted,
    print_batch_mark_printed,
    print_batch_pdf,
    print_batch_undo_printed,
)
from letters.services._holds import LETTER_HELD, LETTER_RELEASED, hold_reason_for
from letters.services._letters import (
    LetterRequestOutcome,
    letter_delivery_ask,
    letter_dispatch,
    letter_issue,
    letter_reissue,
    letter_request_process,
)
from letters.services._previews import letter_preview, letter_proposal_preview, letter_request_preview

__all__ = [
    "ADDRESS_SUBJECT",
    "HANDLE_CASE",
    "LETTER_HELD",
    "LETTER_RELEASED",
    "VIEW_CASE",
    "AddressInvalid",
    "CorrectionReasonMissing",
    "LetterActionNotPermitted",
    "LetterAlreadyDispatched",
    "LetterNotFound",
    "LetterRequestOutcome",
    "LetterSuperseded",
    "LetterWithdrawn",
    "NothingToPrint",
    "PrintBatchAlreadyPosted",
    "PrintBatchNotFound",
    "PrintBatchOutOfOrder",
    "customer_address_change_confirm",
    "customer_address_change_start",
    "hold_reason_for",
    "letter_delivery_ask",
    "letter_dispatch",
    "letter_issue",
    "letter_preview",
    "letter_proposal_preview",
    "letter_reissue",
    "letter_request_preview",
    "letter_request_process",
    "letters_email_send",
    "print_batch_assemble",
    "print_batch_mark_posted",
    "print_batch_mark_printed",
    "print_batch_pdf",
    "print_batch_undo_printed",
]
