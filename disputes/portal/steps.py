"""The claim wizard's steps (one question a page), and the check that a page's case is the customer's."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.urls import reverse
from django.utils.translation import gettext_lazy

from cards.models import CancellationReason, CardStatus
from customers.forms import PortalForm
from customers.owned import owned_page
from disputes.models import Case, Cause
from disputes.portal import forms
from disputes.selectors import case_get_for_customer
from disputes.services import (
    Circumstances,
)
from kartosfera.legaltime import WARSAW

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # the stubs' name for a str or a lazy translation

# The cause a claim starts with when the card was cancelled; the customer confirms it on the next page.
CAUSE_FROM_CANCELLATION: dict[str, Cause] = {
    CancellationReason.LOST: Cause.LOST,
    CancellationReason.STOLEN: Cause.STOLEN,
    CancellationReason.COMPROMISED: Cause.MISAPPROPRIATED,
}
SESSION_DRAFTS = "claim_drafts"
LOST_OR_STOLEN = (Cause.LOST, Cause.STOLEN)


case_page = owned_page(
    find=case_get_for_customer, id_name="case_id", missing=Case.DoesNotExist, not_found="no such case"
)
"""A signed-in customer's own case, as ``case`` (404 for anyone else's)."""


def _circumstances(case: Case, **changes: Any) -> Circumstances:
    """The draft's account with ``changes`` (the service takes the account whole)."""
    current = Circumstances(
        loss_noticed_at=case.loss_noticed_at,
        card_whereabouts=case.card_whereabouts,
        access_to_card_and_phone=case.access_to_card_and_phone,
        card_in_mobile_wallet=case.card_in_mobile_wallet,
        police_notified=case.police_notified,
        police_reference=case.police_reference,
        account=case.customer_account,
    )
    return dataclasses.replace(current, **changes)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return forms.UNKNOWN
    return forms.YES if value else forms.NO


class DraftChanges(TypedDict, total=False):
    """What one page of the wizard changes in the draft: keyword arguments of ``claim_update_draft``."""

    transaction_ids: list[int]
    cause: str
    circumstances: Circumstances
    reply_delivery: str


@dataclass(frozen=True)
class Step:
    """One page of the claim: its form, the saved answer as initial data, and the draft update it makes."""

    name: str
    title: "StrOrPromise"
    form_class: type[PortalForm] | None = None
    initial: Callable[[Case], dict[str, object]] = lambda case: {}
    update: Callable[[PortalForm, Case], DraftChanges] = lambda form, case: {}


STEPS = [
    Step(
        "transactions",
        gettext_lazy("Transactions"),
        forms.TransactionsForm,
        lambda case: {"transactions": [link.transaction_id for link in case.disputed.all()]},
        lambda form, case: {"transaction_ids": [t.pk for t in form.cleaned_data["transactions"]]},
    ),
    Step(
        "cause",
        gettext_lazy("What happened"),
        forms.CauseForm,
        lambda case: {"cause": case.cause},
        lambda form, case: {"cause": form.cleaned_data["cause"]},
    ),
    Step(
        "noticed",
        gettext_lazy("When you noticed"),
        forms.NoticedForm,
        lambda case: (
            {
                "noticed_on": case.loss_noticed_at.astimezone(WARSAW).date(),
                "noticed_time": case.loss_noticed_at.astimezone(WARSAW).time(),
            }
            if case.loss_noticed_at
            else {}
        ),
        lambda form, case: {
            "circumstances": _circumstances(case, loss_noticed_at=form.cleaned_data["noticed_at"])
        },
    ),
    Step(
        "whereabouts",
        gettext_lazy("Where the card was"),
        forms.WhereaboutsForm,
        lambda case: {"card_whereabouts": case.card_whereabouts},
        lambda form, case: {
            "circumstances": _circumstances(case, card_whereabouts=form.cleaned_data["card_whereabouts"])
        },
    ),
    Step(
        "access",
        gettext_lazy("Who had access"),
        forms.AccessForm,
        lambda case: {"access_to_card_and_phone": case.access_to_card_and_phone},
        lambda form, case: {
            "circumstances": _circumstances(
                case, access_to_card_and_phone=form.cleaned_data["access_to_card_and_phone"]
            )
        },
    ),
    Step(
        "wallet",
        gettext_lazy("Mobile wallet"),
        forms.WalletForm,
        # None is both "I do not know" and "not answered yet": only a yes or a no is shown as chosen.
        lambda case: (
            {"card_in_mobile_wallet": _yes_no(case.card_in_mobile_wallet)}
            if case.card_in_mobile_wallet is not None
            else {}
        ),
        lambda form, case: {
            "circumstances": _circumstances(
                case, card_in_mobile_wallet=form.cleaned_data["card_in_mobile_wallet"]
            )
        },
    ),
    Step(
        "police",
        gettext_lazy("Police"),
        forms.PoliceForm,
        lambda case: (
            {"police_notified": _yes_no(case.police_notified), "police_reference": case.police_reference}
            if case.police_notified or case.police_reference
            else {}
        ),
        lambda form, case: {
            "circumstances": _circumstances(
                case,
                police_notified=form.cleaned_data["police_notified"] == forms.YES,
                police_reference=form.cleaned_data["police_reference"],
            )
        },
    ),
    Step(
        "account",
        gettext_lazy("In your words"),
        forms.AccountForm,
        lambda case: {"account": case.customer_account},
        lambda form, case: {"circumstances": _circumstances(case, account=form.cleaned_data["account"])},
    ),
    Step(
        "delivery",
        gettext_lazy("How we write to you"),
        forms.ReplyDeliveryForm,
        lambda case: {"reply_delivery": case.reply_delivery},
        lambda form, case: {"reply_delivery": form.cleaned_data["reply_delivery"]},
    ),
    Step("evidence", gettext_lazy("Documents"), forms.EvidenceForm),
    Step("review", gettext_lazy("Check and send")),
]
STEP_NAMES = [step.name for step in STEPS]


def step_url(case: Case, name: str) -> str:
    """The address of the claim wizard's step ``name`` for ``case``."""
    return reverse("claims:step", kwargs={"case_id": case.pk, "step": name})


def card_still_usable(case: Case) -> bool:
    """Whether the claim says the card was lost or stolen while it still works: the claim's pages
    (each wizard step, the sent page and the status page) then offer to block or cancel it."""
    return case.cause in LOST_OR_STOLEN and case.card.status == CardStatus.ACTIVE


def step_navigation(case: Case, step: Step) -> dict[str, object]:
    """The template context every wizard step shares: the case, the step and its place."""
    index = STEP_NAMES.index(step.name)
    return {
        "case": case,
        "offer_block": card_still_usable(case),
        "step": step,
        "number": index + 1,
        "total": len(STEPS),
        "previous_url": step_url(case, STEP_NAMES[index - 1]) if index else None,
    }
