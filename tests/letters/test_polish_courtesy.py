"""A Polish letter greets "Szanowni Państwo" and says "Państwa" throughout: the grounds it quotes
address the customer the same way, never as "Pan" or "Pani"."""

import inspect
import re

from demo.disputes import _plans

SINGULAR_COURTESY = re.compile(r"\b(Pan|Pani|Pana|Panu|Panią)\b")


def test_the_demo_grounds_for_decision_letters_address_the_customer_as_panstwo():
    source = inspect.getsource(_plans)

    assert SINGULAR_COURTESY.findall(source) == []
    assert "zanim zgłosili Państwo nieautoryzowaną płatność" in _plans.cap_grounds()
