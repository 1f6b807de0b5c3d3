"""The approvals page and the case page never show the workflow's codes (``WON``, ``file``,
``DRAFT → FILED``): every state, step, outcome and proposal is named in the analyst's language."""

import html
import re

import pytest
from django.urls import reverse

from chargebacks.models import ChargebackState
from disputes.models import CaseState, Outcome, ProposalKind
from disputes.services import (
    chargeback_abandon,
    chargeback_escalate,
    chargeback_file,
    chargeback_propose_result,
    chargeback_record_representment,
)
from tests.backoffice.conftest import warsaw
from tests.backoffice.test_chargebacks import _decided

TRANSITION_NAMES = (
    "create_draft",
    "start_review",
    "refund_provisionally",
    "dispatch_reply",
    "record_representment",
    "escalate_to_pre_arbitration",
    "escalate_to_arbitration",
)
CODES = sorted(
    {*CaseState.values, *ChargebackState.values, *Outcome.values, *ProposalKind.values},
    key=len,
    reverse=True,
)


def visible_text(page: str) -> str:
    """What a reader sees of the page's main part: the text without markup (no attribute values)."""
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def raw_codes_in(text: str) -> list[str]:
    found = [code for code in CODES if re.search(rf"\b{code}\b", text)]
    found += [name for name in TRANSITION_NAMES if name in text]
    # A step named by its code: "file (", "win (", "lose (" as the timeline once wrote it.
    found += re.findall(r"\b(?:file|win|lose|abandon|submit|decide) \(", text)
    return found


@pytest.fixture
def worked(case, theft, analyst, supervisor):
    """A decided case whose ATM chargeback was filed, represented, escalated twice and proposed won,
    and whose contactless chargeback was dropped."""
    case = _decided(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(
        chargeback_id=atm.pk, acquirer_reference="ARN-7781", actor=analyst, now=warsaw(2025, 6, 5)
    )
    chargeback_record_representment(
        chargeback_id=atm.pk, note="Transakcja z PIN-em", actor=analyst, now=warsaw(2025, 6, 20)
    )
    chargeback_escalate(chargeback_id=atm.pk, reason="Nagranie CCTV", actor=analyst, now=warsaw(2025, 6, 21))
    chargeback_escalate(chargeback_id=atm.pk, reason="", actor=analyst, now=warsaw(2025, 6, 22))
    chargeback_propose_result(
        chargeback_id=atm.pk, won=True, reason="Schemat orzekł", actor=analyst, now=warsaw(2025, 7, 1)
    )
    chargeback_abandon(
        chargeback_id=case.chargebacks.get(transaction=theft.contactless).pk,
        reason="Klient odpowiada za płatność zbliżeniową",
        actor=analyst,
        now=warsaw(2025, 6, 20, 10, 5),
    )
    return case


def test_the_approvals_page_names_a_chargeback_result_and_a_decision(worked, supervisor, as_staff):
    text = visible_text(
        as_staff(supervisor).get(reverse("backoffice:approvals"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    )

    assert raw_codes_in(text) == []
    assert "Wynik obciążenia zwrotnego Mastercard 4870 (Euronet ATM): Wygrany" in text


def test_the_approvals_page_in_english(worked, supervisor, as_staff, client):
    as_staff(supervisor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = visible_text(client.get(reverse("backoffice:approvals")).content.decode())

    assert raw_codes_in(text) == []
    assert "Result of a chargeback Mastercard 4870 (Euronet ATM): Won" in text


def test_the_case_timeline_names_every_chargeback_step_and_state(worked, analyst, as_staff):
    page = as_staff(analyst).get(reverse("backoffice:case", args=[worked.pk]), HTTP_ACCEPT_LANGUAGE="pl")
    text = visible_text(page.content.decode())
    timeline = text.split("Przebieg", 1)[1]

    assert raw_codes_in(text) == []
    for line in (
        "Obciążenie zwrotne Mastercard 4870: Złożone w organizacji płatniczej (Szkic → Złożony)",
        "Obciążenie zwrotne Mastercard 4870: Otrzymano ponowną prezentację"
        " (Złożony → Otrzymano ponowną prezentację)",
        "Obciążenie zwrotne Mastercard 4870: Skierowane do prearbitrażu"
        " (Otrzymano ponowną prezentację → Przedarbitraż)",
        "Obciążenie zwrotne Mastercard 4870: Skierowane do arbitrażu (Przedarbitraż → Arbitraż)",
        "Obciążenie zwrotne Mastercard 4837: Niezłożony (Szkic → Niezłożony)",
        "Krok: Rozpoczęto analizę (Złożona → W rozpatrywaniu)",
    ):
        assert line in timeline, line
    assert "Wynik obciążenia zwrotnego Mastercard 4870 (Euronet ATM): Wygrany" in text


def test_the_traffic_lights_are_named_in_words_only(case, analyst, as_staff):
    page = as_staff(analyst).get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl")
    body = page.content.decode()

    assert 'title="GREEN"' not in body and 'title="RED"' not in body and 'title="AMBER"' not in body
    assert raw_codes_in(visible_text(body)) == []


def test_a_lost_chargeback_is_lost_not_a_lost_card(case, theft, analyst, supervisor, as_staff):
    from disputes.models import DecisionProposal
    from disputes.services import proposal_approve

    case = _decided(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN-1", actor=analyst, now=warsaw(2025, 6, 5))
    chargeback_record_representment(chargeback_id=atm.pk, note="PIN", actor=analyst, now=warsaw(2025, 6, 6))
    chargeback_propose_result(
        chargeback_id=atm.pk, won=False, reason="Chip i PIN", actor=analyst, now=warsaw(2025, 6, 7)
    )
    proposal_approve(
        proposal_id=DecisionProposal.objects.get(chargeback=atm).pk, actor=supervisor, now=warsaw(2025, 6, 8)
    )

    page = as_staff(analyst).get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl")
    text = visible_text(page.content.decode())

    assert "Obciążenie zwrotne Mastercard 4870: Przegrany (Otrzymano ponowną prezentację → Przegrany)" in text
    assert "Zgubiona" not in text.split("Przebieg", 1)[1]
    assert raw_codes_in(text) == []
