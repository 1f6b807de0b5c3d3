"""Demo dispute cases, one in every state, made through the services so history and ledger are real.

The centre piece is Anna Kowalska's stolen Mastercard, cancelled on the 828 line nine days ago: the
claim taken there the next morning (once the night's offline ticket was on the card), refunded that
morning, with its first liability estimate (the 50 EUR cap on the PIN withdrawal at a SYNTHETIC demo
rate). The other demo customers each have a case at another stage. Two staff sign-ins are created: an
analyst and a supervisor.

The plans are ``_plans`` (and ``_chargebacks``, every case with chargebacks), the steps ``_steps``;
here they are made into cases.

Idempotent: a case is identified by its card and the customer's account of it; a plan whose case
exists is skipped, and so is one whose transactions cannot be found (a demo seeded long ago).
"""

from datetime import datetime, timedelta

from cards.models import Card, Transaction, TransactionStatus
from customers.models import User
from demo.cards import DEMO_CARDS
from demo.customers import ADMIN_DEMO_PASSWORD, demo_customer
from demo.disputes._chargebacks import CHARGEBACK_PLANS, chargeback_alerts_raise
from demo.disputes._letters import letters_issue, print_room_history
from demo.disputes._plans import PLANS, PROPOSAL_PLANS
from demo.disputes._steps import (
    Ctx,
    Plan,
    Step,
    assess,
    cancelled_at,
    close,
    decide,
    demo_pdf,
    received,
    refund,
    review,
)
from disputes.models import Case, CaseState, DeliveryChannel
from disputes.services import (
    Circumstances,
    claim_create_draft,
    claim_submit,
    claim_update_draft,
    staff_groups_ensure,
)

__all__ = [
    "Ctx",
    "Plan",
    "Step",
    "assess",
    "decide",
    "demo_card",
    "demo_ctx",
    "demo_pdf",
    "plan_case",
    "received",
    "refund",
    "review",
    "seed",
    "seed_print_room",
]

STAFF = (
    ("analyst", "Ewa", "Analityczna", "analysts"),
    ("supervisor", "Marek", "Nadzorczy", "supervisors"),
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


def _transactions(
    card: Card, ctx: Ctx, pick: tuple[int, int, int], paid: str | tuple[str, ...]
) -> list[Transaction]:
    newest, oldest, count = pick
    candidates = (
        Transaction.objects.filter(
            card=card,
            status=TransactionStatus.SETTLED,
            executed_at__gte=ctx.now - timedelta(days=oldest),
            executed_at__lte=ctx.now - timedelta(days=newest),
            dispute_links__isnull=True,
        )
        .filter(**({"channel__in": (paid,) if isinstance(paid, str) else paid} if paid else {}))
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
            executed_at__gte=cancelled_at(card) - timedelta(hours=3),
            executed_at__lte=cancelled_at(card) + timedelta(hours=1),
        ).order_by("executed_at")
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
    for plan in (*PLANS, *CHARGEBACK_PLANS, *PROPOSAL_PLANS):
        card = demo_card(plan.card_key)
        case, _ = plan_case(plan, card, ctx)
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
    lines.append(chargeback_alerts_raise(now=now))
    return lines


def demo_card(card_key: str) -> Card:
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
        chosen = _transactions(card, ctx, plan.pick, plan.paid)
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
    if plan.by_email:
        # Asked on the phone: the letters leave by e-mail as they are issued (``letters_issue``).
        claim_update_draft(
            case_id=case.pk, reply_delivery=DeliveryChannel.EMAIL, actor=ctx.analyst, now=received_at
        )
    if plan.submit:
        claim_submit(case_id=case.pk, actor=ctx.analyst, now=received_at)
        letters_issue(case, ctx)
        for step in plan.steps:
            step(case, ctx)
            letters_issue(case, ctx)
    return case


def seed_print_room(*, now: datetime) -> list[str]:
    """The print room's history, once every demo case's letters are issued (``print_room_history``);
    then the cases closed once their reply was posted are closed; say which."""
    ctx = demo_ctx(now=now)
    print_room_history(ctx)
    lines = []
    for plan in (*PLANS, *CHARGEBACK_PLANS, *PROPOSAL_PLANS):
        if plan.closed is None:
            continue
        case, _ = plan_case(plan, demo_card(plan.card_key), ctx)
        if case is None:
            continue
        if case.state != CaseState.CLOSED:
            close(plan.closed)(case, ctx)
            case.refresh_from_db()
        lines.append(
            f"Demo case closed once the print room posted its reply: {case.number} "
            f"{case.customer.full_name}, {case.card.masked} ({case.state})"
        )
    return lines


def plan_case(plan: Plan, card: Card, ctx: Ctx) -> tuple[Case | None, bool]:
    """The demo case of ``plan`` on ``card`` and whether it was made now: the one already there, else a
    new one (None when the demo window holds no transactions to claim)."""
    case = Case.objects.filter(card=card, customer_account=plan.account).first()
    if case is not None:
        return case, False
    return _make(plan, card, ctx), True
