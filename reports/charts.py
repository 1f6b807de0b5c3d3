"""Server-rendered SVG bar charts: readable without JavaScript, by screen readers, and in the PDF.

Each chart carries a title, a description that lists every value, axis labels and the values as text
next to the bars; ``role="img"`` with ``aria-labelledby`` names it for assistive technology.
"""

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kartosfera.formatting import babel_locale, format_money
from reports.rules import bar_extent

WIDTH = 640
LABEL_WIDTH = 250
BAR_AREA = 280
ROW = 30
LINE = 15  # a label's lines, one under another: a long label wraps, never cut off
LABEL_CHARACTERS = 32  # per line, in the 250 units left of the axis at font size 13
TOP = 40
BOTTOM = 46
FONT = "font-family=\"'Kartosfera Sans', 'DejaVu Sans', Arial, sans-serif\""
BAR_COLOUR = "#1f5fa8"  # 6.6:1 against white
TEXT_COLOUR = "#1d1d1f"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal | int
    text: str  # the value as shown, formatted for the reader's language


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: list[Bar],
    category_axis: str,
    value_axis: str,
    scale_text: Callable[[Decimal | int], str],
    maximum=None,
) -> SafeString:
    """A horizontal bar chart as inline SVG; ``maximum`` fixes the scale's end (e.g. 100 for shares).

    ``scale_text`` writes the scale's end as the bars' values are written, in the reader's language.
    """
    top = max([maximum or 0, *(bar.value for bar in bars)])
    labels = [_lines(bar.label) for bar in bars]
    rows = [ROW + LINE * (len(lines) - 1) for lines in labels] or [ROW]
    axis_x = LABEL_WIDTH
    axis_bottom = TOP + sum(rows)
    height = axis_bottom + BOTTOM
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} font-size="13" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<text x="0" y="18" font-weight="bold" font-size="15">{escape(title)}</text>',
        f'<text x="0" y="{TOP - 6}" font-size="11" font-style="italic">{escape(category_axis)}</text>',
    ]
    y = TOP
    for bar, lines, row in zip(bars, labels, rows, strict=False):
        extent = bar_extent(bar.value, top, width=BAR_AREA)
        middle = y + row // 2 + 5  # the baseline of one line centred on the bar
        first = middle - LINE * (len(lines) - 1) // 2
        label = "".join(
            f'<tspan x="{axis_x - 8}" y="{first + LINE * index}">{escape(line)}</tspan>'
            for index, line in enumerate(lines)
        )
        parts.append(
            f'<text text-anchor="end">{label}</text>'
            f'<rect x="{axis_x}" y="{y + 6}" width="{extent}" height="{row - 10}" fill="{BAR_COLOUR}"/>'
            f'<text x="{axis_x + extent + 6}" y="{middle}">{escape(bar.text)}</text>'
        )
        y += row
    parts += [
        f'<line x1="{axis_x}" y1="{TOP}" x2="{axis_x}" y2="{axis_bottom}" stroke="{TEXT_COLOUR}"/>',
        f'<line x1="{axis_x}" y1="{axis_bottom}" x2="{axis_x + BAR_AREA}" y2="{axis_bottom}" '
        f'stroke="{TEXT_COLOUR}"/>',
        f'<text x="{axis_x}" y="{axis_bottom + 16}" font-size="11" text-anchor="middle">0</text>',
        f'<text x="{axis_x + BAR_AREA}" y="{axis_bottom + 16}" font-size="11" text-anchor="middle">'
        f"{escape(scale_text(top))}</text>",
        f'<text x="{axis_x + BAR_AREA // 2}" y="{axis_bottom + 36}" font-size="11" text-anchor="middle" '
        f'font-style="italic">{escape(value_axis)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped above)


def _lines(label: str) -> list[str]:
    """``label`` wrapped at word boundaries into lines that fit left of the axis (all of it shown)."""
    return textwrap.wrap(label, LABEL_CHARACTERS) or [""]


def report_charts(report, *, language: str) -> dict[str, SafeString]:
    """The charts of a report (``reports.selectors.Report``): volumes, SLA shares, liability split."""

    def number(value: Decimal | int) -> str:
        return format_decimal(value, locale=babel_locale(language))

    def money(value: Decimal | int) -> str:
        return format_money(Decimal(value), language=language)

    def count_bars(figures) -> list[Bar]:
        return [Bar(str(figure.label), figure.count, number(figure.count)) for figure in figures]

    def percent(value) -> str:
        return (
            "—"
            if value is None
            else f"{format_decimal(value, format='#,##0.0', locale=babel_locale(language))} %"
        )

    # The claims received in the period, by cause, channel and card brand: one kind of chart each.
    volumes = (
        ("cause", _("Claims by cause"), report.by_cause, _("cause")),
        ("channel", _("Claims by channel"), report.by_channel, _("channel")),
        ("brand", _("Claims by card brand"), report.by_brand, _("card brand")),
    )
    charts = {
        key: bar_chart(
            chart_id=f"chart-{key}",
            title=title,
            bars=count_bars(figures),
            category_axis=axis,
            value_axis=_("claims received in the period"),
            scale_text=number,
        )
        for key, title, figures, axis in volumes
    }
    return charts | {
        "sla": bar_chart(
            chart_id="chart-sla",
            title=_("Deadlines met"),
            bars=[
                Bar(_("D+1 refunds in time"), report.refunds.share or 0, percent(report.refunds.share)),
                Bar(_("replies in time"), report.replies.share or 0, percent(report.replies.share)),
            ],
            category_axis=_("deadline"),
            value_axis=_("share of the deadlines due in the period (%)"),
            scale_text=number,
            maximum=100,
        ),
        "liability": bar_chart(
            chart_id="chart-liability",
            title=_("Liability split of the decided cases"),
            bars=[
                Bar(
                    _("customers"),
                    report.liability_customer,
                    money(report.liability_customer),
                ),
                Bar(
                    _("the bank"),
                    report.liability_bank,
                    money(report.liability_bank),
                ),
            ],
            category_axis=_("who bears the loss"),
            value_axis=_("amount (PLN)"),
            scale_text=money,
        ),
        "ageing": bar_chart(
            chart_id="chart-ageing",
            title=_("Open cases by age"),
            bars=count_bars(report.ageing),
            category_axis=_("days since the claim was received"),
            value_axis=_("open cases"),
            scale_text=number,
        ),
    }
