"""The template version of a letter: a SHA-256 of every source that shapes its text and look.

A stored letter carries this version, so an auditor can tell which wording and layout produced it.
It covers the letter's template and every template it extends or includes, the Polish and English
translation of every message they and ``letters.context`` use, the stylesheet and the fonts. Any
change to one of them is a new version; a change elsewhere (another letter's template, an unrelated
translation) is not.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.template import Context, Template, engines
from django.template.backends.django import DjangoTemplates
from django.template.base import Node
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation

from letters import context as letter_context_module
from letters.rules import LetterType

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
STYLESHEET = ASSETS_DIR / "letter.css"
FONTS = tuple(sorted((ASSETS_DIR / "fonts").glob("*.ttf")))
LANGUAGES = ("pl", "en")


def _django_template(name: str) -> Template:
    backend = engines["django"]
    if not isinstance(backend, DjangoTemplates):
        raise TypeError("letters are Django templates")
    return backend.engine.get_template(name)


def _literal_name(expression: object) -> str | None:
    """The template name of an ``{% extends %}``/``{% include %}`` given as a string literal."""
    name = expression.resolve(Context({})) if hasattr(expression, "resolve") else expression
    return name if isinstance(name, str) and name else None


def template_chain(template_name: str) -> list[Template]:
    """The template and every template it extends or includes (literal names), each once, in order."""
    seen: dict[str, Template] = {}
    pending = [template_name]
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        template = seen[name] = _django_template(name)
        for node in template.nodelist.get_nodes_by_type(Node):
            if isinstance(node, ExtendsNode):
                referenced = _literal_name(node.parent_name)
            elif isinstance(node, IncludeNode):
                referenced = _literal_name(node.template)
            else:
                continue
            if referenced is None:
                raise ValueError(f"{name}: letters extend and include templates by literal name only")
            pending.append(referenced)
    return list(seen.values())


def template_messages(template: Template) -> set[tuple[str | None, str, str | None]]:
    """The (context, singular, plural) gettext messages of one template."""
    messages: set[tuple[str | None, str, str | None]] = set()
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        if not isinstance(node, TranslateNode):
            continue
        variable = node.filter_expression.var
        literal = getattr(variable, "literal", None)
        if isinstance(literal, str):
            messages.add((_message_context(node), literal, None))
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        if not isinstance(node, BlockTranslateNode):
            continue
        singular, _ = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.plural else None
        messages.add((_message_context(node), singular, plural))
    return messages


def _message_context(node: Node) -> str | None:
    expression = getattr(node, "message_context", None)
    return None if expression is None else expression.resolve(Context({}))


def _translate(message: tuple[str | None, str, str | None]) -> str:
    context, singular, plural = message
    if plural is not None:
        forms = [
            translation.npgettext(context, singular, plural, n)
            if context
            else translation.ngettext(singular, plural, n)
            for n in (1, 2, 5)
        ]
        return "|".join(forms)
    return translation.pgettext(context, singular) if context else translation.gettext(singular)


def _template_name(template: Template) -> str:
    name = template.origin.template_name
    return name if isinstance(name, str) else str(name)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def template_manifest(letter_type: LetterType) -> list[str]:
    """One line per source that shapes the letter, each with its content hash; sorted."""
    chain = template_chain(letter_type.template_name)
    lines = [f"template {_template_name(t)} {_digest(t.source.encode())}" for t in chain]
    messages = set().union(*(template_messages(t) for t in chain))
    for language in LANGUAGES:
        with translation.override(language):
            for message in sorted(messages, key=lambda m: (m[0] or "", m[1], m[2] or "")):
                digest_in, digest_out = _digest(repr(message).encode()), _digest(_translate(message).encode())
                lines.append(f"message {language} {digest_in} {digest_out}")
            for text in letter_context_module.TRANSLATED_TEXTS:
                lines.append(f"text {language} {_digest(str(text).encode())}")
    lines.append(f"code letters/context.py {_digest(Path(letter_context_module.__file__).read_bytes())}")
    lines.append(f"stylesheet {STYLESHEET.name} {_digest(STYLESHEET.read_bytes())}")
    lines.extend(f"font {font.name} {_digest(font.read_bytes())}" for font in FONTS)
    return sorted(lines)


def compute_template_version(letter_type: LetterType) -> str:
    """SHA-256 (hex) of the letter's manifest, computed afresh."""
    return _digest("\n".join(template_manifest(letter_type)).encode())


@cache
def template_version(letter_type: LetterType) -> str:
    """The letter's template version; computed once per process (sources do not change while it runs)."""
    return compute_template_version(letter_type)
