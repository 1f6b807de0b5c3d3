"""Amounts typed in the back office are read as analysts write them, the Polish way (``1 000,50``) or
the English way (``1,000.50``), through the one amount field the portal's limits use."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from disputes.backoffice.forms import ChargebackFileForm, QueueFilterForm
from tests.backoffice.conftest import sign_in

# The case of the fixtures disputes PLN 920.00.
INCLUDED = [
    ("pl", {"amount_min": "919,50"}),
    ("pl", {"amount_min": "919.50"}),
    ("pl", {"amount_max": "1000,50"}),
    ("pl", {"amount_max": "1 000,50"}),
    ("pl", {"amount_max": "1\u00a0000,50"}),
    ("pl", {"amount_min": "920,00", "amount_max": "920,00"}),
    ("en", {"amount_max": "1,000.50"}),
    ("en", {"amount_max": "1000,50"}),
    ("en", {"amount_max": "1 000.50"}),
]
EXCLUDED = [
    ("pl", {"amount_min": "920,01"}),
    ("pl", {"amount_max": "919,99"}),
    ("pl", {"amount_min": "1 000,50"}),
    ("en", {"amount_min": "1,000.50"}),
]


def _queue(client, language: str, filters: dict[str, str]):
    return client.get(
        reverse("backoffice:queue", kwargs={"name": "all"}), filters, HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize(("language", "filters"), INCLUDED + EXCLUDED)
def test_the_queue_filters_by_an_amount_written_the_polish_or_the_english_way(
    client, analyst, case, language, filters
):
    sign_in(client, analyst)

    response = _queue(client, language, filters)

    assert response.context["form"].errors == {}
    expected = [case.pk] if (language, filters) in INCLUDED else []
    assert [row.case.pk for row in response.context["page"].rows] == expected


@pytest.mark.parametrize(
    ("language", "typed", "error"),
    [
        ("pl", "abc", "Wpisz liczbę."),
        ("pl", "1e3", "Wpisz liczbę."),
        ("en", "0x10", "Enter a number."),
        ("en", "1,00,000", "Enter a number."),
        ("pl", "1,500", "Upewnij się, że liczba ma nie więcej niż 2 cyfry po przecinku."),
    ],
)
def test_what_is_no_amount_is_said_and_the_filter_left_out(client, analyst, case, language, typed, error):
    sign_in(client, analyst)

    response = _queue(client, language, {"amount_min": typed})

    assert {name: [str(e) for e in errors] for name, errors in response.context["form"].errors.items()} == {
        "amount_min": [error]
    }
    assert [row.case.pk for row in response.context["page"].rows] == [case.pk]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_filter_bar_keeps_the_amount_as_typed_in_a_text_box_for_a_decimal_comma(
    client, analyst, case, language
):
    sign_in(client, analyst)

    html = _queue(client, language, {"amount_min": "1 000,5"}).content.decode()

    # A number input would not take a decimal comma; the text box keeps what the analyst wrote.
    assert 'type="text" name="amount_min" value="1 000,5" inputmode="decimal"' in html


@pytest.mark.parametrize(
    ("language", "typed", "amount"),
    [
        ("pl", "650,50", Decimal("650.50")),
        ("pl", "1 650,50", Decimal("1650.50")),
        ("en", "650,50", Decimal("650.50")),
        ("en", "1,650.50", Decimal("1650.50")),
        ("en", "", None),
    ],
)
def test_the_chargeback_amount_is_read_the_same_way(language, typed, amount):
    with translation.override(language):
        form = ChargebackFileForm({"acquirer_reference": "ARN", "amount": typed})

        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == amount


def test_the_queue_filter_form_and_the_chargeback_form_share_the_portals_amount_field():
    from kartosfera.fields import AmountField

    fields = [
        QueueFilterForm.base_fields["amount_min"],
        QueueFilterForm.base_fields["amount_max"],
        ChargebackFileForm.base_fields["amount"],
    ]
    assert all(isinstance(field, AmountField) for field in fields)
