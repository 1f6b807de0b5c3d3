"""Demo dispute cases, one in every state, made through the services so history and ledger are real.

The centre piece is Anna Kowalska's stolen Mastercard: the claim taken on the 828 line at the moment
she cancelled the card (nine days ago), refunded the next morning, with its first liability estimate
(the 50 EUR cap on the PIN withdrawal at a SYNTHETIC demo rate). The other demo customers each have a
case at another stage. Two staff sign-ins are created: an analyst and a supervisor.

Idempotent: a case is identified by its card and the customer's account of it; a plan whose case
exists is skipped, and so is one whose transactions cannot be found (a demo seeded long ago).
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile

from cards.models import Card, Transaction, TransactionStatus
from customers.models import User
from demo.cards import DEMO_CARDS
from demo.customers import ADMIN_DEMO_PASSWORD, demo_customer
from disputes.models import Case, EvidenceKind
from disputes.services import (
    Circumstances,
    case_add_evidence,
    case_assess_liability,
    case_assign,
    case_close,
    case_deem_accepted,
    case_propose,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
    case_withdraw,
    case_withhold_refund,
    chargeback_abandon,
    chargeback_escalate,
    chargeback_file,
    chargeback_propose_result,
    chargeback_record_representment,
    chargebacks_alert_filing_due,
    claim_create_draft,
    claim_submit,
    proposal_approve,
    staff_groups_ensure,
)
from kartosfera.legaltime import WARSAW, warsaw_date
from liability.engine import Findings

STAFF = (
    ("analyst", "Ewa", "Analityczna", "analysts"),
    ("supervisor", "Marek", "Nadzorczy", "supervisors"),
)


@dataclass
class Ctx:
    now: datetime
    analyst: User
    supervisor: User

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """A Warsaw wall-clock instant ``days_ago`` days before today, never after now."""
        day = warsaw_date(self.now) - timedelta(days=days_ago)
        return min(datetime.combine(day, time(hour, minute), tzinfo=WARSAW), self.now)


Step = Callable[[Case, Ctx], None]


@dataclass(frozen=True)
class Plan:
    card_key: str
    account: str  # the customer's account: also what identifies the demo case
    channel: str
    cause: str
    pick: tuple[int, int, int]  # transactions executed between (newest, oldest) days ago; how many
    received: Callable[[Ctx, Card], datetime]
    steps: tuple[Step, ...] = ()
    submit: bool = True
    claims_again: str = ""  # the account of a withdrawn demo case whose transactions this one claims


def _review(days: int) -> Step:
    return lambda case, ctx: case_start_review(case_id=case.pk, actor=ctx.analyst, now=ctx.at(days, 9, 0))


def _refund(days: int) -> Step:
    return lambda case, ctx: case_refund_provisionally(
        case_id=case.pk, actor=ctx.analyst, now=ctx.at(days, 9, 30)
    )


def _assess(days: int, findings: Findings, note: str) -> Step:
    return lambda case, ctx: case_assess_liability(
        case_id=case.pk, findings=findings, actor=ctx.analyst, now=ctx.at(days, 11, 0), note=note
    )


def _decide(days: int, reason: str, grounds: str = "") -> Step:
    """The analyst proposes the decision and the supervisor approves it (four-eyes); ``reason`` is the
    internal note for the approver, ``grounds`` the factual grounds the decision letter states."""

    def decide(case: Case, ctx: Ctx) -> None:
        proposal = case_propose(
            case_id=case.pk,
            kind="DECISION",
            reason=reason,
            customer_grounds=grounds,
            actor=ctx.analyst,
            now=ctx.at(days, 11, 30),
        )
        proposal_approve(proposal_id=proposal.pk, actor=ctx.supervisor, now=ctx.at(days, 12, 0))

    return decide


def _propose(days: int, reason: str, grounds: str) -> Step:
    """The analyst proposes the decision; it waits for a supervisor, who previews its letter first."""
    return lambda case, ctx: case_propose(
        case_id=case.pk,
        kind="DECISION",
        reason=reason,
        customer_grounds=grounds,
        actor=ctx.analyst,
        now=ctx.at(days, 11, 30),
    )


def demo_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (evidence must really be a PDF, JPEG or PNG, judged by its bytes).

    The standard Helvetica font has no Polish letters, so the text is written without diacritics.
    """
    plain = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(ch for ch in plain if ord(ch) < 128).replace("\\", "").replace("(", "[").replace(")", "]")
    lines = [plain[i : i + 80] for i in range(0, len(plain), 80)] or [""]
    stream = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return out


