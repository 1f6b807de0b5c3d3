"""A letter signed by the complaint department names the bank once under the signature, not twice."""

import re
from dataclasses import replace

from demo.letter_samples import sample_snapshot
from letters.bank import bank_identity
from letters.rendering import render_letter_html
from letters.rules import LetterType
from letters.snapshot import Signatory


def _signature(html: str) -> list[str]:
    block = html.split('<div class="signature">', 1)[1].split('<p class="electronic-note">', 1)[0]
    return [text.strip() for text in re.findall(r"<div[^>]*>([^<>]*)</div>", block)]


def test_a_department_signature_names_the_bank_once():
    bank = bank_identity()
    snapshot = replace(
        sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT),
        signatory=Signatory(name=bank.complaint_department, position=bank.name),
    )

    html = render_letter_html(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot)

    assert _signature(html) == ["Departament Reklamacji", "Kartosfera Bank S.A."]


def test_a_named_signatory_is_followed_by_the_bank():
    html = render_letter_html(
        letter_type=LetterType.DEEMED_ACCEPTED, snapshot=sample_snapshot(LetterType.DEEMED_ACCEPTED)
    )

    assert _signature(html) == [
        "Katarzyna Zielińska",
        "Kierownik Zespołu Reklamacji Kartowych",
        "Kartosfera Bank S.A.",
    ]
