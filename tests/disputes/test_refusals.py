"""Every refused step raises its own error and changes nothing: state, ledger and history as before."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from disputes import services
from disputes.models import Case, EvidenceKind
from liability.engine import Findings
from tests.cards.factories import CardFactory, TransactionFactory
from tests.customers.factories import CustomerFactory, UserFactory
from tests.disputes.conftest import REFUND_DUE_AT, REPLY_DUE_AT, make_theft, submitted_case, warsaw
from tests.disputes.helpers import four_eyes, pdf, snapshot

pytestmark = pytest.mark.django_db

T0 = warsaw(2025, 5, 26, 11, 0)
# The written notice to law enforcement as the withholding step records it.
NOTICE = {
    "authority": "Prokuratura Rejonowa Kraków-Śródmieście",
    "notified_on": date(2025, 5, 26),
    "notice_reference": "KB/BZ/2025/0417",
}

# The disputes side records the dispatch the letters app reports; these tests stand in for it.
LETTER = 1


@dataclass
class World:
    case: Case
    theft: object
    analyst: object
    supervisor: object
    clerk: object
    stranger: object  # another customer, signed in


def reviewing(w: World) -> None:
    services.case_start_review(case_id=w.case.pk, actor=w.analyst, now=T0)


def refunded(w: World) -> None:
    reviewing(w)
    services.case_refund_provisionally(case_id=w.case.pk, actor=w.analyst, now=T0)


def decided(findings: Findings) -> Callable[[World], None]:
    def setup(w: World) -> None:
        refunded(w)
        services.case_assess_liability(case_id=w.case.pk, findings=findings, actor=w.analyst, now=T0)
        four_eyes("DECISION", case=w.case, proposer=w.analyst, approver=w.supervisor, now=T0)

    return setup


def assessed(findings: Findings) -> Callable[[World], None]:
    def setup(w: World) -> None:
        services.case_assess_liability(case_id=w.case.pk, findings=findings, actor=w.analyst, now=T0)

    return setup


def dispatched(findings: Findings) -> Callable[[World], None]:
    def setup(w: World) -> None:
        decided(findings)(w)
        services.case_dispatch_reply(
            letter_id=LETTER, channel="POST", case_id=w.case.pk, dispatched_at=T0, actor=None, now=T0
        )

    return setup


def noticed(w: World) -> None:
    reviewing(w)
    services.case_add_evidence(
        case_id=w.case.pk, kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE, file=pdf(), actor=w.analyst, now=T0
    )


def extended(w: World) -> None:
    refunded(w)
    services.case_extend_reply(
        case_id=w.case.pk,
        reason="r",
        outstanding="o",
        expected_reply_on=date(2025, 7, 1),
        actor=w.analyst,
        now=T0,
    )


def nothing(w: World) -> None:
    pass


def _cb(w: World):
    return w.case.chargebacks.get(transaction=w.theft.atm)


GROSS = Findings(gross_negligence=True)
UNDETECTABLE = Findings(undetectable=True)

# (setup, the refused call, the error, id)
REFUSALS = [
    pytest.param(
        nothing,
        lambda w: services.claim_submit(case_id=w.case.pk, actor=w.theft.user, now=T0),
        services.InvalidCaseState,
        id="submit-twice",
    ),
    pytest.param(
        nothing,
        lambda w: services.claim_submit(case_id=w.case.pk, actor=w.stranger, now=T0),
        services.CaseNotFound,
        id="submit-foreign-case",
    ),
    pytest.param(
        nothing,
        lambda w: services.case_start_review(case_id=w.case.pk, actor=w.theft.user, now=T0),
        services.ActionNotPermitted,
        id="review-by-customer",
    ),
    pytest.param(
        reviewing,
        lambda w: services.case_refund_provisionally(case_id=w.case.pk, actor=w.theft.user, now=T0),
        services.ActionNotPermitted,
        id="refund-by-customer",
    ),
    pytest.param(
        reviewing,
        lambda w: services.case_refund_provisionally(case_id=w.case.pk, actor=w.clerk, now=T0),
        services.CaseNotFound,
        id="refund-by-staff-without-permission",
    ),
    pytest.param(
        reviewing,
        lambda w: services.case_refund_provisionally(case_id=w.case.pk, actor=None, now=T0),
        services.ActionNotPermitted,
        id="refund-by-the-system",
    ),
    pytest.param(
        reviewing,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds="g", **NOTICE, actor=w.supervisor, now=T0
        ),
        services.LawEnforcementNoticeMissing,
        id="withhold-without-notice",
    ),
    pytest.param(
        noticed,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds=" ", **NOTICE, actor=w.supervisor, now=T0
        ),
        services.WithholdingGroundsMissing,
        id="withhold-without-grounds",
    ),
    pytest.param(
        noticed,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds="g", **NOTICE, actor=w.analyst, now=T0
        ),
        services.ActionNotPermitted,
        id="withhold-by-analyst",
    ),
    pytest.param(
        noticed,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds="g", **NOTICE, actor=w.supervisor, now=REFUND_DUE_AT
        ),
        services.RefundDeadlinePassed,
        id="withhold-after-the-refund-deadline",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds="g", **NOTICE, actor=w.supervisor, now=T0
        ),
        services.InvalidCaseState,
        id="withhold-after-refund",
    ),
    pytest.param(
        noticed,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds="g", **{**NOTICE, "authority": " "}, actor=w.supervisor, now=T0
        ),
        services.LawEnforcementNoticeDetailsMissing,
        id="withhold-without-the-authority",
    ),
    pytest.param(
        noticed,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk, grounds="g", **{**NOTICE, "notice_reference": ""}, actor=w.supervisor, now=T0
        ),
        services.LawEnforcementNoticeDetailsMissing,
        id="withhold-without-the-notice-reference",
    ),
    pytest.param(
        noticed,
        lambda w: services.case_withhold_refund(
            case_id=w.case.pk,
            grounds="g",
            **{**NOTICE, "notified_on": date(2025, 5, 27)},
            actor=w.supervisor,
            now=T0,
        ),
        services.LawEnforcementNoticeDateInvalid,
        id="withhold-with-a-notice-dated-tomorrow",
    ),
    pytest.param(
        reviewing,
        lambda w: services.case_request_information(
            case_id=w.case.pk, questions="q", actor=w.analyst, now=T0
        ),
        services.RefundQuestionOpen,
        id="information-before-the-refund",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_customer_responded(
            case_id=w.case.pk, response="a", actor=w.theft.user, now=T0
        ),
        services.InvalidCaseState,
        id="response-when-not-asked",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_decide(case_id=w.case.pk, actor=w.supervisor, now=T0),
        services.AssessmentMissing,
        id="decide-without-assessment",
    ),
    pytest.param(
        reviewing,
        lambda w: services.case_decide(case_id=w.case.pk, actor=w.supervisor, now=T0),
        services.RefundQuestionOpen,
        id="decide-before-the-refund",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_decide(case_id=w.case.pk, actor=w.analyst, now=T0),
        services.ActionNotPermitted,
        id="decide-by-analyst",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_extend_reply(
            case_id=w.case.pk,
            reason="r",
            outstanding="o",
            expected_reply_on=date(2025, 7, 1),
            actor=w.analyst,
            now=REPLY_DUE_AT,
        ),
        services.DelayNoticeTooLate,
        id="extend-after-the-deadline",
    ),
    pytest.param(
        extended,
        lambda w: services.case_extend_reply(
            case_id=w.case.pk,
            reason="r",
            outstanding="o",
            expected_reply_on=date(2025, 7, 1),
            actor=w.analyst,
            now=T0,
        ),
        services.ReplyAlreadyExtended,
        id="extend-twice",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_extend_reply(
            case_id=w.case.pk,
            reason="r",
            outstanding="o",
            expected_reply_on=date(2025, 7, 26),
            actor=w.analyst,
            now=T0,
        ),
        services.ExpectedReplyDateInvalid,
        id="extend-expecting-after-the-extended-deadline",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_extend_reply(
            case_id=w.case.pk,
            reason="",
            outstanding="o",
            expected_reply_on=date(2025, 7, 1),
            actor=w.analyst,
            now=T0,
        ),
        services.ExtensionDetailsMissing,
        id="extend-without-reason",
    ),
    pytest.param(
        decided(GROSS),
        lambda w: four_eyes("RECOVERY", case=w.case, proposer=w.analyst, approver=w.supervisor, now=T0),
        services.ReplyNotDispatched,
        id="recover-before-the-letter",
    ),
    pytest.param(
        dispatched(UNDETECTABLE),
        lambda w: four_eyes("RECOVERY", case=w.case, proposer=w.analyst, approver=w.supervisor, now=T0),
        services.NothingToRecover,
        id="recover-nothing",
    ),
    # Four-eyes steps called directly, even by a supervisor, are refused: only an approval runs them.
    pytest.param(
        dispatched(Findings(intent=True)),
        lambda w: services.case_recover_customer_share(case_id=w.case.pk, actor=w.supervisor, now=T0),
        services.FourEyesRequired,
        id="recover-without-approval",
    ),
    pytest.param(
        lambda w: (refunded(w), assessed(Findings(intent=True))(w)),
        lambda w: services.case_decide(case_id=w.case.pk, actor=w.supervisor, now=T0, reason="fraud"),
        services.FourEyesRequired,
        id="reject-without-approval",
    ),
    # A decision not accepting in full states its grounds in words the customer reads.
    pytest.param(
        lambda w: (refunded(w), assessed(Findings())(w)),
        lambda w: services.case_propose(
            case_id=w.case.pk, kind="DECISION", reason="limit 50 EUR", actor=w.analyst, now=T0
        ),
        services.CustomerGroundsMissing,
        id="propose-partial-without-grounds-for-the-customer",
    ),
    pytest.param(
        lambda w: (refunded(w), assessed(Findings())(w)),
        lambda w: services.case_decide(case_id=w.case.pk, actor=w.supervisor, now=T0, reason="limit 50 EUR"),
        services.CustomerGroundsMissing,
        id="decide-partial-without-grounds-for-the-customer",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_deem_accepted(
            case_id=w.case.pk, actor=None, now=REPLY_DUE_AT - timedelta(seconds=1)
        ),
        services.ReplyDeadlineNotPassed,
        id="deem-before-the-deadline",
    ),
    pytest.param(
        dispatched(GROSS),
        lambda w: services.case_deem_accepted(case_id=w.case.pk, actor=None, now=REPLY_DUE_AT),
        services.ReplyAlreadyDispatched,
        id="deem-after-the-reply",
    ),
    pytest.param(
        refunded,
        lambda w: services.case_deem_accepted(case_id=w.case.pk, actor=w.analyst, now=REPLY_DUE_AT),
        services.ActionNotPermitted,
        id="deem-by-analyst",
    ),
    pytest.param(
        decided(UNDETECTABLE),
        lambda w: services.case_close(case_id=w.case.pk, actor=w.analyst, now=T0),
        services.ReplyNotDispatched,
        id="close-before-the-letter",
    ),
    pytest.param(
        dispatched(GROSS),
        lambda w: services.case_close(case_id=w.case.pk, actor=w.analyst, now=T0),
        services.MoneyNotSettled,
        id="close-before-the-recovery",
    ),
    pytest.param(
        dispatched(UNDETECTABLE),
        lambda w: services.case_close(case_id=w.case.pk, actor=w.analyst, now=T0),
        services.ChargebacksPending,
        id="close-with-chargebacks-pending",
    ),
    pytest.param(
        decided(GROSS),
        lambda w: services.case_withdraw(case_id=w.case.pk, reason="r", actor=w.theft.user, now=T0),
        services.InvalidCaseState,
        id="withdraw-a-decided-case",
    ),
    pytest.param(
        nothing,
        lambda w: services.case_withdraw(case_id=w.case.pk, reason="r", actor=w.stranger, now=T0),
        services.CaseNotFound,
        id="withdraw-foreign-case",
    ),
    pytest.param(
        nothing,
        lambda w: services.case_add_evidence(
            case_id=w.case.pk,
            kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE,
            file=pdf(),
            actor=w.theft.user,
            now=T0,
        ),
        services.ActionNotPermitted,
        id="customer-adds-the-police-notice",
    ),
    pytest.param(
        nothing,
        lambda w: services.case_add_evidence(
            case_id=w.case.pk, kind=EvidenceKind.OTHER, file=pdf(content=b""), actor=w.analyst, now=T0
        ),
        services.EvidenceEmpty,
        id="empty-evidence",
    ),
    pytest.param(
        nothing,
        lambda w: services.case_assess_liability(case_id=w.case.pk, findings=GROSS, actor=w.analyst, now=T0),
        services.InvalidCaseState,
        id="assess-a-submitted-case",
    ),
    pytest.param(
        nothing,
        lambda w: services.chargeback_file(
            chargeback_id=_cb(w).pk, acquirer_reference="x", actor=w.analyst, now=warsaw(2025, 9, 24)
        ),
        services.ChargebackWindowClosed,
        id="chargeback-filed-too-late",
    ),
    pytest.param(
        nothing,
        lambda w: services.chargeback_propose_result(
            chargeback_id=_cb(w).pk, won=True, reason="", actor=w.analyst, now=T0
        ),
        services.InvalidChargebackState,
        id="chargeback-resolved-as-draft",
    ),
    pytest.param(
        nothing,
        lambda w: services.chargeback_file(
            chargeback_id=_cb(w).pk, acquirer_reference="x", actor=w.theft.user, now=T0
        ),
        services.ActionNotPermitted,
        id="chargeback-by-customer",
    ),
    pytest.param(
        nothing,
        lambda w: services.chargeback_file(
            chargeback_id=_cb(w).pk, acquirer_reference="x", actor=w.stranger, now=T0
        ),
        services.ChargebackNotFound,
        id="chargeback-of-a-foreign-case",
    ),
]


@pytest.mark.parametrize(("setup", "refused", "error"), REFUSALS)
def test_a_refused_step_changes_nothing(case, theft, analyst, supervisor, clerk, setup, refused, error):
    stranger = CustomerFactory(user=UserFactory(username="stranger")).user
    world = World(case, theft, analyst, supervisor, clerk, stranger)
    setup(world)
    before = snapshot(case)

    with pytest.raises(error) as refusal:
        refused(world)

    assert snapshot(case) == before
    assert refusal.value.code == error.code
    assert str(refusal.value.message_in("en")) and refusal.value.message_in("pl") != ""


def test_the_response_window_of_a_second_presentment_is_enforced(case, theft, analyst):
    chargeback = case.chargebacks.get(transaction=theft.atm)
    services.chargeback_file(chargeback_id=chargeback.pk, acquirer_reference="A", actor=analyst, now=T0)
    services.chargeback_record_representment(
        chargeback_id=chargeback.pk, actor=analyst, now=warsaw(2025, 6, 20)
    )
    before = snapshot(case)

    with pytest.raises(services.ChargebackResponseWindowClosed):
        # Filed on 26 May: CB-MC-2P ends with 10 July.
        services.chargeback_escalate(chargeback_id=chargeback.pk, actor=analyst, now=warsaw(2025, 7, 11))

    assert snapshot(case) == before


def test_a_claim_cannot_hold_a_transaction_of_another_open_claim(case, theft, analyst):
    draft = services.claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=[theft.atm.pk],
        channel="PHONE",
        cause="STOLEN",
        actor=analyst,
        now=T0,
    )
    before = snapshot(draft)

    with pytest.raises(services.TransactionAlreadyDisputed):
        services.claim_submit(case_id=draft.pk, actor=analyst, now=T0)

    assert snapshot(draft) == before
    assert Case.objects.get(pk=draft.pk).state == "DRAFT"


def _draft_without_cause(theft, analyst) -> Case:
    """A phone draft of the theft's transactions whose cause the customer has not said yet."""
    return services.claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=theft.transaction_ids,
        channel="PHONE",
        cause=services.CAUSE_NOT_ANSWERED,
        actor=analyst,
        now=T0,
    )


