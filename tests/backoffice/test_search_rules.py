"""How the search box reads a query: every reading of it, and names folded for comparison."""

from decimal import Decimal

import pytest

from disputes.backoffice.search_rules import SearchTerms, fold, parse_amount, parse_query


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("RK/2025/000123", SearchTerms(case_number="RK/2025/000123")),
        ("rk/2025/123", SearchTerms(case_number="RK/2025/000123")),
        (" 2025/7 ", SearchTerms(case_number="RK/2025/000007")),
        ("85062512345", SearchTerms(pesel="85062512345")),
        ("48601234567", SearchTerms(pesel="48601234567", phone="+48601234567")),
        ("12345678", SearchTerms(bank_id="12345678")),
        ("601 234 567", SearchTerms(phone="+48601234567", amount=None)),
        ("+48 601-234-567", SearchTerms(phone="+48601234567")),
        ("+49 1512 3456789", SearchTerms(phone="+4915123456789")),
        ("4821", SearchTerms(last4="4821", amount=Decimal("4821.0"))),
        ("216,08", SearchTerms(amount=Decimal("216.08"))),
        ("1 216.08 zł", SearchTerms(amount=Decimal("1216.08"))),
        ("800", SearchTerms(amount=Decimal("800.0"))),
        ("Wójcik", SearchTerms(words=("wojcik",))),
        ("ŁUKASZ  żółć", SearchTerms(words=("lukasz", "zolc"))),
        ("Jan Ko", SearchTerms(words=("jan", "ko"))),
        ("Al", SearchTerms(too_short=True)),
        ("   ", SearchTerms()),
    ],
)
def test_every_reading_of_a_query(query, terms):
    assert parse_query(query) == terms


def test_the_kinds_of_lookup_a_query_makes():
    assert parse_query("4821").kinds == ["last4", "amount"]
    assert parse_query("Żabka").kinds == ["name", "merchant"]
    assert parse_query("RK/2025/1").kinds == ["case_number"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Wójcik", "wojcik"), ("ŻÓŁĆ gęślą jaźń", "zolc gesla jazn"), ("Müller-Šťastná", "muller-sťastna")],
)
def test_fold_takes_off_diacritics_and_case(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["0", "0,00", "12.345", "abc", "1,2,3", "99999999999"])
def test_what_is_not_an_amount(text):
    assert parse_amount(text) is None
