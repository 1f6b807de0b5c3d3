"""``{% memo %}``: a piece rendered once per language and keys, and never one that holds the request."""

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

MEMO_BLOCK = re.compile(r"{% memo[^%]*%}(.*?){% endmemo %}", re.DOTALL)
# Nothing of one request or one person may be kept for the next: tokens, addresses asked for, names.
PER_REQUEST = ("csrf_token", "request", "user.", "messages", "form", "query", "staff")


def test_a_piece_is_rendered_once_per_language_and_keys():
    template = Template(
        "{% load i18n kartosfera_memo %}"
        '{% memo name %}{{ name }}:{{ count }}:{% translate "Queue" %}{% endmemo %}'
    )

    def render(language, **values):
        with translation.override(language):
            return template.render(Context(values))

    assert render("en", name="all", count=1) == "all:1:Queue"
    assert render("en", name="all", count=2) == "all:1:Queue"  # kept: count is not a key
    assert render("en", name="mine", count=2) == "mine:2:Queue"
    assert render("pl", name="all", count=3) == "all:3:Kolejka"


def test_no_template_keeps_a_piece_of_the_request():
    blocks = [
        (path.name, block)
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for block in MEMO_BLOCK.findall(path.read_text())
    ]

    assert blocks  # the back office's base and queue templates use it
    for name, block in blocks:
        assert not [word for word in PER_REQUEST if word in block], (name, block)