def _police_report(case: Case, ctx: Ctx) -> None:
    case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.POLICE_REPORT,
        file=ContentFile(
            demo_pdf(
                "Komenda Rejonowa Policji Warszawa I. Potwierdzenie przyjęcia zawiadomienia o kradzieży "
                "portfela z kartą płatniczą. RSD-1234/25 (DANE DEMONSTRACYJNE)"
            ),
            name="potwierdzenie-zgloszenia-policja.pdf",
        ),
        description="Potwierdzenie zgłoszenia kradzieży na policji (dane demonstracyjne)",
        actor=ctx.analyst,
        now=ctx.at(8, 8, 45),
    )


def _withhold(case: Case, ctx: Ctx) -> None:
    case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE,
        file=ContentFile(
            demo_pdf(
                "Zawiadomienie o podejrzeniu popełnienia przestępstwa (art. 286 KK) skierowane do "
                "Prokuratury Rejonowej Poznań-Stare Miasto. (DANE DEMONSTRACYJNE)"
            ),
            name="zawiadomienie-prokuratura.pdf",
        ),
        description="Pisemne zawiadomienie organów ścigania (dane demonstracyjne)",
        actor=ctx.analyst,
        now=ctx.at(5, 8, 30),
    )
    case_withhold_refund(
        case_id=case.pk,
        grounds="Transakcja potwierdzona kodem z aplikacji mobilnej klienta na jego zaufanym urządzeniu.",
        authority="Prokuratura Rejonowa Poznań-Stare Miasto",
        notified_on=warsaw_date(ctx.at(5, 8, 0)),
        notice_reference="KB/BZ/2026/0057",
        actor=ctx.supervisor,
        now=ctx.at(5, 10, 0),
    )


def _ask(case: Case, ctx: Ctx) -> None:
    case_request_information(
        case_id=case.pk,
        questions="Czy ktoś z domowników mógł mieć dostęp do telefonu z portfelem Google Pay?",
        actor=ctx.analyst,
        now=ctx.at(3, 10, 0),
    )


def _deem(case: Case, ctx: Ctx) -> None:
    case.refresh_from_db()
    case_deem_accepted(case_id=case.pk, actor=None, now=case.reply_due_at)


def _withdraw(case: Case, ctx: Ctx) -> None:
    case_withdraw(
        case_id=case.pk,
        reason="Klientka znalazła potwierdzenie: to jej własna płatność.",
        actor=ctx.analyst,
        now=ctx.at(13, 16, 0),
    )


def _close(days: int) -> Step:
    return lambda case, ctx: case_close(case_id=case.pk, actor=ctx.analyst, now=ctx.at(days, 16, 0))


def _at_the_report(ctx: Ctx, card: Card) -> datetime:
    return card.cancelled_at


def _assign_to_analyst(days: int) -> Step:
    return lambda case, ctx: case_assign(
        case_id=case.pk, assignee=ctx.analyst, actor=ctx.supervisor, now=ctx.at(days, 8, 30)
    )


def _statement(days: int) -> Step:
    """The customer's signed statement that they did not make the payments: what a chargeback sends."""
    return lambda case, ctx: case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.CUSTOMER_DOCUMENT,
        file=ContentFile(
            demo_pdf(
                f"Oswiadczenie posiadacza karty do reklamacji {case.number}: nie wykonalem ani nie "
                "autoryzowalem zakwestionowanych transakcji. (DANE DEMONSTRACYJNE)"
            ),
            name="oswiadczenie-posiadacza-karty.pdf",
        ),
        description="Oświadczenie posiadacza karty (dane demonstracyjne)",
        actor=ctx.analyst,
        now=ctx.at(days, 8, 50),
    )


def _acquirer_letter(text: str) -> ContentFile:
    return ContentFile(
        demo_pdf(f"Second presentment. {text} (DANE DEMONSTRACYJNE)"), name="second-presentment.pdf"
    )


def _chargebacks(*programs: tuple[tuple[str, int], ...]) -> Step:
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
                elif step in ("won", "lost"):
                    proposal = chargeback_propose_result(
                        chargeback_id=chargeback.pk,
                        won=step == "won",
                        reason="Akceptant uznał obciążenie zwrotne."
                        if step == "won"
                        else "Bank przyjmuje drugą prezentację: transakcja z chipem i PIN-em.",
                        actor=ctx.analyst,
                        now=at,
                    )
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
    _assess(20, Findings(undetectable=True), "Klient nie mógł wykryć utraty danych karty przed płatnością."),
    _decide(19, "Bank uznaje reklamację: transakcje nie zostały autoryzowane przez klienta."),
)


