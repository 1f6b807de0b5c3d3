# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""The decision in words on the customer's claim page: outcome, who bears what and why, the money, appeals.

The stolen card of tests/disputes/conftest.py: the PIN withdrawal of 800,00 zł at Euronet ATM and the
contactless payment of 120,00 zł at Biedronka on 23 May 2025, both before the report. Refunded in full
at D+1 on 26 May; decided in part on 10 June 2025: the customer bears the 50 EUR cap at 4,2541
(212,71 zł, UUP-46-2-CAP) and the bank the rest (707,29 zł).
"""

import html
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from customers.middleware import SIGNED_IN_AT
from disputes.models import CaseState
from disputes.portal.claim_status import REPLY_DUE, REPLY_LATE, REPLY_NOTHING, claim_reply
from disputes.services import (
    case_assess_liability,
    case_decide,
    case_deem_accepted,
    case_refund_provisionally,
    case_start_review,
    case_withdraw,
    cases_deem_accepted_overdue,
)
from letters.services import letter_request_process, print_batch_assemble, print_batch_mark_posted
from liability.engine import Findings
from outbox.models import OutboxMessage
from outbox.services import outbox_run_in_place
from tests.disputes.conftest import REFUND_DUE_AT, REPLY_DUE_AT, submitted_case, warsaw
from tests.disputes.helpers import confirm_postings, four_eyes
from tests.disputes.portal.test_claim_pages import signed_in

# The letters tests' fixtures: letters stored in a temporary MEDIA_ROOT, a postal address for the
# customer, signing staff with their positions (the decision letter is issued and posted here).
from tests.letters.test_issue import _media, analyst, eur_rates, supervisor, theft  # noqa: F401

DECIDED_AT = warsaw(2025, 6, 10, 9, 0)
GROUNDS = "Karta została skradziona, a transakcje wykonano przed jej zastrzeżeniem."


def page(client, case, language="pl") -> str:
    """The claim page as the customer reads it now (signed in just before), whitespace normalised."""
    client.force_login(case.customer.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = timezone.now().isoformat()
    session.save()
    client.cookies["django_language"] = language
    response = client.get(f"/claims/{case.pk}/")
    assert response.status_code == 200
    # Amounts are formatted with babel: a no-break space before "zł" and between thousands.
    return " ".join(response.content.decode().replace("\xa0", " ").replace("\u202f", " ").split())


@pytest.fixture
def refunded(theft, eur_rates, analyst):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    return case


@pytest.fixture
def partial(refunded, analyst, supervisor):
    case_assess_liability(
        case_id=refunded.pk, findings=Findings(), actor=analyst, now=warsaw(2025, 6, 9, 10, 0)
    )
    case_decide(
        case_id=refunded.pk, actor=supervisor, now=DECIDED_AT, reason="limit 50 EUR", customer_grounds=GROUNDS
    )
    refunded.refresh_from_db()
    return refunded


def post_the_decision(case, analyst):
    """The decision letter is issued, printed in the day's batch and posted at 15:00 on 10 June; the
    workflow records the reply from that dispatch (the worker's part, run here)."""
    for request in case.letter_requests.filter(fulfilled_at__isnull=True).order_by("pk"):
        letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 6, 10, 13, 0))
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 10, 14, 0))
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 10, 15, 0))
    outbox_run_in_place(
        message_ids=OutboxMessage.objects.filter(
            task="disputes.tasks.record_reply_dispatched", kwargs__case_id=case.pk
        ).values_list("pk", flat=True)
    )
    case.refresh_from_db()