def test_a_draft_without_its_cause_is_never_received_whoever_sends_it(theft, analyst, eur_rates):
    draft = _draft_without_cause(theft, analyst)
    before = snapshot(draft)

    with pytest.raises(services.ClaimIncomplete) as refused:
        services.claim_submit(case_id=draft.pk, actor=analyst, now=T0)

    assert [(p.step, p.code) for p in refused.value.problems] == [("cause", "REQUIRED")]
    assert snapshot(draft) == before
    assert (Case.objects.get(pk=draft.pk).state, Case.objects.get(pk=draft.pk).number) == ("DRAFT", None)


def test_only_a_claim_never_sent_may_lack_its_cause(theft, analyst, eur_rates):
    draft = _draft_without_cause(theft, analyst)
    # Thrown away before it was sent: withdrawn as it is, no cause needed.
    services.case_withdraw(case_id=draft.pk, reason="Klient rozpoznał płatności.", actor=analyst, now=T0)
    assert Case.objects.filter(pk=draft.pk, state="WITHDRAWN", cause="").exists()

    # A received claim without a cause is refused by the database itself (case_cause_valid).
    received = submitted_case(theft, analyst)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=received.pk).update(cause="")
    assert Case.objects.get(pk=received.pk).cause == "STOLEN"


@pytest.mark.parametrize(
    ("transaction_ids", "error"),
    [
        ([], services.NoTransactions),
        ("foreign", services.TransactionNotFound),
        ("pending", services.TransactionNotSettled),
    ],
    ids=["none", "another-card", "pending"],
)
def test_a_draft_needs_settled_transactions_of_the_card(theft, analyst, transaction_ids, error):
    if transaction_ids == "foreign":
        transaction_ids = [TransactionFactory(card=CardFactory()).pk]
    elif transaction_ids == "pending":
        transaction_ids = [
            TransactionFactory(card=theft.card, status="AUTHORISED", debited_on=None, processed_on=None).pk
        ]
    cases = Case.objects.count()

    with pytest.raises(error):
        services.claim_create_draft(
            customer=theft.customer,
            card_id=theft.card.pk,
            transaction_ids=transaction_ids,
            channel="PORTAL",
            cause="STOLEN",
            actor=theft.user,
            now=T0,
        )

    assert Case.objects.count() == cases