PLANS = (
    Plan(
        "anna-mastercard",
        "Portfel z kartą skradziony w tramwaju; kartę zastrzegłam na infolinii 828 828 828.",
        "LINE_828",
        "STOLEN",
        (8, 10, 10),
        _at_the_report,
        (_review(8), _refund(8), _police_report),
    ),
    Plan(
        "zofia-mastercard",
        "I do not recognise this online payment.",
        "PHONE",
        "MISAPPROPRIATED",
        (2, 40, 1),
        lambda ctx, card: ctx.at(0, 8, 0),
        submit=False,
    ),
    Plan(
        "katarzyna-mastercard",
        "Nie mogę znaleźć karty; nie rozpoznaję tej płatności.",
        "BRANCH",
        "LOST",
        (3, 40, 1),
        lambda ctx, card: ctx.now - timedelta(hours=2),
    ),
    Plan(
        "jan-visa",
        "Nie robiłem tych zakupów; karta była w domu.",
        "PHONE",
        "OTHER",
        (3, 25, 1),
        lambda ctx, card: ctx.at(1, 14, 0),
        (_review(0),),
    ),
    Plan(
        "tomasz-visa-expired",
        "Nie rozpoznaję tej transakcji sprzed wygaśnięcia karty.",
        "BRANCH",
        "MISAPPROPRIATED",
        (60, 120, 1),
        lambda ctx, card: ctx.at(6, 11, 0),
        (_review(5), _withhold),
    ),
    Plan(
        "olena-mastercard",
        "I did not make this payment; my phone was with me all day.",
        "PHONE",
        "MISAPPROPRIATED",
        (14, 40, 1),
        lambda ctx, card: ctx.at(12, 13, 0),
        (_review(11), _refund(11), _ask),
    ),
    Plan(
        "piotr-gold",
        "Płatność internetowa, której nie wykonałem.",
        "PHONE",
        "MISAPPROPRIATED",
        (21, 60, 1),
        lambda ctx, card: ctx.at(20, 10, 0),
        (
            _review(19),
            _refund(19),
            _assess(3, Findings(), "Brak ustaleń obciążających klienta."),
            _decide(
                2,
                "Przywłaszczenie przed zgłoszeniem, brak rażącego niedbalstwa: limit 50 EUR (UUP-46-2-CAP).",
                "Dane karty zostały przywłaszczone i użyte, zanim zgłosił Pan nieautoryzowaną płatność. Za "
                "transakcje wykonane przed zgłoszeniem posiadacz karty odpowiada do równowartości 50 euro "
                "według średniego kursu NBP z dnia transakcji; ponad tę kwotę odpowiada Bank.",
            ),
        ),
    ),
    Plan(
        "marek-business",
        "Obciążenie karty firmowej, którego nie rozpoznajemy.",
        "STAFF",
        "MISAPPROPRIATED",
        (46, 90, 1),
        lambda ctx, card: ctx.at(45, 10, 0),
        (_review(44), _refund(44), _deem),
    ),
    Plan(
        "anna-visa",
        "Nie rozpoznaję tej płatności w sklepie.",
        "PHONE",
        "OTHER",
        (16, 40, 1),
        lambda ctx, card: ctx.at(15, 10, 0),
        (_review(14), _refund(14), _withdraw),
    ),
    Plan(
        "anna-visa",
        "Potwierdzenie dotyczyło innej płatności; tej w sklepie nie wykonałam.",
        "PHONE",
        "OTHER",
        (16, 40, 1),
        lambda ctx, card: ctx.at(11, 10, 0),
        (_review(10), _refund(10)),
        claims_again="Nie rozpoznaję tej płatności w sklepie.",
    ),
    Plan(
        "piotr-gold",
        "Płatności z wyjazdu do Lizbony, których nie pamiętam.",
        "PHONE",
        "OTHER",
        (400, 420, 3),
        lambda ctx, card: ctx.at(5, 10, 0),
        (
            _review(4),
            _assess(4, Findings(), "Zgłoszenie po upływie 13 miesięcy od obciążenia (UUP-44-2)."),
            _decide(
                3,
                "Zgłoszenie po terminie UUP-44-2; brak podstaw do uznania.",
                "Transakcje zgłosił Pan po upływie 13 miesięcy od obciążenia rachunku, a ustawa pozwala "
                "zgłaszać nieautoryzowane transakcje tylko w tym terminie; Bank nie może ich uznać.",
            ),
        ),
    ),
)