def withheld(theft, analyst, supervisor):
    """A submitted claim whose D+1 refund is withheld on 27 May 2025, law enforcement notified."""
    from django.core.files.base import ContentFile

    from disputes.models import EvidenceKind
    from disputes.services import case_add_evidence, case_withhold_refund

    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE,
        file=ContentFile(b"%PDF-1.4 notice", name="notice.pdf"),
        description="",
        actor=analyst,
        now=warsaw(2025, 5, 27, 8, 30),
    )
    case_withhold_refund(
        case_id=case.pk,
        grounds="PIN used",
        authority="Prokuratura Rejonowa Kraków-Śródmieście",
        notified_on=warsaw(2025, 5, 27, 8, 0).date(),
        notice_reference="KB/BZ/2025/0417",
        actor=supervisor,
        now=warsaw(2025, 5, 27, 9, 0),
    )
    return case


def reject(case, analyst, supervisor, *, decided_at):
    """Not accepted: the customer acted intentionally (assessed 5 June 2025), so bears the whole 920,00 zł."""
    case_assess_liability(
        case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    four_eyes(
        "DECISION",
        case=case,
        proposer=analyst,
        approver=supervisor,
        now=decided_at,
        reason="fraud",
        grounds="Wypłatę potwierdzono kodem PIN.",
    )
    case.refresh_from_db()


def explanations(case, language):
    key = "explanation_en" if language == "en" else "explanation_pl"
    return {line["rule"]: line[key] for line in case.decision_assessment.result["lines"]}


def test_a_partly_accepted_claim_states_the_outcome_each_share_with_its_reason_and_the_recovery(
    client, theft, partial
):
    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), partial)

    card = theft.card.masked
    assert '<h2 id="decision-title">Rozstrzygnięcie reklamacji</h2>' in text
    assert (
        "<strong>Reklamacja uznana częściowo.</strong> Ty ponosisz 212,71 zł, bank ponosi 707,29 zł." in text
    )
    assert "Rozstrzygnięto 10 czerwca 2025." in text
    assert (
        "<li><strong>Euronet ATM, 23 maja 2025</strong>: 800,00 zł<br> "
        "Twoja część: 212,71 zł; część banku: 587,29 zł.<br>" in text
    )
    assert (
        "<li><strong>Biedronka, 23 maja 2025</strong>: 120,00 zł<br> "
        "Twoja część: 0,00 zł; część banku: 120,00 zł.<br>" in text
    )
    # Why, in the customer's words: the cap in złoty at the NBP rate of the day, EUR to the cent.
    assert (
        "Twoja karta została skradziona, a tę transakcję wykonano, zanim to zgłosiłeś(-aś). W takiej "
        "sytuacji ponosisz najwyżej równowartość 50 EUR za całą reklamację. Przy tej transakcji z tego "
        "limitu zostało 50,00 EUR, czyli 212,71 zł po średnim kursie NBP z 23 maja 2025 (4,2541 zł za "
        "1 euro). Dlatego ponosisz 212,71 zł, a bank 587,29 zł. Limit jest już wykorzystany." in text
    )
    assert (
        "Nie wymagaliśmy silnego uwierzytelnienia przy tej transakcji, więc nic nie ponosisz: całą kwotę "
        "120,00 zł ponosi bank." in text
    )
    # The analysts' rule text (rule ids, the formula, third person) stays off the customer's page.
    for rule, explanation in explanations(partial, "pl").items():
        assert rule not in text
        assert " ".join(html.escape(explanation).split()) not in text
    assert "klient ponosi" not in text and "min(" not in text and "Reguła" not in text
    assert "26 maja 2025 zwróciliśmy na Twój rachunek 920,00 zł, całą reklamowaną kwotę" in text
    assert (
        "Część, którą ponosisz, 212,71 zł, pobierzemy, obciążając rachunek powiązany z kartą "
        f"{card}, dopiero po wysłaniu Ci naszej odpowiedzi z uzasadnieniem: najwcześniej dzień po jej "
        "wysłaniu." in text
    )
    # Not accepted in full: the appeal routes, as the decision letter gives them.
    assert "Rzecznik Finansowy" in text and "Sąd Polubowny przy Rzeczniku Finansowym" in text
    # One register on the page: the portal's informal "ty", the appeal routes included.
    assert "Jeśli nie zgadzasz się z odpowiedzią" in text
    assert "Możesz złożyć wniosek o rozpatrzenie sprawy przez Rzecznika Finansowego" in text
    assert "Państw" not in text
    # The reply deadline no longer counts down once the decision is on the page.
    assert "Odpowiemy najpóźniej" not in text


