"""The drill-down of the report: the cases behind one figure, and a case's recorded computations."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from audit.selectors import RecordedComputation, case_replay
from cards.models import Scheme
from disputes.models import Case, Cause, Channel
from liability.engine import LiabilityInputError, NotAnAssessment, replay_agrees
from reports.rules import Period
from reports.selectors._filters import CHARGEBACK_OUTCOMES, figure_filter
from reports.selectors._report import LEDGER_LABELS, REFUND_LABELS, REPLY_LABELS, ageing_label

CASES_PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class FigureCases:
    key: str
    label: str
    page: Page[Case]


def figure_label(key: str) -> str:
    """A readable name of the figure ``key`` for the drill-down heading."""
    kind, _dot, rest = key.partition(".")
    names: dict[str, Callable[[str], str]] = {
        "refund": lambda name: f"{_('D+1 refund')}: {REFUND_LABELS[name]}",
        "reply": lambda name: (
            f"{_('Reply')}: {REPLY_LABELS.get(name) or _('reply deadline extended (REK-7 / UUP-PS-35)')}"
        ),
        "received": lambda name: f"{_('Volumes')}: {_('claims received')}",
        "cause": lambda name: f"{_('Cause')}: {Cause(name).label}",
        "channel": lambda name: f"{_('Channel')}: {Channel(name).label}",
        "brand": lambda name: f"{_('Card brand')}: {Scheme(name).label}",
        "ledger": lambda name: f"{_('Ledger')}: {LEDGER_LABELS[name]}",
        "liability": lambda name: f"{_('Liability split')}: {_('cases decided with a liability assessment')}",
        "chargeback": lambda name: "{}: {} — {}".format(
            _("Chargebacks"), Scheme(name.split(".")[0]).label, CHARGEBACK_OUTCOMES[name.split(".")[1]][0]
        ),
        "ageing": lambda name: (
            f"{_('Open cases')}: " + (str(_("all")) if name == "all" else ageing_label(*_bucket_bounds(name)))
        ),
    }
    return names[kind](rest)


def _bucket_bounds(key: str) -> tuple[int, int | None]:
    first, _dash, last = key.partition("-")
    return int(first), int(last) if last else None


def figure_cases(
    *, period: Period, key: str, now: datetime, page_number: int | str | None = 1
) -> FigureCases:
    """The cases counted in the figure ``key`` of the report for ``period``, a page at a time.

    :raises UnknownFigure: ``key`` names no figure of the report.
    """
    cases = (
        Case.objects.filter(figure_filter(key, period, now))
        .select_related("card", "customer")
        .order_by("received_at", "pk")
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(page_number)
    return FigureCases(key=key, label=figure_label(key), page=page)


@dataclass(frozen=True, slots=True)
class ReplayRow:
    computation: RecordedComputation
    # A liability assessment recomputed now from its recorded inputs, rates and windows with the engine
    # that made it: True if it decides the same (figures, rates, each line's rule), False if not, None
    # if it is not a liability assessment or its record cannot be read as one.
    agrees: bool | None


@dataclass(frozen=True, slots=True)
class CaseReplay:
    case: Case
    computations: list[RecordedComputation]
    rows: list[ReplayRow]


def _recomputed(computation: RecordedComputation) -> bool | None:
    if computation.engine != "liability":
        return None
    try:
        return replay_agrees(computation.result)
    except (LiabilityInputError, NotAnAssessment):
        return None


def case_replay_page(*, case_id: int) -> CaseReplay:
    """A case and every deadline and liability computation recorded for it, as recorded then, each
    liability assessment recomputed to show that the stored figures follow from the stored inputs.

    :raises Case.DoesNotExist: no such case.
    """
    case = Case.objects.select_related("card", "customer").get(pk=case_id)
    computations = case_replay(case_id=case.pk)
    rows = [ReplayRow(computation=c, agrees=_recomputed(c)) for c in computations]
    return CaseReplay(case=case, computations=computations, rows=rows)