# Made last, from what the other plans left: a decision proposed and waiting for its approver, who
# reads the letter's preview (the grounds as the customer will read them) before approving.
PROPOSAL_PLANS = (
    Plan(
        "anna-visa",
        "Płatność internetowa sprzed dwóch miesięcy, której nie wykonałam; karta była przy mnie.",
        "PHONE",
        "MISAPPROPRIATED",
        (41, 90, 1),
        lambda ctx, card: ctx.at(9, 10, 0),
        (
            _review(8),
            _refund(8),
            _assess(2, Findings(), "Dane karty przywłaszczone przed zgłoszeniem; brak rażącego niedbalstwa."),
            _propose(
                1,
                "Limit 50 EUR (UUP-46-2-CAP); klientka nie zgłosiła wcześniej utraty danych.",
                "Dane karty zostały przywłaszczone i użyte, zanim zgłosiła Pani nieautoryzowaną płatność. Za "
                "transakcje wykonane przed zgłoszeniem posiadacz karty odpowiada do równowartości 50 euro "
                "według średniego kursu NBP z dnia transakcji; ponad tę kwotę odpowiada Bank.",
            ),
        ),
    ),
)


# Chargebacks at every stage of the scheme cycle, and the filing windows as they run out.
CHARGEBACK_PLANS = (
    Plan(
        "katarzyna-mastercard",
        "Przeglądając historię karty, zauważyłam płatność internetową sprzed czterech miesięcy.",
        "PHONE",
        "MISAPPROPRIATED",
        (122, 124, 1),
        lambda ctx, card: ctx.at(5, 11, 0),
        (_review(5), _refund(5)),
    ),
    Plan(
        "katarzyna-mastercard",
        "Dwie kolejne płatności internetowe, których nie wykonałam; karta była w domu.",
        "PHONE",
        "MISAPPROPRIATED",
        (109, 122, 2),
        lambda ctx, card: ctx.at(3, 9, 15),
        (_review(3), _refund(3), _assign_to_analyst(3), _statement(2)),
    ),
    Plan(
        "zofia-mastercard",
        "Trzy płatności w sklepach internetowych, których nie robiłam.",
        "PHONE",
        "MISAPPROPRIATED",
        (30, 100, 3),
        lambda ctx, card: ctx.at(28, 10, 0),
        (
            _review(27),
            _refund(27),
            _statement(26),
            *SETTLED_DECISION,
            _chargebacks(
                (("file", 18), ("represent", 10)),
                (("file", 18), ("represent", 14), ("escalate", 8), ("escalate", 5)),
                (("file", 18), ("won", 3)),
            ),
        ),
    ),
    Plan(
        "jan-visa",
        "Płatności kartą, których nie wykonałem; kartę miałem przy sobie.",
        "PHONE",
        "MISAPPROPRIATED",
        (30, 100, 3),
        lambda ctx, card: ctx.at(26, 10, 0),
        (
            _review(25),
            _refund(25),
            _statement(24),
            *SETTLED_DECISION,
            _chargebacks(
                (("file", 15),),
                (("file", 15), ("represent", 9), ("escalate", 4)),
                (("file", 15), ("represent", 7), ("lost", 2)),
            ),
        ),
    ),
    Plan(
        "piotr-gold",
        "Płatność, której nie rozpoznaję, w sklepie stacjonarnym.",
        "BRANCH",
        "OTHER",
        (25, 100, 1),
        lambda ctx, card: ctx.at(22, 12, 0),
        (_review(21), _refund(21), _chargebacks((("abandon", 20),))),
    ),
)


def _staff() -> tuple[User, User]:
    staff_groups_ensure()
    users = []
    for username, first_name, last_name, group in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@kartosfera.example.com",
                "is_staff": True,
            },
        )
        if created:
            user.set_password(ADMIN_DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*user.groups.model.objects.filter(name=group))
        users.append(user)
    return users[0], users[1]


def _transactions(card: Card, ctx: Ctx, pick: tuple[int, int, int]) -> list[Transaction]:
    newest, oldest, count = pick
    candidates = (
        Transaction.objects.filter(
            card=card,
            status=TransactionStatus.SETTLED,
            executed_at__gte=ctx.now - timedelta(days=oldest),
            executed_at__lte=ctx.now - timedelta(days=newest),
            dispute_links__isnull=True,
        )
        .order_by("-amount_pln", "executed_at", "pk")
        .distinct()
    )
    return list(candidates[:count])