def test_after_the_reply_is_sent_the_recovery_date_is_given_then_the_recovery_itself(
    client, theft, partial, analyst, supervisor
):
    post_the_decision(partial, analyst)
    assert partial.reply_dispatched_at == warsaw(2025, 6, 10, 15, 0)
    card = theft.card.masked
    browser = signed_in(client, theft.user)
    with time_machine.travel(warsaw(2025, 6, 10, 16, 0), tick=False):
        text = page(browser, partial)
    assert (
        "Część, którą ponosisz, 212,71 zł, pobierzemy, obciążając rachunek powiązany z kartą "
        f"{card}, nie wcześniej niż 11 czerwca 2025, czyli dzień po wysłaniu Ci naszej odpowiedzi z "
        "uzasadnieniem." in text
    )

    four_eyes("RECOVERY", case=partial, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 11, 9, 0))
    with time_machine.travel(warsaw(2025, 6, 11, 10, 0), tick=False):
        text = page(browser, partial)
    assert (
        "11 czerwca 2025 pobraliśmy 212,71 zł, czyli część, którą ponosisz, obciążając rachunek "
        f"powiązany z kartą {card}." in text
    )
    assert "pobierzemy" not in text


def test_a_recovery_not_made_by_its_first_day_is_not_promised_for_a_day_gone_by(
    client, theft, partial, analyst
):
    # The reply left on 10 June: the share may be taken from 11 June. A week later, still not taken,
    # "not before 11 June" would read as a promise about a day already gone.
    post_the_decision(partial, analyst)
    browser = signed_in(client, theft.user)
    with time_machine.travel(warsaw(2025, 6, 18, 10, 0), tick=False):
        polish, english = page(browser, partial), page(browser, partial, language="en")

    card = theft.card.masked
    assert "nie wcześniej niż" not in polish
    assert (
        "Część, którą ponosisz, 212,71 zł, pobierzemy wkrótce, obciążając rachunek powiązany z kartą "
        f"{card}; możemy to zrobić od 11 czerwca 2025, czyli od dnia po wysłaniu Ci naszej odpowiedzi "
        "z uzasadnieniem." in polish
    )
    assert (
        f"The part you bear, PLN 212.71, will be taken back shortly by a debit to the account linked to card "
        f"{card}; we may do so from 11 June 2025, the day after our reply with its reasons was sent to you."
        in english
    )


def test_the_recovery_debits_the_account_linked_to_the_card_in_english(client, theft, partial, analyst):
    post_the_decision(partial, analyst)
    with time_machine.travel(warsaw(2025, 6, 10, 16, 0), tick=False):
        text = page(signed_in(client, theft.user), partial, language="en")

    assert (
        f"The part you bear, PLN 212.71, will be taken back by a debit to the account linked to card "
        f"{theft.card.masked}, not before 11 June 2025" in text
    )
    assert "account of card" not in text


def test_the_decision_reads_in_english_with_the_english_explanations(client, theft, partial):
    theft.customer.preferred_language = "en"
    theft.customer.save(update_fields=["preferred_language"])
    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), partial, language="en")

    assert "The decision on your claim" in text
    assert "<strong>Partly accepted.</strong> You bear PLN 212.71; the bank bears PLN 707.29." in text
    assert "Decided on 10 June 2025." in text
    assert "Your share: PLN 212.71; the bank's share: PLN 587.29." in text
    assert (
        "Your card was stolen and this payment was made before you reported it. In that case you bear at "
        "most the equivalent of EUR 50 for the whole claim. For this payment EUR 50.00 of that limit was "
        "left, which is PLN 212.71 at the NBP average rate of 23 May 2025 (4.2541 PLN per euro). So you "
        "bear PLN 212.71 and the bank bears PLN 587.29. The limit is now used up." in text
    )
    for rule, explanation in explanations(partial, "en").items():
        assert rule not in text
        assert " ".join(html.escape(explanation).split()) not in text
    assert "the customer bears" not in text
    assert (
        "On 26 May 2025 we refunded PLN 920.00 to your account, the whole disputed amount, as the law "
        "requires by the next business day." in text
    )
    assert "Financial Ombudsman" in text


