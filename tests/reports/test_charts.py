"""The report's charts write every number as the report's tables do, in the reader's language."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from reports.charts import report_charts


def _report(*, customer: Decimal, bank: Decimal, count: int = 3):
    figure = SimpleNamespace(label="kradzież", count=count)
    return SimpleNamespace(
        by_cause=[figure],
        by_channel=[figure],
        by_brand=[figure],
        refunds=SimpleNamespace(share=Decimal("97.5")),
        replies=SimpleNamespace(share=None),
        liability_customer=customer,
        liability_bank=bank,
        ageing=[figure],
    )


def _scale_end(svg: str) -> str:
    """The text at the value axis's far end (the last number under the axis line)."""
    return re.findall(r'font-size="11" text-anchor="middle">([^<]+)</text>', svg)[1]


@pytest.mark.parametrize(
    ("language", "scale_end", "bank"),
    [
        ("pl", "1\xa0673,48\xa0zł", "1\xa0673,48\xa0zł"),
        ("en", "PLN\xa01,673.48", "PLN\xa01,673.48"),
    ],
)
def test_the_liability_scale_is_written_like_the_amounts(language, scale_end, bank):
    charts = report_charts(_report(customer=Decimal("212.71"), bank=Decimal("1673.48")), language=language)

    svg = str(charts["liability"])
    assert _scale_end(svg) == scale_end
    assert f">{bank}</text>" in svg
    assert "1673.48" not in svg


@pytest.mark.parametrize(("language", "text"), [("pl", "1\xa0234"), ("en", "1,234")])
def test_counts_and_their_scale_are_grouped_per_language(language, text):
    charts = report_charts(_report(customer=Decimal("0"), bank=Decimal("0"), count=1234), language=language)

    svg = str(charts["cause"])
    assert _scale_end(svg) == text
    assert f">{text}</text>" in svg


def test_a_long_label_wraps_onto_lines_instead_of_being_cut_off():
    figure = SimpleNamespace(label="Card cancellation line 828 828 828 (phone)", count=2)
    report = _report(customer=Decimal("0"), bank=Decimal("0"))
    report.by_channel = [figure, SimpleNamespace(label="Staff on behalf of the customer", count=1)]

    svg = str(report_charts(report, language="en")["channel"])

    assert "…" not in svg
    lines = re.findall(r"<tspan[^>]*>([^<]+)</tspan>", svg)
    assert " ".join(lines) == "Card cancellation line 828 828 828 (phone) Staff on behalf of the customer"
    assert len(lines) == 3  # the first label on two lines, the second on one
    assert all(len(line) <= 32 for line in lines)
