"""Demo: claims received in the last full month and the month before, so the auditors' report for
its default period (the last full month) shows every section: refunds in time and late, replies in
time, a decided liability split, volumes by cause (a lost card among them), channel (the 828 line
among them) and brand, and open cases by age.

Made through the dispute services (the plans and steps of demo.disputes), so deadlines, ledger, history and
audit trail are real. Idempotent: a plan whose case exists (same card and account) is skipped.
"""

from datetime import date, datetime, timedelta

from demo import SITE
from demo.disputes import (
    Plan,
    Step,
    assess,
    decide,
    demo_card,
    demo_ctx,
    plan_case,
    received,
    refund,
    review,
)
from kartosfera.legaltime import warsaw_date
from liability.engine import Findings
from liability.rules import CAP_EUR
from reports.rules import default_period

DECIDED = (
    f"Brak ustaleń obciążających klienta; do równowartości {CAP_EUR} euro transakcje obciążają posiadacza "
    "karty."
)
GROUNDS = (
    "Karta została utracona lub jej dane przywłaszczone przed zgłoszeniem. Za transakcje wykonane przed "
    f"zgłoszeniem posiadacz karty odpowiada do równowartości {CAP_EUR} euro; pozostałą kwotę ponosi Bank."
)


def _days_ago(today: date, day: date) -> int:
    return (today - day).days


def _plans(today: date) -> list[Plan]:
    last_month = default_period(today)
    month_before = default_period(last_month.first)

    def on(month_first: date, day: int) -> int:
        return _days_ago(today, month_first + timedelta(days=day - 1))

    def claim(
        card_key: str,
        account: str,
        channel: str,
        cause: str,
        days: int,
        hour: int,
        *steps: Step,
        count: int = 1,
        paid: str = "",
    ) -> Plan:
        """A claim received ``days`` ago at ``hour``, of ``count`` transactions made before it."""
        return Plan(
            card_key,
            account,
            channel,
            cause,
            (days + 2, days + 150, count),
            received(days, hour),
            (review(days - 1), *steps),
            paid=paid,
        )

    def decided(days: int, decision: int) -> tuple[Step, ...]:
        """Refunded the day after, then assessed and decided from ``decision`` days on; the print room
        posts its reply the next day (``demo.disputes.seed_print_room``)."""
        return (
            refund(days - 1),
            assess(days - decision, Findings(), DECIDED),
            decide(days - decision - 1, DECIDED, GROUNDS),
        )

    a, b, c, d, e, f, lost = (
        on(month_before.first, 6),
        on(month_before.first, 12),
        on(last_month.first, 3),
        on(last_month.first, 9),
        on(last_month.first, 16),
        on(last_month.first, 22),
        on(last_month.first, 4),  # the day Piotr's card was lost (demo.cards.lost_in_the_report_month)
    )
    return [
        # Reported on the 828 line with the card's cancellation that evening, and answered in time: the
        # report's LOST and LINE_828 rows are not empty.
        claim(
            "piotr-mastercard",
            "Zgubiłem kartę; zastrzegłem ją na infolinii 828 828 828 i nie rozpoznaję tej płatności.",
            "LINE_828",
            "LOST",
            lost,
            20,
            *decided(lost, 20),
        ),
        claim(
            "katarzyna-mastercard",
            # Her card is only blocked (she cannot find it now): then it was with her, its data copied.
            "Wypłata gotówki i zakupy w sklepie, których nie zrobiłam; karta była cały czas przy mnie.",
            "BRANCH",
            "MISAPPROPRIATED",
            a,
            10,
            *decided(a, 24),
            count=2,
        ),
        claim(
            "jan-visa",
            "Nie wypłacałem tej gotówki z bankomatu; karta była przy mnie, ktoś musiał skopiować jej dane "
            "i PIN.",
            "PORTAL",
            "MISAPPROPRIATED",
            b,
            14,
            *decided(b, 20),
            paid="ATM",
        ),
        claim(
            "olena-mastercard",
            # Her card was never cancelled: its details and PIN were copied, the card stayed with her.
            "I did not take this cash out of an ATM: my card was with me. Its details and PIN must have "
            "been copied at a cash machine.",
            "PHONE",
            "MISAPPROPRIATED",
            c,
            9,
            refund(c - 1),
            paid="ATM",
        ),
        # Refunded the second business day after the report: the D+1 deadline was missed.
        claim(
            "marek-business",
            "Płatność kartą firmową w aplikacji, której nie rozpoznajemy.",
            "PHONE",
            "MISAPPROPRIATED",
            d,
            11,
            refund(d - 3),
        ),
        claim(
            "zofia-mastercard",
            "I do not recognise this contactless payment in a shop; my card was in my bag with me all day.",
            "PHONE",
            "OTHER",
            e,
            15,
            refund(e - 1),
            paid="CONTACTLESS",
        ),
        Plan(
            "piotr-gold",
            "Nie rozpoznaję tej płatności kartą.",
            "PORTAL",
            "OTHER",
            (f + 2, f + 150, 1),
            received(f, 8),
            (review(f),),
        ),
    ]


def seed(*, now: datetime) -> list[str]:
    """Create the report's demo claims (skipping those already there); say where the report is."""
    ctx = demo_ctx(now=now)
    made = 0
    for plan in _plans(warsaw_date(now)):
        case, made_now = plan_case(plan, demo_card(plan.card_key), ctx)
        made += made_now and case is not None
    period = default_period(warsaw_date(now))
    return [
        f"Auditors' report (auditor sign-in): {SITE}/reports/ "
        f"(default period {period.first}..{period.last}; {made} report demo claims added now)"
    ]


def seed_audit_verification(*, now: datetime) -> list[str]:
    """A verification of the audit log started by the demo auditor (once), and where to find search."""
    from customers.models import User
    from reports.models import AuditVerification
    from reports.verification import audit_verification_request

    auditor = User.objects.filter(username="auditor").first()
    if auditor is not None and not AuditVerification.objects.exists():
        audit_verification_request(actor=auditor, anchors={}, now=now)
    return [
        f"Audit log verification (auditor): {SITE}/reports/audit/",
        "Back-office search (any staff): the box in the header, e.g. 'wisniewska', 'KOWALSKA', "
        "'+48 512 345 678', a card's last four digits, an amount such as '216,08', or a merchant; "
        "a phone claim starts from 'Register a claim' with the customer's PESEL, name or phone",
    ]
