"""docs/WORKFLOW.md, generated from the django-fsm transitions of the case and chargeback models.

``manage.py workflow_diagram --write`` writes it; a test fails when the committed file differs from
what this module generates, so the document cannot drift from the code.
"""

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Field, Model
from django_fsm import RETURN_VALUE, Transition

from chargebacks.models import Chargeback, ChargebackState
from disputes.models import (
    FINISHED_STATES,
    LETTER_BY_OUTCOME,
    OPEN_STATES,
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    Case,
)
from disputes.rules import DECISION_LETTERS, LetterType
from disputes.workflow_text import INTRO, MONEY, SWEEPS
from kartosfera import fsm

# The service that runs each transition (disputes.services); checked against the package by a test.
SERVICES = {
    "submit": "claim_submit",
    "start_review": "case_start_review",
    "refund_provisionally": "case_refund_provisionally",
    "withhold_refund": "case_withhold_refund",
    "request_information": "case_request_information",
    "customer_responded": "case_customer_responded",
    "extend_reply": "case_extend_reply",
    "decide": "case_decide",
    "dispatch_reply": "case_dispatch_reply",
    "recover_customer_share": "case_recover_customer_share",
    "deem_accepted": "case_deem_accepted",
    "withdraw": "case_withdraw",
    "close": "case_close",
    "file": "chargeback_file",
    "record_representment": "chargeback_record_representment",
    "escalate_to_pre_arbitration": "chargeback_escalate",
    "escalate_to_arbitration": "chargeback_escalate",
    "win": "chargeback_resolve",  # as the approval of chargeback_propose_result (four-eyes)
    "lose": "chargeback_resolve",
    "abandon": "chargeback_abandon",
}

SWEEP_TABLE = (
    (
        "sweep_refund_escalations",
        "D+1 refund due within `DISPUTES_REFUND_ESCALATION_HOURS`, neither made (confirmed by the core "
        "system) nor withheld",
        "flags `refund_escalated_at`, `REFUND_ESCALATED` event for the supervisors' queue, once",
    ),
    (
        "sweep_reply_reminders",
        "reply due within each of `DISPUTES_REPLY_REMINDER_DAYS` days, no reply dispatched",
        "`REPLY_REMINDER` event to the assignee (or the supervisors), once per case and threshold",
    ),
    (
        "sweep_deemed_accepted",
        "reply deadline ended, no reply dispatched",
        "`case_deem_accepted` (REK-8) and its acceptance refund",
    ),
    (
        "sweep_chargeback_alerts",
        "drafted chargeback whose 120-day window is closing (`filing_window_closing`: it ends within "
        "`DISPUTES_CHARGEBACK_ALERT_DAYS` Warsaw days and has not ended; a missed one is never alerted)",
        "sets `alerted_at`, `CHARGEBACK_ALERT` event to the assignee (or the supervisors), once; the "
        "chargeback queue, the case and “My cases” show the window closing by its due date, alerted or not",
    ),
    (
        "sweep_chargeback_missed",
        "drafted chargeback whose filing window has ended unfiled (`filing_window_missed`)",
        "sets `missed_alerted_at`, `CHARGEBACK_FILING_MISSED` event on the case and the chargeback to the "
        "assignee (or the supervisors), once; the chargeback queue and “My cases” list it as missed",
    ),
    ("sweep_waiting_estimates", "first estimate `WAITING_FOR_RATE`", "`case_complete_estimate`"),
)


def _state(value: Any) -> str:
    return str(value)


def _targets(transition: Any) -> list[str]:
    target = transition.target
    if isinstance(target, RETURN_VALUE):
        return [_state(state) for state in target.allowed_states]
    if target is None:
        return [_state(transition.source)]
    return [_state(target)]


def _transitions(model: type[Model], field: str) -> list[Transition]:
    """Every (source, transition) of the model's state field, in the order the methods are declared."""
    # The model's own methods and those it inherits (the case's transitions are a mixin), base first.
    declared = [name for klass in reversed(model.__mro__) for name in vars(klass)]
    order = {name: index for index, name in reversed(list(enumerate(declared)))}
    state_field = model._meta.get_field(field)
    choices = state_field.flatchoices if isinstance(state_field, Field) else []  # a state is a field
    state_order = {value: index for index, (value, _) in enumerate(choices)}
    found = fsm.all_transitions(model, field)
    return sorted(
        found, key=lambda t: (order.get(t.name, 999), state_order.get(t.source, 999), str(t.source))
    )


def _first_line(thing: Callable) -> str:
    doc = inspect.getdoc(thing) or thing.__name__
    return doc.splitlines()[0].strip()


def _who(transition: Any) -> str:
    permission = transition.permission
    who = f"`{permission}`" if isinstance(permission, str) else _first_line(permission)
    if transition.custom.get("system"):
        who += "; the system"
    return who


def _letter(transition: Any) -> str:
    letter = transition.custom.get("letter", "")
    if letter == LETTER_BY_OUTCOME:
        return " / ".join(letter.request_code for letter in DECISION_LETTERS.values()) + " (by outcome)"
    return LetterType(letter).request_code if letter else "—"