def test_an_accepted_claim_says_so_and_offers_no_appeal(client, theft, refunded, analyst, supervisor):
    case_assess_liability(
        case_id=refunded.pk,
        findings=Findings(undetectable=True),
        actor=analyst,
        now=warsaw(2025, 6, 9, 10, 0),
    )
    case_decide(case_id=refunded.pk, actor=supervisor, now=DECIDED_AT)
    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded)

    assert (
        "<strong>Reklamacja uznana w całości.</strong> Całą reklamowaną kwotę, 920,00 zł, ponosi bank: "
        "Ty nie ponosisz nic." in text
    )
    assert "Nic nie zostanie pobrane z Twojego rachunku." in text
    assert "Rzecznik Finansowy" not in text


def test_a_claim_deemed_accepted_says_the_law_resolved_it_for_the_customer(client, theft, refunded):
    case_deem_accepted(case_id=refunded.pk, actor=None, now=REPLY_DUE_AT)
    refunded.refresh_from_db()
    assert refunded.state == CaseState.DEEMED_ACCEPTED
    with time_machine.travel(REPLY_DUE_AT, tick=False):
        text = page(signed_in(client, theft.user), refunded)

    assert (
        "<strong>Reklamacja uznana z mocy prawa.</strong> Nie odpowiedzieliśmy w terminie, więc zgodnie z "
        "ustawą reklamację uważa się za rozpatrzoną zgodnie z Twoją wolą: całą reklamowaną kwotę, 920,00 zł, "
        "ponosi bank." in text
    )
    assert (
        "Nie odpowiedzieliśmy w terminie, więc zgodnie z ustawą reklamację uważa się za rozpatrzoną zgodnie "
        "z Twoją wolą: nic nie ponosisz." in text
    )
    assert "REK-8" not in text
    assert "Rzecznik Finansowy" not in text
    assert "Odpowiemy najpóźniej" not in text
    assert "Zwrot 920,00 zł z 26 maja 2025 jest już ostateczny: zostaje na Twoim rachunku." in text


LATE_REPLY = (
    "<strong>Nasza odpowiedź jest opóźniona.</strong> Mieliśmy odpowiedzieć najpóźniej do 25 czerwca 2025 "
    "i tego nie zrobiliśmy. Zgodnie z ustawą reklamację, na którą bank nie odpowie w terminie, uważa się za "
    "rozpatrzoną zgodnie z wolą klienta: całą reklamowaną kwotę, 920,00 zł, ponosi bank i nic nie zostanie "
    "pobrane z Twojego rachunku. Właśnie to odnotowujemy i potwierdzimy listem."
)