def test_another_customers_card_is_not_found(theft):
    other = CustomerFactory(user=UserFactory(username="other"))
    with pytest.raises(services.CardNotFound):
        services.claim_create_draft(
            customer=other,
            card_id=theft.card.pk,
            transaction_ids=theft.transaction_ids,
            channel="PORTAL",
            cause="STOLEN",
            actor=other.user,
            now=T0,
        )


def test_a_customer_cannot_claim_for_someone_else(theft):
    other = UserFactory(username="other")
    with pytest.raises(services.ActionNotPermitted):
        services.claim_create_draft(
            customer=theft.customer,
            card_id=theft.card.pk,
            transaction_ids=theft.transaction_ids,
            channel="PORTAL",
            cause="STOLEN",
            actor=other,
            now=T0,
        )


def test_errors_speak_polish_and_english():
    error = services.LawEnforcementNoticeMissing()

    assert error.message_in("en") == (
        "The refund can be withheld only with the written notice to law enforcement attached to the case."
    )
    assert error.message_in("pl") == (
        "Zwrot można wstrzymać tylko wtedy, gdy do sprawy dołączono pisemne zawiadomienie organów ścigania."
    )
    state = services.InvalidCaseState(state="Closed")
    assert state.message_in("en") == "This cannot be done while the case is in state “Closed”."


def test_an_out_of_window_claim_is_registered_flagged_and_owes_no_refund(db, eur_rates, analyst):
    theft = make_theft(cancelled=False)  # no loss report: the claim itself is the report
    # 13 months from the debit on 26 May 2025 end with Friday 26 June 2026; received on Monday 29 June.
    case = submitted_case(theft, analyst, received_at=warsaw(2026, 6, 29, 10, 0))
    services.case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2026, 6, 29, 11, 0))
    before = snapshot(case)

    with pytest.raises(services.RefundNotOwed):
        services.case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2026, 6, 29, 12, 0))

    assert snapshot(case) == before
    case.refresh_from_db()
    assert (case.state, case.out_of_window, case.refund_owed, case.window_end_on) == (
        "UNDER_REVIEW",
        True,
        False,
        date(2026, 6, 26),
    )
    assert set(case.disputed.values_list("out_of_window", flat=True)) == {True}
    estimate = case.assessments.get(kind="ESTIMATE")
    assert [line["rule"] for line in estimate.result["lines"]] == ["UUP-44-2-LATE", "UUP-44-2-LATE"]
    assert estimate.customer_total == case.disputed_amount
