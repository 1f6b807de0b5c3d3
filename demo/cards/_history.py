"""A new demo card's history: the events that explain how it got where it is."""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TypedDict

from cards.models import (
    Card,
    CardEvent,
    CardEventKind,
    CardStatus,
    WalletToken,
    WalletTokenStatus,
)
from demo.cards._spec import DemoCard, at_warsaw
from kartosfera.legaltime import WARSAW
from kartosfera.vocabulary import Channel


class CardEventRow(TypedDict, total=False):
    """The fields of one ``CardEvent`` of the history."""

    kind: str
    channel: str
    from_status: str
    to_status: str
    occurred_at: datetime
    reason: str
    data: Mapping[str, object]


def write_history(card: Card, spec: DemoCard, tokens: list[WalletToken], *, today: date) -> None:
    """The events that explain how the card got where it is, in the order they happened."""
    events: list[CardEventRow] = [
        {
            "kind": CardEventKind.ISSUED,
            "channel": Channel.BRANCH if spec.status == CardStatus.INACTIVE else Channel.SYSTEM,
            "to_status": CardStatus.INACTIVE,
            "occurred_at": card.created_at,
            "data": {"product": card.product.code, "expires_on": card.expires_on},
        }
    ]
    if spec.status != CardStatus.INACTIVE:
        events.append(
            {
                "kind": CardEventKind.ACTIVATED,
                "channel": Channel.PORTAL,
                "from_status": CardStatus.INACTIVE,
                "to_status": CardStatus.ACTIVE,
                "occurred_at": card.created_at + timedelta(days=3, hours=8, minutes=12),
            }
        )
    if spec.controls:
        events.append(
            {
                "kind": CardEventKind.CONTROLS_CHANGED,
                "channel": Channel.BRANCH,
                "occurred_at": card.created_at + timedelta(days=20, hours=1),
                "data": {name: {"from": True, "to": value} for name, value in spec.controls.items()},
            }
        )
    for token, spec_token in zip(tokens, spec.tokens, strict=True):
        if token.status == WalletTokenStatus.PENDING:
            continue  # not added until the customer confirms it
        events.append(
            {
                "kind": CardEventKind.WALLET_TOKEN_ADDED,
                "channel": Channel.SYSTEM,
                "occurred_at": token.created_at,
                "data": _token_data(token),
            }
        )
        if token.status == WalletTokenStatus.SUSPENDED:
            events.append(
                {
                    "kind": CardEventKind.WALLET_TOKEN_SUSPENDED,
                    "channel": Channel.PORTAL,
                    "occurred_at": spec_token.suspended_at(today),
                    "reason": "Zegarek w serwisie.",
                    "data": _token_data(token),
                }
            )
    if spec.status in (CardStatus.BLOCKED, CardStatus.CANCELLED):
        days_ago, at, channel, reason = spec.status_changed(today)
        changed_at = at_warsaw(today, days_ago, at)  # a cancelled card's report time, to the second
        change: CardEventRow = {
            "kind": CardEventKind(spec.status),  # BLOCKED or CANCELLED, as the card's status
            "channel": channel,
            "from_status": CardStatus.ACTIVE,
            "to_status": spec.status,
            "occurred_at": changed_at,
            "reason": reason,
        }
        if spec.status == CardStatus.CANCELLED:
            change["data"] = {"cancellation_reason": spec.cancellation_reason}
        events.append(change)
    if spec.status == CardStatus.CANCELLED:
        # Cancellation cascades to every wallet token of the card (RULES.md section 6).
        for token in tokens:
            events.append(
                {
                    "kind": CardEventKind.WALLET_TOKEN_REMOVED,
                    "channel": Channel.SYSTEM,
                    "occurred_at": changed_at,
                    "reason": "Card cancelled.",
                    "data": _token_data(token),
                }
            )
    if spec.status == CardStatus.EXPIRED:
        events.append(
            {
                "kind": CardEventKind.EXPIRED,
                "channel": Channel.SYSTEM,
                "from_status": CardStatus.ACTIVE,
                "to_status": CardStatus.EXPIRED,
                "occurred_at": datetime.combine(
                    card.expires_on + timedelta(days=1), time(0, 15), tzinfo=WARSAW
                ),
            }
        )
    for event in sorted(events, key=lambda item: item["occurred_at"]):
        CardEvent.objects.create(card=card, **event)


def _token_data(token: WalletToken) -> dict[str, str]:
    return {"wallet": token.wallet, "device_name": token.device_name, "token_last4": token.token_last4}
