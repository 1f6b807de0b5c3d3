"""The back-office queue's table rows, rendered in one pass (``{% queue_rows page.rows %}``).

A queue page shows 50 rows of eleven cells. Through the template engine each cell was a variable
lookup chain, a filter, an include or a ``get_FOO_display`` call: two thirds of the page's time went
to rendering the rows (docs/PERFORMANCE.md, "Back office"). Here each row is one ``format_html`` of
values whose formatting is memoised per language (traffic lights, states, card brands, dates and
amounts repeat from row to row), so the markup below is the whole row, in one place.
"""

from datetime import date
from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Any, cast

from django import template
from django.db.models import Field
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from cards.models import Card
from disputes.backoffice.labels import light_label
from disputes.backoffice.lights import Light
from disputes.models import Case
from disputes.templatetags.backoffice_labels import person
from kartosfera.formatting import format_long_date, format_money

register = template.Library()

_ROW = (
    '<tr>\n    <td><input type="checkbox" name="cases" value="{}" aria-label="{}"></td>\n'
    '    <td><a href="{}">{}</a></td>\n    <td>{}</td>\n'
    "    <td>{} {}</td>\n    <td>{} {}</td>\n    <td>{} {}</td>\n"
    '    <td class="num">{}</td>\n    <td>{} {}</td>\n    <td>{} •{}</td>\n    <td>{}</td>\n  </tr>\n'
)


# Each memoised piece is kept escaped, so that a row is put together with ``str.format`` and only the
# values read from the database (case number, names, card digits) are escaped per row: ``format_html``
# escaped all nineteen of a row's values, a thousand calls a page.
@lru_cache(maxsize=32)
def _light(light: str, language: str | None) -> str:
    return format_html('<span class="light light-{}">{}</span>', light.lower(), light_label(light))


@lru_cache(maxsize=64)
def _choice(field: str, value: str, language: str | None) -> str:
    model = Card if field == "brand" else Case
    # The brand and the case's columns with choices: a concrete field, never a relation's reverse side.
    column = cast("Field[Any, Any]", model._meta.get_field(field))
    return escape(str(dict(column.flatchoices).get(value, value)))


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str | None) -> str:
    return escape(format_long_date(day, language=language))


@lru_cache(maxsize=4096)
def _money(amount: Decimal, language: str | None) -> str:
    return escape(format_money(amount, "PLN", language=language))


@lru_cache(maxsize=1)
def _case_url_prefix() -> str:
    """The case page's address without the id (``/back-office/cases/``): reversed once, not per row."""
    sample = reverse("backoffice:case", args=[0])
    if not sample.endswith("/0/"):
        raise ValueError(f"the case page's address changed shape: {sample}")
    return escape(sample[: -len("0/")])


def _due(light: str, day: date | None, language: str | None) -> tuple[str, str]:
    shown = light != Light.NONE and day is not None
    return _light(light, language), _long_date(day, language) if shown else ""


@register.simple_tag
def queue_rows(rows) -> SafeString:
    """The ``<tr>`` of every row of a queue page (``selectors.QueueRow``), in the active language."""
    language = get_language()
    case_url = _case_url_prefix()
    html = []
    for row in rows:
        case = row.case
        number = escape(case.number)
        html.append(
            _ROW.format(
                int(case.pk),
                number,
                f"{case_url}{int(case.pk)}/",
                number,
                _choice("state", case.state, language),
                *_due(row.refund_light, case.refund_due_on, language),
                *_due(row.reply_light, case.reply_due_on, language),
                *_due(row.chargeback_light, case.chargeback_due_on, language),
                _money(case.disputed_amount, language) if case.disputed_amount is not None else "",
                escape(case.customer.first_name),
                escape(case.customer.last_name),
                _choice("brand", case.card.brand, language),
                escape(case.card.last4),
                escape(person(case.assignee)),
            )
        )
    return mark_safe("  ".join(html))  # noqa: S308 (every value above is escaped or an integer)


# The filter bar's fields in the order the page shows them (the assignee is rendered by the template).
_FILTER_FIELDS = ("state", "due_within_days", "amount_min", "amount_max", "brand", "channel", "cause")
_FILTER_HTML: dict[tuple, SafeString] = {}
_FILTER_HTML_MAX = 256


@register.simple_tag
def queue_filter_fields(form) -> SafeString:
    """The filter bar's labelled fields: Django renders each widget and option through templates (about
    2 ms a page), and the same few filters come back on every page, so a valid form's markup is kept
    per language and values. A form with errors (its fields marked invalid) is rendered afresh."""
    if form.errors:
        # Each field as every form's field is drawn: its error text next to it, which the field's
        # aria-describedby names (the line above the filters says them all, too).
        return mark_safe(  # noqa: S308 (templates that escape what they print)
            "\n    ".join(
                render_to_string("portal/_field.html", {"field": form[name]}) for name in _FILTER_FIELDS
            )
        )
    data = form.data
    key = (get_language(), tuple((name, tuple(data.getlist(name))) for name in _FILTER_FIELDS))
    html = _FILTER_HTML.get(key)
    if html is None:
        if len(_FILTER_HTML) >= _FILTER_HTML_MAX:
            _FILTER_HTML.clear()
        html = _FILTER_HTML[key] = _filter_fields(form)
    return html


def _filter_fields(form) -> SafeString:
    return format_html_join(
        "\n    ",
        '<div class="field">{}{}</div>',
        ((form[name].label_tag(), form[name]) for name in _FILTER_FIELDS),
    )
