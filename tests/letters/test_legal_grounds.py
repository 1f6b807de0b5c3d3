"""A decision letter's legal grounds name the provisions of the rules applied, not one fixed article."""

import pytest

from letters.rules import LetterDataError
from letters.sections import legal_grounds
from liability import rules


@pytest.mark.parametrize(
    ("rule_ids", "language", "expected"),
    [
        (
            {rules.LATE},
            "pl",
            "art. 44 ust. 2 ustawy z dnia 19 sierpnia 2011 r. o usługach płatniczych "
            "(zastosowane reguły: UUP-44-2-LATE)",
        ),
        (
            {rules.LATE},
            "en",
            "art. 44(2) of the Polish Payment Services Act of 19 August 2011 (rules applied: UUP-44-2-LATE)",
        ),
        (
            {rules.CAP, rules.AFTER_REPORT},
            "pl",
            "art. 46 ust. 2, art. 46 ust. 4 ustawy z dnia 19 sierpnia 2011 r. o usługach płatniczych "
            "(zastosowane reguły: UUP-46-2-CAP, UUP-46-AFTER-REPORT)",
        ),
        (
            # Two rules of one provision name it once.
            {rules.INTENT, rules.GROSS},
            "en",
            "art. 46(3) of the Polish Payment Services Act of 19 August 2011 "
            "(rules applied: UUP-46-3-GROSS, UUP-46-3-INTENT)",
        ),
        (
            {rules.NO_SCA, rules.NO_MEANS, rules.UNDETECTABLE, rules.BANK, rules.LATE},
            "pl",
            "art. 44 ust. 2, art. 46 ust. 1, art. 46 ust. 2a, art. 46 ust. 4a, art. 46 ust. 5 ustawy z dnia "
            "19 sierpnia 2011 r. o usługach płatniczych (zastosowane reguły: UUP-44-2-LATE, UUP-46-BANK, "
            "UUP-46-NO-MEANS, UUP-46-NO-SCA, UUP-46-UNDETECTABLE)",
        ),
    ],
)
def test_the_legal_grounds_name_the_provisions_of_the_rules_applied(rule_ids, language, expected):
    assert legal_grounds(rule_ids, language) == expected


@pytest.mark.parametrize(
    ("rule", "article"),
    [
        # UUP art. 46 as amended for PSD2; RULES.md names the rules by their paragraphs where it can.
        (rules.INTENT, rules.Article(46, "3")),
        (rules.GROSS, rules.Article(46, "3")),
        (rules.AFTER_REPORT, rules.Article(46, "4")),  # "Po dokonaniu zgłoszenia … płatnik nie odpowiada"
        (rules.NO_SCA, rules.Article(46, "4a")),
        (rules.NO_MEANS, rules.Article(46, "5")),  # no means to report, art. 43 pkt 4
        (rules.UNDETECTABLE, rules.Article(46, "2a")),
        (rules.CAP, rules.Article(46, "2")),
        (rules.BANK, rules.Article(46, "1")),
        (rules.LATE, rules.Article(44, "2")),
    ],
)
def test_each_rule_names_its_paragraph_of_the_act(rule, article):
    assert rules.RULE_ARTICLES[rule] == article


def test_every_liability_rule_knows_its_provision():
    assert set(rules.RULE_ARTICLES) == set(rules.RULE_ORDER)
    assert rules.RULE_ARTICLES[rules.LATE] == rules.Article(44, "2")


def test_a_rule_without_a_known_provision_is_refused():
    with pytest.raises(LetterDataError, match="UUP-99"):
        legal_grounds({"UUP-99"}, "pl")
