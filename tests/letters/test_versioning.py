import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from letters.rules import LetterType
from letters.versioning import compute_template_version, template_chain, template_manifest, template_messages

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


def test_the_chain_holds_the_template_and_everything_it_extends_or_includes():
    names = [
        t.origin.template_name for t in template_chain(LetterType.DECISION_PARTIALLY_ACCEPTED.template_name)
    ]

    assert sorted(names) == [
        "letters/_appeal_routes.html",
        "letters/_decision.html",
        "letters/_decision_customer_bears.html",
        "letters/_liability.html",
        "letters/_settlement.html",
        "letters/base.html",
        "letters/decision_partially_accepted.html",
    ]
    assert names[0] == "letters/decision_partially_accepted.html"


def test_the_manifest_covers_templates_translations_stylesheet_and_fonts():
    kinds = {line.split()[0] for line in template_manifest(LetterType.CARD_CANCELLATION)}

    assert kinds == {"template", "message", "text", "code", "stylesheet", "font"}


@pytest.mark.parametrize("letter_type", list(LetterType))
def test_every_message_of_every_letter_is_translated_into_polish(letter_type):
    messages = set().union(*(template_messages(t) for t in template_chain(letter_type.template_name)))

    with translation.override("pl"):
        untranslated = [singular for _, singular, _ in messages if translation.gettext(singular) == singular]

    assert untranslated == []


def _copy_templates(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, target)
    return target


def _version_with_templates_in(directory: Path, letter_type: LetterType) -> str:
    engine = {**settings.TEMPLATES[0], "DIRS": [directory]}
    with override_settings(TEMPLATES=[engine]):
        return compute_template_version(letter_type)


def test_a_reworded_template_is_a_new_version_of_the_letters_using_it(tmp_path):
    copy = _copy_templates(tmp_path)
    before = {t: _version_with_templates_in(copy, t) for t in LetterType}

    appeal = copy / "letters" / "_appeal_routes.html"
    appeal.write_text(appeal.read_text().replace('<ol class="items">', '<ol class="items routes">'))
    after = {t: _version_with_templates_in(copy, t) for t in LetterType}

    changed = {t for t in LetterType if before[t] != after[t]}
    assert changed == {LetterType.DECISION_PARTIALLY_ACCEPTED, LetterType.DECISION_REJECTED}


def test_the_version_is_the_same_for_the_same_sources(tmp_path):
    copy = _copy_templates(tmp_path)

    assert _version_with_templates_in(copy, LetterType.DELAY_NOTICE) == compute_template_version(
        LetterType.DELAY_NOTICE
    )
