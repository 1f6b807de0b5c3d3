"""What a demo case is made of: its plan (the card, the customer's account, when the claim came in)
and the steps staff take on it, each a dispute service called at a given time in the past."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile

from cards.models import Card
from customers.models import User
from disputes.models import Case, DecisionProposal, EvidenceKind
from disputes.services import (
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
    proposal_approve,
)
from kartosfera.legaltime import WARSAW, warsaw_date
from liability.engine import Findings


@dataclass
class Ctx:
    now: datetime
    analyst: User
    supervisor: User

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """A Warsaw wall-clock instant ``days_ago`` days before today, never after now."""
        day = warsaw_date(self.now) - timedelta(days=days_ago)
        return min(datetime.combine(day, time(hour, minute), tzinfo=WARSAW), self.now)


# A step on a demo case: a service call; what it returns is not used.
Step = Callable[[Case, Ctx], object]


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
    # The channel (or channels) of the transactions the account tells of (a withdrawal, a contactless...).
    paid: str | tuple[str, ...] = ""
    by_email: bool = False  # the customer asked to get the bank's letters by e-mail (else by post)
    # Closed this many days ago at 16:00, once the print room posted its reply (``seed_print_room``).
    closed: int | None = None


def cancelled_at(card: Card) -> datetime:
    """When the demo card was cancelled: the loss report liability runs from."""
    if card.cancelled_at is None:
        raise ValueError(f"the demo card {card.masked} was never cancelled")
    return card.cancelled_at


def the_morning_after_the_report(ctx: Ctx, card: Card) -> datetime:
    """07:50 Warsaw time the day after the card was cancelled: the customer calls the 828 line again once
    the night's payments are on the card, the offline one made after the report among them (a claim
    cannot tell of a payment not yet made)."""
    day = cancelled_at(card).astimezone(WARSAW).date() + timedelta(days=1)
    return min(datetime.combine(day, time(7, 50), tzinfo=WARSAW), ctx.now)


def received(days_ago: int, hour: int, minute: int = 0) -> Callable[[Ctx, Card], datetime]:
    """A plan's claim received ``days_ago`` days before today at ``hour``:``minute``, Warsaw time."""
    return lambda ctx, card: ctx.at(days_ago, hour, minute)


def review(days: int) -> Step:
    return lambda case, ctx: case_start_review(case_id=case.pk, actor=ctx.analyst, now=ctx.at(days, 9, 0))


def refund(days: int) -> Step:
    return lambda case, ctx: case_refund_provisionally(
        case_id=case.pk, actor=ctx.analyst, now=ctx.at(days, 9, 30)
    )


def assess(days: int, findings: Findings, note: str) -> Step:
    return lambda case, ctx: case_assess_liability(
        case_id=case.pk, findings=findings, actor=ctx.analyst, now=ctx.at(days, 11, 0), note=note
    )


def propose(days: int, reason: str, grounds: str) -> Callable[[Case, Ctx], DecisionProposal]:
    """The analyst proposes the decision; it waits for a supervisor, who previews its letter first."""
    return lambda case, ctx: case_propose(
        case_id=case.pk,
        kind="DECISION",
        reason=reason,
        customer_grounds=grounds,
        actor=ctx.analyst,
        now=ctx.at(days, 11, 30),
    )


def decide(days: int, reason: str, grounds: str = "") -> Step:
    """The analyst proposes the decision and the supervisor approves it (four-eyes); ``reason`` is the
    internal note for the approver, ``grounds`` the factual grounds the decision letter states."""
    proposed = propose(days, reason, grounds)

    def run(case: Case, ctx: Ctx) -> None:
        proposal = proposed(case, ctx)
        proposal_approve(proposal_id=proposal.pk, actor=ctx.supervisor, now=ctx.at(days, 12, 0))

    return run


def close(days: int) -> Step:
    return lambda case, ctx: case_close(case_id=case.pk, actor=ctx.analyst, now=ctx.at(days, 16, 0))