def _guards(transition: Any) -> str:
    guards = [
        f"`{condition.name}`: {_first_line(condition)} (else `{condition.refusal_code}`)"
        for condition in fsm.guards(transition)
    ]
    return "<br>".join(guards) or "—"


def _mermaid(
    transitions: list[Any], *, initial: Iterable[tuple[str, str]], final: Iterable[str]
) -> list[str]:
    lines = ["```mermaid", "stateDiagram-v2"]
    lines += [f"    [*] --> {state}: {label}" for state, label in initial]
    seen = set()
    for transition in transitions:
        for target in _targets(transition):
            edge = (_state(transition.source), target, transition.name)
            if edge not in seen:
                seen.add(edge)
                lines.append(f"    {edge[0]} --> {edge[1]}: {edge[2]}")
    lines += [f"    {state} --> [*]" for state in final]
    lines.append("```")
    return lines


def _table(transitions: list[Any]) -> list[str]:
    lines = [
        "| transition | service | from | to | guards (else the error code) | who may | letter |",
        "|---|---|---|---|---|---|---|",
    ]
    grouped: dict[str, list[Any]] = {}
    for transition in transitions:
        grouped.setdefault(transition.name, []).append(transition)
    for name, group in grouped.items():
        first = group[0]
        sources = ", ".join(f"`{_state(t.source)}`" for t in group)
        targets = sorted({target for t in group for target in _targets(t)})
        to = "(unchanged)" if first.target is None else ", ".join(f"`{target}`" for target in targets)
        if isinstance(first.target, RETURN_VALUE):
            to = "the state it was asked in: " + to
        lines.append(
            f"| `{name}` | `{SERVICES.get(name, '?')}` | {sources} | {to} | {_guards(first)} | {_who(first)} "
            f"| {_letter(first)} |"
        )
    return lines


def _states(choices: Iterable[tuple[str, Any]], notes: dict[str, str]) -> list[str]:
    lines = ["| state | meaning | |", "|---|---|---|"]
    for value, label in choices:
        lines.append(f"| `{value}` | {label} | {notes.get(value, '')} |")
    return lines


def workflow_markdown() -> str:
    """The whole of docs/WORKFLOW.md."""
    from django.utils import translation

    with translation.override("en"):
        case_transitions = _transitions(Case, "state")
        chargeback_transitions = _transitions(Chargeback, "state")
        notes = {}
        for state in OPEN_STATES:
            notes[str(state)] = "open (holds its transactions)"
        for state in REPLY_CLOCK_STATES:
            notes[str(state)] += "; reply clock running"
        for state in REFUND_PENDING_STATES:
            notes[str(state)] += "; D+1 refund pending"
        for state in FINISHED_STATES:
            notes[str(state)] = "final"
        parts = [
            INTRO,
            "## Case",
            "",
            *_mermaid(
                case_transitions,
                initial=[("DRAFT", "claim_create_draft")],
                final=[str(state) for state in FINISHED_STATES],
            ),
            "",
            *_states(Case.State.choices, notes),
            "",
            *_table(case_transitions),
            "",
            "## Chargeback (one per disputed transaction)",
            "",
            "Opened as `DRAFT` at submission for every settled transaction whose scheme window is still open",
            "(`CB-VISA-10.4` / `CB-MC-4837`, 120 days from processing). Filing takes the scheme's fraud",
            "reason code, the whole disputed amount or a part of it, and the case's documents to send",
            "(`ChargebackDocument`, `SENT`). The acquirer's second presentment is recorded with its",
            "documents (`ACQUIRER_DOCUMENT`, `RECEIVED`); for Mastercard it opens the `CB-MC-2P` response",
            "window (45 days from filing). The result moves money, so it is four-eyes: the analyst",
            "proposes it (`chargeback_propose_result`, a `CHARGEBACK` proposal; accepting the second",
            "presentment is a proposed `LOST`) and a supervisor who did not propose it approves. `WON`",
            "writes the `CHARGEBACK_CREDIT` ledger entry of the amount filed; `LOST` writes none: the bank",
            "keeps the loss (recorded as `bank_loss` on the transition). A draft not to be filed (the",
            "customer is liable, the window closed) is abandoned with the reason. A case closes only when",
            "none of its chargebacks is pending.",
            "",
            "The bank's clock of a chargeback runs while the bank must act: a `DRAFT`'s filing window,",
            "and `CB-MC-2P` after a Mastercard second presentment. The nearest of a case's running",
            "chargeback deadlines is kept in `Case.chargeback_due_at`/`_on` by every chargeback step.",
            "",
            *_mermaid(
                chargeback_transitions,
                initial=[("DRAFT", "claim_submit")],
                final=[str(ChargebackState.WON), str(ChargebackState.LOST), str(ChargebackState.NOT_FILED)],
            ),
            "",
            *_table(chargeback_transitions),
            "",
            MONEY,
            SWEEPS.format(
                sweeps="\n".join(
                    ["| sweep | finds | does |", "|---|---|---|"]
                    + [f"| `{name}` | {finds} | {does} |" for name, finds, does in SWEEP_TABLE]
                )
            ),
        ]
    return "\n".join(parts).rstrip("\n") + "\n"
