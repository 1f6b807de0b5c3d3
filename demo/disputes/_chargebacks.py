"""The demo's chargebacks: cases whose chargebacks stand at every stage of the scheme cycle, and filing
windows as they run out. All demo code that knows chargebacks is here."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile

from cards.models import TransactionChannel
from demo.disputes._steps import (
    STATEMENT,
    Ctx,
    Plan,
    Step,
    assess,
    assign_to_analyst,
    decide,
    demo_pdf,
    received,
    refund,
    review,
)
from disputes.models import Case
from disputes.services import (
    chargeback_abandon,
    chargeback_escalate,
    chargeback_file,
    chargeback_propose_result,
    chargeback_record_representment,
    chargebacks_alert_filing_due,
    proposal_approve,
)
from liability.engine import Findings


def _acquirer_letter(text: str) -> ContentFile:
    return ContentFile(
        demo_pdf(f"Second presentment. {text} (DANE DEMONSTRACYJNE)"), name="second-presentment.pdf"
    )


def chargebacks(*programs: tuple[tuple[str, int], ...]) -> Step:
    """Work the case's chargebacks (in the order opened), each through its ``(step, days ago)`` program."""

    def run(case: Case, ctx: Ctx) -> None:
        chargebacks = list(case.chargebacks.order_by("pk"))
        documents = list(case.evidence.values_list("pk", flat=True))
        for number, (chargeback, program) in enumerate(zip(chargebacks, programs, strict=False), start=1):
            for step, days in program:
                at = ctx.at(days, 10, number)
                if step == "file":
                    chargeback_file(
                        chargeback_id=chargeback.pk,
                        acquirer_reference=f"7{case.pk:05d}{number:02d}{chargeback.transaction_id:07d}",
                        evidence_ids=documents,
                        actor=ctx.analyst,
                        now=at,
                    )
                elif step == "represent":
                    chargeback_record_representment(
                        chargeback_id=chargeback.pk,
                        documents=[
                            _acquirer_letter("Merchant states the payment was 3-D Secure authenticated.")
                        ],
                        note="Akceptant twierdzi, że płatność uwierzytelniono 3-D Secure.",
                        actor=ctx.analyst,
                        now=at,
                    )
                elif step == "escalate":
                    chargeback_escalate(
                        chargeback_id=chargeback.pk,
                        reason="Logi 3-D Secure nie potwierdzają uwierzytelnienia na urządzeniu klienta.",
                        evidence_ids=documents,
                        actor=ctx.analyst,
                        now=at,
                    )
                elif step in ("won", "lost", "won, waiting"):
                    proposal = chargeback_propose_result(
                        chargeback_id=chargeback.pk,
                        won=step != "lost",
                        reason="Bank przyjmuje drugą prezentację: transakcja z chipem i PIN-em."
                        if step == "lost"
                        else "Akceptant uznał obciążenie zwrotne.",
                        actor=ctx.analyst,
                        now=at,
                    )
                    if step != "won, waiting":  # one waits on the approvals page, with its amount
                        proposal_approve(
                            proposal_id=proposal.pk, actor=ctx.supervisor, now=at + timedelta(hours=1)
                        )
                elif step == "abandon":
                    chargeback_abandon(
                        chargeback_id=chargeback.pk,
                        reason="Klient odpowiada za transakcję: płatność zbliżeniowa poniżej limitu bez PIN.",
                        actor=ctx.analyst,
                        now=at,
                    )

    return run


SETTLED_DECISION = (
    assess(20, Findings(undetectable=True), "Klient nie mógł wykryć utraty danych karty przed płatnością."),
    decide(19, "Bank uznaje reklamację: transakcje nie zostały autoryzowane przez klienta."),
)


def settled_with_statement(days: int) -> tuple[Step, ...]:
    """Reviewed and refunded ``days`` ago, the customer's signed statement added the next day, then
    decided for the customer (``SETTLED_DECISION``): where the chargebacks start from."""
    return (review(days), refund(days), STATEMENT.added(days - 1, 8, 50), *SETTLED_DECISION)


# Payments made with the card: every channel but a cash withdrawal.
CARD_PAYMENTS = tuple(channel for channel in TransactionChannel.values if channel != TransactionChannel.ATM)

# Chargebacks at every stage of the scheme cycle, and the filing windows as they run out.
# fmt: off
CHARGEBACK_PLANS = (
    Plan("katarzyna-mastercard",
         "Przeglądając historię karty, zauważyłam płatność internetową sprzed czterech miesięcy.",
         "PHONE", "MISAPPROPRIATED", (122, 124, 1), received(5, 8, 5), (review(5), refund(5))),
    Plan("katarzyna-mastercard",
         "Dwie kolejne płatności internetowe, których nie wykonałam; karta była w domu.",
         "PHONE", "MISAPPROPRIATED", (109, 122, 2), received(3, 8, 10),
         (review(3), refund(3), assign_to_analyst(3), STATEMENT.added(2, 8, 50))),
    Plan("zofia-mastercard", "Three payments in online shops that I did not make.",
         "PHONE", "MISAPPROPRIATED", (30, 100, 3), received(28, 10), paid="INTERNET", steps=(
             *settled_with_statement(27),
             chargebacks(
                 (("file", 18), ("represent", 10)),
                 (("file", 18), ("represent", 14), ("escalate", 8), ("escalate", 5)),
                 (("file", 18), ("won", 3)),
             ),
         )),
    # Card payments only, as his account tells: a cash withdrawal is no "płatność kartą".
    Plan("jan-visa", "Płatności kartą, których nie wykonałem; kartę miałem przy sobie.",
         "PHONE", "MISAPPROPRIATED", (30, 100, 3), received(26, 10), paid=CARD_PAYMENTS, steps=(
             *settled_with_statement(25),
             chargebacks(
                 (("file", 15), ("won, waiting", 1)),
                 (("file", 15), ("represent", 9), ("escalate", 4)),
                 (("file", 15), ("represent", 7), ("lost", 2)),
             ),
         )),
    Plan("piotr-gold", "Płatność, której nie rozpoznaję, w sklepie stacjonarnym.",
         "BRANCH", "OTHER", (25, 100, 1), received(22, 12),
         (review(21), refund(21), chargebacks((("abandon", 20),))), paid="CHIP_POS"),
)
# fmt: on


def chargeback_alerts_raise(*, now: datetime) -> str:
    """What the beat's sweep would have flagged by now: the filing windows that end within the alert
    days; the line that says so."""
    alerted = chargebacks_alert_filing_due(
        now=now, within=timedelta(days=settings.DISPUTES_CHARGEBACK_ALERT_DAYS), batch_size=1000
    )
    return f"  chargeback filing alerts raised: {alerted} (queue: /back-office/queue/chargebacks/)"
