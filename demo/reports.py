"""Demo: claims received in the last full month and the month before, so the auditors' report for
its default period (the last full month) shows every section: refunds in time and late, replies in
time, a decided liability split, volumes by cause, channel and brand, and open cases by age.

Made through the dispute services (the plans and steps of demo.disputes), so deadlines, ledger, history and
audit trail are real. Idempotent: a plan whose case exists (same card and account) is skipped.
"""

from datetime import date, datetime, timedelta

from demo.disputes import Ctx, Plan, _assess, _card, _decide, _make, _refund, _review, _staff
from demo.letters import reply_posted
from disputes.models import Case
from kartosfera.legaltime import warsaw_date
from liability.engine import Findings
from reports.rules import default_period


def _days_ago(today: date, day: date) -> int:
    return (today - day).days


def _plans(today: date) -> list[Plan]:
    last_month = default_period(today)
    month_before = default_period(last_month.first)

    def on(month_first: date, day: int) -> int:
        return _days_ago(today, month_first + timedelta(days=day - 1))

    def received(days: int, hour: int):
        return lambda ctx, card: ctx.at(days, hour, 0)

    decided = (
        "Brak ustaleń obciążających klienta; do równowartości 50 euro transakcje obciążają posiadacza karty."
    )
    grounds = (
        "Karta została utracona lub jej dane przywłaszczone przed zgłoszeniem. Za transakcje wykonane przed "
        "zgłoszeniem posiadacz karty odpowiada do równowartości 50 euro; pozostałą kwotę ponosi Bank."
    )
    a, b, c, d, e, f = (
        on(month_before.first, 6),
        on(month_before.first, 12),
        on(last_month.first, 3),
        on(last_month.first, 9),
        on(last_month.first, 16),
        on(last_month.first, 22),
    )
    return [
        Plan(
            "katarzyna-mastercard",
            "Karta zgubiona w pociągu do Krakowa; płatności zbliżeniowe, których nie wykonałam.",
            "BRANCH",
            "LOST",
            (a + 2, a + 150, 2),
            received(a, 10),
            (
                _review(a - 1),
                _refund(a - 1),
                _assess(a - 24, Findings(), decided),
                _decide(a - 25, decided, grounds),
                reply_posted(a - 26),
            ),
        ),
        Plan(
            "jan-visa",
            "Dane karty wykradzione w sklepie internetowym; nie zamawiałem tych biletów lotniczych.",
            "PORTAL",
            "MISAPPROPRIATED",
            (b + 2, b + 150, 1),
            received(b, 14),
            (
                _review(b - 1),
                _refund(b - 1),
                _assess(b - 20, Findings(), decided),
                _decide(b - 21, decided, grounds),
                reply_posted(b - 22),
            ),
        ),
        Plan(
            "olena-mastercard",
            "Telefon z kartą w portfelu skradziony na Dworcu Centralnym.",
            "LINE_828",
            "STOLEN",
            (c + 2, c + 150, 1),
            received(c, 9),
            (_review(c - 1), _refund(c - 1)),
        ),
        Plan(
            "marek-business",
            "Płatność kartą firmową w aplikacji, której nie rozpoznajemy.",
            "PHONE",
            "MISAPPROPRIATED",
            (d + 2, d + 150, 1),
            received(d, 11),
            # Refunded the second business day after the report: the D+1 deadline was missed.
            (_review(d - 1), _refund(d - 3)),
        ),
        Plan(
            "zofia-mastercard",
            "Karta skradziona z torebki w kawiarni na Starym Mieście.",
            "PHONE",
            "STOLEN",
            (e + 2, e + 150, 1),
            received(e, 15),
            (_review(e - 1), _refund(e - 1)),
        ),
        Plan(
            "piotr-gold",
            "Nie rozpoznaję płatności w serwisie streamingowym.",
            "PORTAL",
            "OTHER",
            (f + 2, f + 150, 1),
            received(f, 8),
            (_review(f),),
        ),
    ]


def seed(*, now: datetime) -> list[str]:
    """Create the report's demo claims (skipping those already there); say where the report is."""
    analyst, supervisor = _staff()
    ctx = Ctx(now=now, analyst=analyst, supervisor=supervisor)
    made = 0
    for plan in _plans(warsaw_date(now)):
        card = _card(plan.card_key)
        if Case.objects.filter(card=card, customer_account=plan.account).exists():
            continue
        made += _make(plan, card, ctx) is not None
    period = default_period(warsaw_date(now))
    return [
        f"Auditors' report (auditor sign-in): http://127.0.0.1:8000/reports/ "
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
        "Audit log verification (auditor): http://127.0.0.1:8000/reports/audit/",
        "Back-office search (any staff): the box in the header, e.g. 'wisniewska', 'KOWALSKA', "
        "'+48 512 345 678', a card's last four digits, an amount such as '216,08', or a merchant; "
        "a phone claim starts from 'Register a claim' with the customer's PESEL, name or phone",
    ]
