"""Queues and the case page: what they show, the journey through HTTP, and a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from cards.models import CardEvent
from disputes.models import Case, CaseState, Channel, DecisionProposal
from disputes.services import case_assign, case_request_information, case_start_review
from letters.models import CustomerAddress, StaffProfile
from letters.services import letter_issue, letter_reissue
from tests.backoffice.conftest import NOW, RECEIVED_AT, make_theft, submitted_case, warsaw
from tests.disputes.conftest import REPORTED_AT


def queue_url(name: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("backoffice:queue", kwargs={"name": name}) + (f"?{query}" if query else "")


def numbers(response) -> list[str]:
    return [row.case.number for row in response.context["page"].rows]


def test_the_journey_supervisor_assigns_analyst_works_supervisor_approves(
    client, case, analyst, supervisor, second_supervisor, as_staff
):
    as_staff(supervisor).post(f"/back-office/cases/{case.pk}/assign/", {"assignee": analyst.pk})
    as_staff(analyst)
    client.post(f"/back-office/cases/{case.pk}/start_review/")
    client.post(f"/back-office/cases/{case.pk}/refund/")
    client.post(f"/back-office/cases/{case.pk}/request_information/", {"questions": "Where was the card?"})
    client.post(
        f"/back-office/cases/{case.pk}/extend_reply/",
        {
            "reason": "Waiting for the acquirer",
            "outstanding": "CCTV at the ATM",
            "expected_reply_on": "2025-07-15",
        },
    )
    client.post(f"/back-office/cases/{case.pk}/assess/", {"intent": "on", "note": "PIN used twice"})
    client.post(
        f"/back-office/cases/{case.pk}/propose/",
        {
            "kind": "DECISION",
            "reason": "Fraud by the customer",
            "customer_grounds": "Wypłatę potwierdzono kodem PIN.",
        },
    )
    proposal = DecisionProposal.objects.get(case=case)
    mine = client.post(f"/back-office/approvals/{proposal.pk}/approve/")
    case.refresh_from_db()
    assert (case.state, mine.status_code) == (CaseState.AWAITING_CUSTOMER, 302)

    as_staff(supervisor).post(f"/back-office/approvals/{proposal.pk}/approve/")

    case.refresh_from_db()
    assert (case.state, case.outcome, case.assignee) == (CaseState.DECIDED, "REJECTED", analyst)
    assert case.reply_extended and case.expected_reply_on.isoformat() == "2025-07-15"
    assert [name for name, *_ in case.transitions.order_by("pk").values_list("name", "from_state")] == [
        "create_draft",
        "submit",
        "start_review",
        "refund_provisionally",
        "request_information",
        "extend_reply",
        "decide",
    ]


def test_the_queues_select_and_sort_by_the_nearest_deadline(analyst, supervisor, eur_rates, as_staff):
    early = submitted_case(
        make_theft(username="early"), analyst, channel=Channel.PHONE, received_at=warsaw(2025, 5, 19, 9)
    )
    late = submitted_case(
        make_theft(username="late"), analyst, channel=Channel.BRANCH, received_at=warsaw(2025, 5, 26, 9)
    )
    case_assign(case_id=late.pk, assignee=analyst, actor=analyst, now=NOW)
    client = as_staff(analyst)

    assert numbers(client.get(queue_url("all"))) == [early.number, late.number]
    assert numbers(client.get(queue_url("mine"))) == [late.number]
    assert numbers(client.get(queue_url("unassigned"))) == [early.number]
    assert numbers(client.get(queue_url("breached"))) == [early.number]  # D+1 ended on 21 May
    assert numbers(client.get(queue_url("all", channel="BRANCH"))) == [late.number]
    assert numbers(client.get(queue_url("all", amount_min="921"))) == []
    page = client.get(queue_url("all")).context["page"]
    assert [(row.refund_light, row.reply_light) for row in page.rows] == [
        ("RED", "GREEN"),
        ("AMBER", "GREEN"),
    ]


def test_awaiting_and_take_the_next_case(case, analyst, as_staff):
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    client = as_staff(analyst)
    client.post(f"/back-office/cases/{case.pk}/refund/")
    case_request_information(case_id=case.pk, questions="?", actor=analyst, now=NOW)
    other = submitted_case(make_theft(username="other"), analyst, received_at=warsaw(2025, 5, 26, 11))

    taken = client.post(reverse("backoffice:take_next"))

    assert numbers(client.get(queue_url("awaiting"))) == [Case.objects.get(pk=case.pk).number]
    assert taken["Location"] == reverse("backoffice:case", kwargs={"case_id": other.pk})
    assert Case.objects.get(pk=other.pk).assignee == analyst


def test_bulk_assign(analyst, supervisor, eur_rates, as_staff):
    cases = [submitted_case(make_theft(username=f"c{i}"), analyst) for i in range(3)]

    as_staff(supervisor).post(
        reverse("backoffice:bulk_assign"), {"assignee": analyst.pk, "cases": [c.pk for c in cases[:2]]}
    )

    assert [Case.objects.get(pk=c.pk).assignee_id for c in cases] == [analyst.pk, analyst.pk, None]


def test_staff_register_a_claim_from_the_828_line(theft, analyst, eur_rates, as_staff):
    response = as_staff(analyst).post(
        reverse("backoffice:claim_new") + f"?customer={theft.customer.pk}&card={theft.card.pk}",
        {
            "transactions": theft.transaction_ids,
            "channel": "LINE_828",
            "cause": "STOLEN",
            "received_at": "2025-05-26T09:00",
            "account": "Stolen from my bag on the tram",
        },
    )

    case = Case.objects.get(customer=theft.customer)
    assert response["Location"] == reverse("backoffice:case", kwargs={"case_id": case.pk})
    assert (case.state, case.channel, case.disputed_amount, case.customer_account) == (
        CaseState.SUBMITTED,
        Channel.LINE_828,
        Decimal("920.00"),
        "Stolen from my bag on the tram",
    )
    assert case.received_at == warsaw(2025, 5, 26, 9, 0)


def test_the_case_page_shows_the_timeline_and_only_the_steps_allowed_now(case, analyst, as_staff):
    CardEvent.objects.create(
        card=case.card,
        kind=CardEvent.Kind.CANCELLED,
        channel="PORTAL",
        reason="STOLEN",
        occurred_at=REPORTED_AT,
    )
    response = as_staff(analyst).get(reverse("backoffice:case", kwargs={"case_id": case.pk}))

    page = response.context["p"]
    assert set(page.allowed) >= {"start_review", "refund_provisionally", "extend_reply"}
    assert "decide" not in page.allowed
    kinds = [item.kind for item in page.timeline]
    assert kinds[:2] == ["CARD", "CIRCUMSTANCES"] or "CARD" in kinds
    body = response.content.decode()
    assert case.number in body
    assert 'name="do-refund"' in body and 'name="do-propose"' not in body


@pytest.mark.parametrize("count", [2, 12])
def test_the_queue_costs_a_fixed_number_of_queries(
    count, analyst, eur_rates, as_staff, django_assert_num_queries
):
    for i in range(count):
        submitted_case(make_theft(username=f"q{i}"), analyst)
    client = as_staff(analyst)
    client.get(queue_url("all"))  # warm the session and the calendar

    # session, user, OTP device, the user's permissions (one query: customers.backends), calendar
    # overrides, the rows and pending proposals (the session is written once a minute, not on this request)
    with django_assert_num_queries(7):
        response = client.get(queue_url("all"))

    assert len(response.context["page"].rows) == count


@pytest.mark.parametrize("extra", [0, 5])
def test_the_case_page_costs_a_fixed_number_of_queries(
    extra, case, analyst, as_staff, django_assert_num_queries
):
    client = as_staff(analyst)
    for i in range(extra):
        client.post(f"/back-office/cases/{case.pk}/note/", {"text": f"note {i}"})
        CardEvent.objects.create(
            card=case.card,
            kind=CardEvent.Kind.CONTROLS_CHANGED,
            channel="PHONE",
            data={"internet_enabled": {"from": i % 2 == 0, "to": i % 2 == 1}},
            occurred_at=RECEIVED_AT - timedelta(days=30 - i),
        )
    if extra:  # an issued letter with corrected versions, and the letters still pending
        CustomerAddress.objects.create(
            customer=case.customer, street="ul. Polna 1", postal_code="00-001", city="Warszawa"
        )
        StaffProfile.objects.create(user=analyst, position="Analityk")
        letter = letter_issue(letter_request_id=case.letter_requests.first().pk, actor=None, now=NOW)
        for i in range(extra):
            letter = letter_reissue(letter_id=letter.pk, reason=f"correction {i}", actor=analyst, now=NOW)
    client.get(reverse("backoffice:case", kwargs={"case_id": case.pk}))

    # 17 for the case itself (the D+1 light reads the case's own Case.refund_confirmed_at; the user's
    # permissions in one query), and 6 for its chargebacks (the chargebacks, the disputed amounts, their
    # transitions, events, documents and pending proposals), whatever their number.
    with django_assert_num_queries(23) as captured:
        client.get(reverse("backoffice:case", kwargs={"case_id": case.pk}))

    assert len(captured.captured_queries) == 23


def test_the_filter_bar_labels_every_field_and_offers_a_way_back(case, analyst, supervisor, as_staff):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=NOW)

    response = as_staff(supervisor).get(
        queue_url("all", assignee=analyst.pk, cause="STOLEN", amount_min="abc"), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    for field in (
        "state",
        "due_within_days",
        "amount_min",
        "amount_max",
        "brand",
        "channel",
        "cause",
        "assignee",
    ):
        assert f'<label for="id_{field}"' in html, field
    assert f'<option value="{analyst.pk}" selected>' in html  # the supervisor's assignee filter is kept
    assert f'href="{reverse("backoffice:queue", kwargs={"name": "all"})}" class="clear-filters"' in html
    assert "Some filters are not valid and were left out" in html
    assert [row.case.pk for row in response.context["page"].rows] == [case.pk]  # the valid filters apply
    assert 'role="search"' in html


def test_an_analyst_filters_without_the_assignee_choice(case, analyst, as_staff):
    html = as_staff(analyst).get(queue_url("mine")).content.decode()

    assert 'type="hidden" name="assignee"' in html
    assert '<select name="assignee"' not in html


# The rows as the queue template wrote them cell by cell before they were rendered in one pass.
TEMPLATE_ROWS = """{% load kartosfera_format %}{% for row in rows %}
  <tr>
    <td><input type="checkbox" name="cases" value="{{ row.case.pk }}" aria-label="{{ row.case.number }}"></td>
    <td><a href="{% url 'backoffice:case' row.case.pk %}">{{ row.case.number }}</a></td>
    <td>{{ row.case.get_state_display }}</td>
    <td>{% include "backoffice/_light.html" with light=row.refund_light %}
      {% if row.refund_light != "NONE" %}{{ row.case.refund_due_on|longdate }}{% endif %}</td>
    <td>{% include "backoffice/_light.html" with light=row.reply_light %}
      {% if row.reply_light != "NONE" %}{{ row.case.reply_due_on|longdate }}{% endif %}</td>
    <td>{% include "backoffice/_light.html" with light=row.chargeback_light %}
      {% if row.chargeback_light != "NONE" %}{{ row.case.chargeback_due_on|longdate }}{% endif %}</td>
    <td class="num">{{ row.case.disputed_amount|money }}</td>
    <td>{{ row.case.customer.first_name }} {{ row.case.customer.last_name }}</td>
    <td>{{ row.case.card.get_brand_display }} •{{ row.case.card.last4 }}</td>
    <td>{{ row.case.assignee.username|default:"—" }}</td>
  </tr>{% endfor %}"""


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_queue_rows_show_what_the_cell_by_cell_template_showed(
    language, case, analyst, supervisor, eur_rates, as_staff
):
    from django.template import Context, Template
    from django.utils import translation

    other = submitted_case(make_theft(username="second"), analyst)
    case_assign(case_id=other.pk, assignee=analyst, actor=supervisor, now=NOW)
    client = as_staff(supervisor)
    client.cookies["django_language"] = language

    response = client.get(queue_url("all"))

    rows = response.context["page"].rows
    with translation.override(language):
        expected = Template(TEMPLATE_ROWS).render(Context({"rows": rows}))
    body = response.content.decode()
    shown = body[body.index("<tbody>") + len("<tbody>") : body.index("</tbody>")]
    assert len(rows) == 2 and {row.case.assignee_id for row in rows} == {None, analyst.pk}
    assert " ".join(shown.split()) == " ".join(expected.split())


# The filter bar as the queue template wrote it field by field before its markup was kept.
TEMPLATE_FILTER_FIELDS = """<div class="field">{{ form.state.label_tag }}{{ form.state }}</div>
    <div class="field">{{ form.due_within_days.label_tag }}{{ form.due_within_days }}</div>
    <div class="field">{{ form.amount_min.label_tag }}{{ form.amount_min }}</div>
    <div class="field">{{ form.amount_max.label_tag }}{{ form.amount_max }}</div>
    <div class="field">{{ form.brand.label_tag }}{{ form.brand }}</div>
    <div class="field">{{ form.channel.label_tag }}{{ form.channel }}</div>
    <div class="field">{{ form.cause.label_tag }}{{ form.cause }}</div>"""


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("filters", [{}, {"cause": "STOLEN", "amount_min": "500", "state": "SUBMITTED"}])
def test_the_filter_bar_shows_what_the_field_by_field_template_showed(
    language, filters, case, supervisor, as_staff
):
    from django.template import Context, Template
    from django.utils import translation

    client = as_staff(supervisor)
    client.cookies["django_language"] = language

    pages = [client.get(queue_url("all", **filters)) for _ in range(2)]  # rendered, then the kept markup

    for response in pages:
        with translation.override(language):
            expected = Template(TEMPLATE_FILTER_FIELDS).render(Context({"form": response.context["form"]}))
        assert expected in response.content.decode()
    assert ('<option value="STOLEN" selected>' in pages[1].content.decode()) == bool(filters)
