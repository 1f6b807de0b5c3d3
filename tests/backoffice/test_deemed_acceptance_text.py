"""A claim deemed accepted (REK-8) reads, on the case page, why and when: the reply deadline that passed
unanswered and the day the acceptance was recorded, never as if someone decided it that day."""

from datetime import timedelta

from django.urls import reverse

from disputes.services import case_assign, case_start_review, cases_deem_accepted_overdue
from letters.models import CustomerAddress
from letters.services import letter_issue
from tests.backoffice.conftest import NOW


def test_the_case_page_says_the_reply_deadline_passed_and_when_the_acceptance_was_recorded(
    case, analyst, supervisor, as_staff, time_machine
):
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    case.refresh_from_db()
    # Received Monday 26 May 2025: 30 days (REK-6) end on Wednesday 25 June; the sweep runs two days on.
    assert (case.reply_due_on.isoformat(), case.reply_rule) == ("2025-06-25", "REK-6")
    swept = case.reply_due_at + timedelta(days=2, hours=3)
    assert cases_deem_accepted_overdue(now=swept, batch_size=10) == 1
    CustomerAddress.objects.create(
        customer=case.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    notice = case.letter_requests.get(letter_type="DECISION_ACCEPTED")
    assert letter_issue(letter_request_id=notice.pk, actor=None, now=swept).letter_type == "DEEMED_ACCEPTED"
    time_machine.move_to(swept + timedelta(days=5), tick=False)
    client = as_staff(supervisor)

    en = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    pl = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    assert (
        "Deemed accepted (REK-8): the reply deadline of 25 June 2025 (REK-6) passed without a reply sent; "
        "the acceptance was recorded on 28 June 2025."
    ) in en
    assert (
        "Uznana z mocy prawa (REK-8): termin odpowiedzi 25 czerwca 2025 (REK-6) minął, a odpowiedź nie "
        "została wysłana; uznanie odnotowano 28 czerwca 2025."
    ) in pl
    timeline = en.split('id="tl-h"')[1]
    assert "Deemed accepted (REK-8) (" in timeline
    assert " — the reply deadline of 25 June 2025 (REK-6) passed without a reply sent" in timeline
    assert "— REK-8 ·" not in timeline and "— REK-8<" not in timeline
    # The letter issued is the REK-8 notice, never named as a decision someone took.
    letters = en.split('id="letters-h"')[1].split("</section>")[0]
    assert "<td>Deemed accepted (reply deadline missed)</td>" in letters
    assert "Decision: accepted" not in letters
    assert "Letter requested: Deemed accepted (reply deadline missed) (issued" in timeline


def test_the_assignee_of_a_deemed_case_with_no_step_left_is_told_so(
    case, analyst, supervisor, as_staff, time_machine
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=NOW)
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    case.refresh_from_db()
    swept = case.reply_due_at + timedelta(hours=1)
    assert cases_deem_accepted_overdue(now=swept, batch_size=10) == 1
    time_machine.move_to(swept + timedelta(hours=1), tick=False)

    page = as_staff(analyst).get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl")

    assert page.context["p"].allowed == []
    steps = page.content.decode().split('id="act-h"')[1].split("</section>")[0]
    assert "W tej sprawie nie można teraz wykonać żadnego kroku obsługi; pisma i chargebacki" in steps