def _theft(card: Card) -> list[Transaction]:
    """The transactions of the theft evening: three hours before the report and the offline one after."""
    return list(
        Transaction.objects.filter(
            card=card,
            status=TransactionStatus.SETTLED,
            executed_at__gte=card.cancelled_at - timedelta(hours=3),
            executed_at__lte=card.cancelled_at + timedelta(hours=1),
        ).order_by("executed_at")
    )


# The decision letters the letters demo posts (a print batch marked posted ``days`` ago at 15:00) and
# the cases it then closes (``close`` days ago at 16:00): a reply's dispatch is recorded only by the
# channel that sent the letter, which is the letters app's, seeded after this one.
@dataclass(frozen=True)
class ReplyPosted:
    account: str
    days: int
    close: int | None = None


REPLIES_POSTED = (
    ReplyPosted("Trzy płatności w sklepach internetowych, których nie robiłam.", 19),
    ReplyPosted("Płatności kartą, których nie wykonałem; kartę miałem przy sobie.", 19),
    ReplyPosted("Płatności z wyjazdu do Lizbony, których nie pamiętam.", 3, close=2),
)


def demo_ctx(*, now: datetime) -> Ctx:
    """The demo's clock and staff, for the seeders that continue its cases."""
    analyst, supervisor = _staff()
    return Ctx(now=now, analyst=analyst, supervisor=supervisor)


def seed(*, now: datetime) -> list[str]:
    """Create the demo cases (skipping those already there); return what to look at."""
    ctx = demo_ctx(now=now)
    analyst, supervisor = ctx.analyst, ctx.supervisor
    lines = [
        f"Dispute staff sign-ins: {analyst.username} (analyst) and {supervisor.username} (supervisor), "
        f"password {ADMIN_DEMO_PASSWORD} (set when the demo created them); cases: /admin/disputes/case/",
        "Demo dispute cases:",
    ]
    for plan in PLANS + CHARGEBACK_PLANS + PROPOSAL_PLANS:
        card = _card(plan.card_key)
        case = Case.objects.filter(card=card, customer_account=plan.account).first()
        if case is None:
            case = _make(plan, card, ctx)
        if case is None:
            lines.append(
                f"  {card.customer.full_name}: skipped (no transactions to claim in the demo window)"
            )
            continue
        case.refresh_from_db()
        lines.append(
            f"  {case.number or 'draft'} {card.customer.full_name}, {card.masked}: {case.state}"
            f" ({case.disputed.count()} transactions, {case.disputed_amount} PLN)"
        )
    # What the beat's sweep would have flagged by now: the filing windows that end within the alert days.
    alerted = chargebacks_alert_filing_due(
        now=now, within=timedelta(days=settings.DISPUTES_CHARGEBACK_ALERT_DAYS), batch_size=1000
    )
    lines.append(f"  chargeback filing alerts raised: {alerted} (queue: /back-office/queue/chargebacks/)")
    return lines


def _card(card_key: str) -> Card:
    """The card the cards demo made for ``card_key``."""
    spec = next(spec for spec in DEMO_CARDS if spec.key == card_key)
    return Card.objects.select_related("customer").get(
        customer=demo_customer(spec.customer), product__code=spec.product, status=spec.status
    )


def _claimed_again(card: Card, account: str) -> list[Transaction]:
    """The transactions of the withdrawn demo case told by ``account``: free to be claimed again."""
    withdrawn = Case.objects.filter(card=card, customer_account=account, state="WITHDRAWN").first()
    if withdrawn is None:
        return []
    return [link.transaction for link in withdrawn.disputed.select_related("transaction").order_by("pk")]


def _make(plan: Plan, card: Card, ctx: Ctx) -> Case | None:
    if plan.claims_again:
        chosen = _claimed_again(card, plan.claims_again)
    elif plan.card_key == "anna-mastercard":
        chosen = _theft(card)
    else:
        chosen = _transactions(card, ctx, plan.pick)
    if not chosen:
        return None
    received_at = plan.received(ctx, card)
    case = claim_create_draft(
        customer=card.customer,
        card_id=card.pk,
        transaction_ids=[t.pk for t in chosen],
        channel=plan.channel,
        cause=plan.cause,
        circumstances=Circumstances(account=plan.account, police_notified=plan.cause == "STOLEN"),
        actor=ctx.analyst,
        now=received_at,
    )
    if plan.submit:
        claim_submit(case_id=case.pk, actor=ctx.analyst, now=received_at)
        for step in plan.steps:
            step(case, ctx)
    return case