def test_a_reply_not_sent_by_its_day_is_late_not_promised_until_the_sweep_deems_the_claim_accepted(
    client, theft, refunded
):
    with time_machine.travel(REPLY_DUE_AT - timedelta(minutes=1), tick=False):  # 25 June, 23:59
        in_time = page(signed_in(client, theft.user), refunded)
    # The day is over; the sweep (every 5 minutes in production) has not run yet.
    with time_machine.travel(REPLY_DUE_AT, tick=False):
        late = page(signed_in(client, theft.user), refunded)
    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT + timedelta(minutes=5), batch_size=10) == 1
    with time_machine.travel(REPLY_DUE_AT + timedelta(minutes=6), tick=False):
        deemed = page(signed_in(client, theft.user), refunded)

    assert "Odpowiemy najpóźniej do 25 czerwca 2025." in in_time
    assert "opóźniona" not in in_time
    assert "Odpowiemy najpóźniej" not in late  # no reply promised by a day already past
    assert LATE_REPLY in late
    assert 'aria-labelledby="decision-title"' not in late
    assert "Odpowiemy najpóźniej" not in deemed and "opóźniona" not in deemed
    assert "<strong>Reklamacja uznana z mocy prawa.</strong> Nie odpowiedzieliśmy w terminie" in deemed
    assert "Zwrot 920,00 zł z 26 maja 2025 jest już ostateczny: zostaje na Twoim rachunku." in deemed


