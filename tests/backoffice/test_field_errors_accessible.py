"""A back-office field with an error is marked invalid and names its error text (WCAG 3.3.1, 1.3.1)."""

import re

from django.urls import reverse

CLAIM = reverse("backoffice:claim_new")


def _tag(page: str, pattern: str) -> str:
    found = re.search(rf"<(?:input|select|textarea)[^>]*{pattern}[^>]*>", page)
    assert found, pattern
    return found.group(0)


def test_a_claim_on_behalf_without_transactions_marks_each_choice_and_names_the_error(
    client, analyst, as_staff, theft
):
    as_staff(analyst)

    response = client.post(
        f"{CLAIM}?customer={theft.customer.pk}&card={theft.card.pk}",
        {"channel": "PHONE", "cause": "STOLEN", "received_at": "not a moment", "account": "Skradziona."},
    )

    page = response.content.decode()
    choice = _tag(page, 'name="transactions"')
    moment = _tag(page, 'name="received_at"')
    for field in (choice, moment):
        assert 'aria-invalid="true"' in field
        described = re.search(r'aria-describedby="([^"]+)"', field)
        assert described, field
        ids = described.group(1).split()
        assert all(f'id="{named}"' in page for named in ids), ids
        assert any(f'<p class="field-error" id="{named}">' in page for named in ids), ids
