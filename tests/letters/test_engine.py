"""The shared rendering engine across forked worker processes (Celery prefork)."""

import gc
import multiprocessing

from django.conf import settings

from demo.letter_samples import sample_snapshot
from letters import rendering
from letters.bank import bank_identity
from letters.rules import LetterType

LETTER = LetterType.CARD_CANCELLATION


def _render_in_child_and_drop_the_inherited_engine(queue) -> None:
    rendered = rendering.render_letter_pdf(letter_type=LETTER, snapshot=sample_snapshot(LETTER))
    # What a child's interpreter does at exit: let go of everything it inherited.
    rendering._inherited_engines.clear()
    gc.collect()
    queue.put(rendered.sha256)


def test_a_forked_child_renders_with_its_own_engine_and_leaves_the_parents_fonts_alone():
    parent = rendering.render_letter_pdf(letter_type=LETTER, snapshot=sample_snapshot(LETTER))
    parent_fonts = rendering._engine_for_this_process().font_config._folder
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    child = context.Process(target=_render_in_child_and_drop_the_inherited_engine, args=(queue,))
    child.start()
    child_sha256 = queue.get(timeout=120)
    child.join(timeout=60)

    assert child.exitcode == 0
    assert child_sha256 == parent.sha256
    assert parent_fonts.exists()
    again = rendering.render_letter_pdf(letter_type=LETTER, snapshot=sample_snapshot(LETTER))
    assert again.sha256 == parent.sha256


def test_the_bank_identity_comes_from_settings():
    bank = bank_identity()

    assert bank.name == settings.KARTOSFERA_BANK["name"]
    assert bank.nip == "1234563218"
    assert bank.complaint_address.city == "Warszawa"
    assert (bank.emergency_line, bank.emergency_line_abroad) == ("828 828 828", "+48 828 828 828")