def test_a_late_reply_reads_in_english(client, theft, refunded):
    with time_machine.travel(warsaw(2025, 6, 27, 9, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded, language="en")

    assert (
        "<strong>Our reply is late.</strong> We should have replied by 25 June 2025, and we have not. "
        "By law, a claim the bank does not answer in time is resolved in your favour: the bank bears the "
        "whole disputed amount, PLN 920.00, and nothing will be taken back from you. We are recording this "
        "now and will confirm it in a letter." in text
    )
    assert "You will receive our reply by" not in text


@pytest.mark.parametrize(
    ("at", "reply"),
    [
        (warsaw(2025, 6, 25, 23, 59), REPLY_DUE),
        (REPLY_DUE_AT, REPLY_LATE),  # midnight: the due day is over, as the sweep sees it
    ],
)
def test_a_reply_still_to_come_is_due_until_its_day_ends_then_late(refunded, at, reply):
    assert claim_reply(case=refunded, now=at) == reply


def test_a_decided_claim_has_no_reply_to_count_down_to(partial):
    assert claim_reply(case=partial, now=warsaw(2025, 7, 1, 9, 0)) == REPLY_NOTHING


def test_before_a_decision_the_page_shows_the_running_deadlines_and_no_outcome(client, theft, refunded):
    with time_machine.travel(warsaw(2025, 5, 27, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded)

    assert 'aria-labelledby="decision-title"' not in text
    assert "Odpowiemy najpóźniej do 25 czerwca 2025." in text
    # The refund was made: its deadline no longer runs.
    assert "Oddamy " not in text


def test_a_rejected_claim_whose_refund_was_withheld_takes_nothing_back(
    client, theft, eur_rates, analyst, supervisor
):
    case = withheld(theft, analyst, supervisor)
    reject(case, analyst, supervisor, decided_at=warsaw(2025, 6, 6, 9, 0))
    with time_machine.travel(warsaw(2025, 6, 6, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), case)

    assert "<strong>Reklamacja nieuznana.</strong> Ponosisz całą reklamowaną kwotę, 920,00 zł." in text
    assert (
        "Części, którą ponosisz, 920,00 zł, nie zwróciliśmy, więc nic nie zostanie pobrane z Twojego "
        "rachunku." in text
    )
    assert "Rzecznik Finansowy" in text


# "What happens next" follows the refund as it stands: promised, late, made, kept, taken back.
CONDITIONAL = "Warunkowo zwróciliśmy reklamowaną kwotę"


@pytest.fixture
def reviewing(theft, eur_rates, analyst):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    return case


def test_a_refund_not_made_by_its_day_is_late_with_an_apology_not_a_promise_in_the_past(
    client, theft, reviewing
):
    with time_machine.travel(warsaw(2025, 5, 27, 23, 59), tick=False):
        in_time = page(signed_in(client, theft.user), reviewing)
    with time_machine.travel(REFUND_DUE_AT, tick=False):
        late = page(signed_in(client, theft.user), reviewing)

    assert "Oddamy 920,00 zł na Twój rachunek najpóźniej do końca 27 maja 2025" in in_time
    assert "opóźniony" not in in_time
    assert "Oddamy " not in late
    assert (
        "<strong>Zwrot jest opóźniony.</strong> Przepraszamy: mieliśmy oddać 920,00 zł na Twój rachunek "
        "najpóźniej do końca 27 maja 2025 i jeszcze tego nie zrobiliśmy. Zwrot nadal Ci się należy i nie "
        "musisz nic robić: damy Ci znać, gdy tylko go zrealizujemy. Jeśli masz pytania albo chcesz złożyć "
        "reklamację w sprawie opóźnienia, zadzwoń do nas: +48 22 100 20 30." in late
    )
    # Nothing is being credited (no ledger entry, so no posting): the page does not say it is.
    assert "Właśnie realizujemy" not in late
    assert "w drodze" not in late


def test_a_late_refund_reads_in_english(client, theft, reviewing):
    with time_machine.travel(warsaw(2025, 6, 2, 9, 0), tick=False):
        text = page(signed_in(client, theft.user), reviewing, language="en")

    assert (
        "<strong>Your refund is late.</strong> We are sorry: we should have returned PLN 920.00 to your "
        "account by the end of 27 May 2025, and we have not done so yet. The refund is still owed to you and "
        "you do not need to do anything: we will let you know as soon as we have made it." in text
    )
    assert "We will return" not in text
    assert "making the refund" not in text


def test_a_refund_made_late_is_no_longer_called_late(client, theft, reviewing, analyst):
    case_refund_provisionally(case_id=reviewing.pk, actor=analyst, now=warsaw(2025, 5, 29, 9, 0))
    with time_machine.travel(warsaw(2025, 5, 29, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), reviewing)

    assert f"{CONDITIONAL} 29 maja 2025. Pieniądze są właśnie w drodze na Twój rachunek." in text
    assert "opóźniony" not in text


def test_a_refund_confirmed_by_the_core_system_is_no_longer_on_its_way(client, theft, reviewing, analyst):
    case_refund_provisionally(case_id=reviewing.pk, actor=analyst, now=warsaw(2025, 5, 27, 9, 0))
    confirm_postings(at=warsaw(2025, 5, 27, 9, 5))
    with time_machine.travel(warsaw(2025, 5, 29, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), reviewing, language="en")

    assert "We refunded the disputed amount provisionally on 27 May 2025." in text
    assert "on its way" not in text


def test_after_a_partial_decision_next_says_what_is_kept_and_what_is_taken_back(
    client, theft, partial, analyst, supervisor
):
    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        decided = page(signed_in(client, theft.user), partial)
    post_the_decision(partial, analyst)
    four_eyes("RECOVERY", case=partial, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 11, 9, 0))
    with time_machine.travel(warsaw(2025, 6, 11, 10, 0), tick=False):
        recovered = page(signed_in(client, theft.user), partial)

    assert CONDITIONAL not in decided
    assert (
        "Z kwoty 920,00 zł, którą warunkowo zwróciliśmy 26 maja 2025, zostaje Ci 707,29 zł; Twoją część, "
        "212,71 zł, pobierzemy z Twojego rachunku tak, jak opisuje to rozstrzygnięcie powyżej." in decided
    )
    assert CONDITIONAL not in recovered
    assert (
        "Z kwoty 920,00 zł, którą warunkowo zwróciliśmy 26 maja 2025, zostaje Ci 707,29 zł; Twoją część, "
        "212,71 zł, pobraliśmy z Twojego rachunku 11 czerwca 2025." in recovered
    )


def test_after_an_accepted_decision_next_says_the_refund_is_final(
    client, theft, refunded, analyst, supervisor
):
    case_assess_liability(
        case_id=refunded.pk,
        findings=Findings(undetectable=True),
        actor=analyst,
        now=warsaw(2025, 6, 9, 10, 0),
    )
    case_decide(case_id=refunded.pk, actor=supervisor, now=DECIDED_AT)
    with time_machine.travel(warsaw(2025, 6, 10, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded)

    assert CONDITIONAL not in text
    assert "Zwrot 920,00 zł z 26 maja 2025 jest już ostateczny: zostaje na Twoim rachunku." in text


def test_a_withdrawn_claim_says_the_conditional_refund_was_taken_back(client, theft, refunded):
    case_withdraw(
        case_id=refunded.pk, reason="Znalazłam kartę.", actor=theft.user, now=warsaw(2025, 5, 28, 9, 0)
    )
    with time_machine.travel(warsaw(2025, 5, 28, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded)
        english = page(signed_in(client, theft.user), refunded, language="en")

    assert CONDITIONAL not in text
    assert "Wycofałeś(-aś) reklamację 28 maja 2025." in text
    assert (
        "Ponieważ wycofałeś(-aś) reklamację, kwotę 920,00 zł, którą warunkowo zwróciliśmy 26 maja 2025, "
        "pobraliśmy z powrotem z Twojego rachunku 28 maja 2025." in text
    )
    assert (
        "Because you withdrew the claim, the PLN 920.00 we refunded conditionally on 26 May 2025 was taken "
        "back from your account on 28 May 2025." in english
    )


def test_a_claim_withdrawn_before_any_refund_takes_nothing_back_and_promises_nothing(
    client, theft, reviewing
):
    case_withdraw(
        case_id=reviewing.pk, reason="Znalazłam kartę.", actor=theft.user, now=warsaw(2025, 5, 26, 12, 0)
    )
    with time_machine.travel(warsaw(2025, 5, 29, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), reviewing)

    assert "Wycofałeś(-aś) reklamację 26 maja 2025." in text
    assert "pobraliśmy" not in text and "Oddamy " not in text and "opóźniony" not in text


def test_after_a_rejection_next_says_the_whole_refund_goes_back(client, theft, refunded, analyst, supervisor):
    case_assess_liability(
        case_id=refunded.pk, findings=Findings(intent=True), actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    four_eyes(
        "DECISION",
        case=refunded,
        proposer=analyst,
        approver=supervisor,
        now=warsaw(2025, 6, 6, 9, 0),
        reason="fraud",
        grounds="Wypłatę potwierdzono kodem PIN.",
    )
    with time_machine.travel(warsaw(2025, 6, 6, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded)

    assert CONDITIONAL not in text
    assert (
        "Zgodnie z rozstrzygnięciem nie zostaje Ci nic z kwoty 920,00 zł, którą warunkowo zwróciliśmy "
        "26 maja 2025: pobierzemy ją z Twojego rachunku tak, jak opisuje to rozstrzygnięcie powyżej." in text
    )
    assert "Ustaliliśmy, że działałeś(-aś) umyślnie (oszustwo), więc ponosisz całą kwotę 800,00 zł." in text


def pages_once_deemed_accepted(client, theft, case) -> tuple[str, str]:
    """The claim's page in Polish and in English an hour after the sweep deems it accepted."""
    # The reply was due by 25 June 2025; the sweep records the acceptance two days later.
    swept = REPLY_DUE_AT + timedelta(days=2, hours=3)
    assert cases_deem_accepted_overdue(now=swept, batch_size=10) == 1
    with time_machine.travel(swept + timedelta(hours=1), tick=False):
        polish = page(signed_in(client, theft.user), case)
        english = page(signed_in(client, theft.user), case, language="en")
    return polish, english


def test_a_claim_deemed_accepted_says_which_reply_deadline_passed_not_a_day_someone_decided(
    client, theft, refunded
):
    polish, english = pages_once_deemed_accepted(client, theft, refunded)

    assert (
        "Reklamacja jest uznana z mocy prawa, ponieważ nie odpowiedzieliśmy w terminie, który upływał "
        "25 czerwca 2025; odnotowaliśmy to 28 czerwca 2025." in polish
    )
    assert (
        "Your claim is deemed accepted because we did not reply by 25 June 2025, the deadline for our "
        "reply; we recorded this on 28 June 2025." in english
    )
    assert "Rozstrzygnięto" not in polish and "Decided on" not in english
    # The money: the D+1 refund of 26 May stays, nothing is taken back.
    assert "26 maja 2025 zwróciliśmy na Twój rachunek 920,00 zł, całą reklamowaną kwotę" in polish
    assert "Nic nie zostanie pobrane z Twojego rachunku." in polish
    assert "Zwrot 920,00 zł z 26 maja 2025 jest już ostateczny: zostaje na Twoim rachunku." in polish


def test_a_claim_deemed_accepted_before_any_refund_says_the_credit_came_with_the_deemed_acceptance(
    client, theft, reviewing
):
    polish, english = pages_once_deemed_accepted(client, theft, reviewing)

    assert (
        "28 czerwca 2025, gdy odnotowaliśmy uznanie reklamacji z mocy prawa, uznaliśmy Twój rachunek "
        "kwotą 920,00 zł." in polish
    )
    assert (
        "On 28 June 2025, when we recorded that your claim is deemed accepted, we credited PLN 920.00 to "
        "your account." in english
    )
    assert "wraz z rozstrzygnięciem" not in polish and "with the decision" not in english
    assert "Nothing will be taken back from your account." in english


def test_a_decided_claim_out_of_its_window_no_longer_promises_an_answer(client, theft, partial):
    # The decision itself gives each late transaction's share and reason; "will be answered" after the
    # answer would send the customer waiting for a second reply.
    type(partial).objects.filter(pk=partial.pk).update(
        out_of_window=True, window_end_on=warsaw(2025, 6, 1, 0, 0).date()
    )
    with time_machine.travel(warsaw(2025, 6, 11, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), partial)

    assert 'aria-labelledby="decision-title"' in text
    assert "otrzymasz odpowiedź" not in text
    assert "najwcześniejszy termin minął" not in text


def test_an_undecided_claim_out_of_its_window_still_says_it_will_be_answered(client, theft, refunded):
    type(refunded).objects.filter(pk=refunded.pk).update(
        out_of_window=True, window_end_on=warsaw(2025, 6, 1, 0, 0).date()
    )
    with time_machine.travel(warsaw(2025, 5, 27, 10, 0), tick=False):
        text = page(signed_in(client, theft.user), refunded)

    assert "najwcześniejszy termin minął 1 czerwca 2025" in text
    assert "reklamacja jest mimo to zarejestrowana i otrzymasz odpowiedź." in text


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [
        (
            "pl",
            "Bank wstrzymał warunkowy zwrot i zawiadomił organy ścigania; otrzymasz list z wyjaśnieniem.",
            "Bank wstrzymał warunkowy zwrot i zawiadomił organy ścigania; list z wyjaśnieniem wysłaliśmy "
            "27 maja 2025.",
        ),
        (
            "en",
            "The bank has withheld the provisional refund and notified law enforcement; you will receive a "
            "letter explaining why.",
            "The bank has withheld the provisional refund and notified law enforcement; we sent you a letter "
            "explaining why on 27 May 2025.",
        ),
    ],
)
def test_the_withheld_refund_says_its_letter_was_sent_once_it_was(
    client, theft, eur_rates, analyst, supervisor, language, before, after
):
    case = withheld(theft, analyst, supervisor)
    request = case.letter_requests.get(letter_type="REFUND_WITHHELD")
    letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 27, 13, 0))
    with time_machine.travel(warsaw(2025, 5, 27, 13, 30), tick=False):
        unsent = page(client, case, language)
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 27, 14, 0))
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 5, 27, 15, 0))

    with time_machine.travel(warsaw(2025, 5, 28, 10, 0), tick=False):
        sent = page(client, case, language)

    assert before in unsent
    assert after in sent
    assert before not in sent
