"""The pure modules' one door to Django imports enums and message marking, nothing else of Django."""

import ast
from pathlib import Path

from django.utils import translation

import kartosfera.vocabulary
from kartosfera.vocabulary import Channel, choice_values, subset_choices


def test_the_vocabulary_imports_only_enums_and_gettext_from_django():
    tree = ast.parse(Path(kartosfera.vocabulary.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }

    assert {name for name in imported if name.split(".")[0] == "django"} == {
        "django.db.models.enums",
        "django.utils.translation",
    }


def test_a_column_keeps_the_members_it_can_hold():
    members = (Channel.PORTAL, Channel.PHONE)

    with translation.override("en"):
        choices = [(value, str(label)) for value, label in subset_choices(members)]

    assert choice_values(members) == ["PORTAL", "PHONE"]
    assert choices == [("PORTAL", "Customer portal"), ("PHONE", "Phone banking")]