def assign_to_analyst(days: int) -> Step:
    return lambda case, ctx: case_assign(
        case_id=case.pk, assignee=ctx.analyst, actor=ctx.supervisor, now=ctx.at(days, 8, 30)
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


@dataclass(frozen=True)
class Document:
    """A demo document the analyst adds to a case: a one-page PDF saying ``text`` (in which
    ``{number}`` is the case's number)."""

    kind: str
    text: str
    name: str
    description: str

    def added(self, days: int, hour: int, minute: int = 0) -> Step:
        """The step that adds it ``days`` ago at ``hour``:``minute``."""
        return lambda case, ctx: case_add_evidence(
            case_id=case.pk,
            kind=self.kind,
            file=ContentFile(demo_pdf(self.text.format(number=case.number)), name=self.name),
            description=self.description,
            actor=ctx.analyst,
            now=ctx.at(days, hour, minute),
        )


POLICE_REPORT = Document(
    EvidenceKind.POLICE_REPORT,
    "Komenda Rejonowa Policji Warszawa I. Potwierdzenie przyjęcia zawiadomienia o kradzieży "
    "portfela z kartą płatniczą. RSD-1234/25 (DANE DEMONSTRACYJNE)",
    "potwierdzenie-zgloszenia-policja.pdf",
    "Potwierdzenie zgłoszenia kradzieży na policji (dane demonstracyjne)",
)
LAW_ENFORCEMENT_NOTICE = Document(
    EvidenceKind.LAW_ENFORCEMENT_NOTICE,
    "Zawiadomienie o podejrzeniu popełnienia przestępstwa (art. 286 KK) skierowane do "
    "Prokuratury Rejonowej Poznań-Stare Miasto. (DANE DEMONSTRACYJNE)",
    "zawiadomienie-prokuratura.pdf",
    "Pisemne zawiadomienie organów ścigania (dane demonstracyjne)",
)
# The customer's signed statement that they did not make the payments: what a chargeback sends.
STATEMENT = Document(
    EvidenceKind.CUSTOMER_DOCUMENT,
    "Oswiadczenie posiadacza karty do reklamacji {number}: nie wykonalem ani nie "
    "autoryzowalem zakwestionowanych transakcji. (DANE DEMONSTRACYJNE)",
    "oswiadczenie-posiadacza-karty.pdf",
    "Oświadczenie posiadacza karty (dane demonstracyjne)",
)


def withhold(case: Case, ctx: Ctx) -> None:
    """The supervisor withholds the D+1 refund on the notice to the prosecutor (added first)."""
    case_withhold_refund(
        case_id=case.pk,
        grounds="Wypłatę zatwierdzono prawidłowym kodem PIN przy odczycie chipu oryginalnej karty, "
        "która według klienta nie opuszczała jego domu.",
        authority="Prokuratura Rejonowa Poznań-Stare Miasto",
        notified_on=warsaw_date(ctx.at(5, 8, 0)),
        notice_reference="KB/BZ/2026/0057",
        actor=ctx.supervisor,
        now=ctx.at(5, 10, 0),
    )


def ask(days: int, questions: str) -> Step:
    """The analyst asks the customer ``questions`` (in the customer's language) ``days`` ago at 10:00."""
    return lambda case, ctx: case_request_information(
        case_id=case.pk, questions=questions, actor=ctx.analyst, now=ctx.at(days, 10, 0)
    )


def deem(case: Case, ctx: Ctx) -> None:
    case.refresh_from_db()
    if case.reply_due_at is None:
        raise ValueError(f"demo case {case.number} has no reply deadline to deem it accepted at")
    case_deem_accepted(case_id=case.pk, actor=None, now=case.reply_due_at)


def withdraw(case: Case, ctx: Ctx) -> None:
    case_withdraw(
        case_id=case.pk,
        reason="Klientka znalazła potwierdzenie: to jej własna płatność.",
        actor=ctx.analyst,
        now=ctx.at(13, 16, 0),
    )
