"""Dispute cases, their disputed transactions, evidence, assessments, ledger, chargebacks and history."""

from deadlines.rules import Regime
from disputes.models._base import (
    CASE_CHANNELS,
    FINISHED_STATES,
    LETTER_BY_OUTCOME,
    OPEN_STATES,
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    REPLY_DELIVERY_CHOICES,
    RESUMABLE_STATES,
    ActorKind,
    CaseState,
    DeliveryChannel,
    EstimateStatus,
    EvidenceKind,
    present,
)
from disputes.models._case import Case
from disputes.models._case_guards import REPLY_NOT_IN_TIME
from disputes.models._case_links import CaseNumberSequence, CaseTransaction
from disputes.models._case_workflow import refund_four_eyes_limit
from disputes.models._chargeback import (
    ACTIVE_CHARGEBACK_STATES,
    DISPUTED_CHARGEBACK_STATES,
    FINISHED_CHARGEBACK_STATES,
    REASON_CODES,
    Chargeback,
    ChargebackDocument,
    ChargebackState,
)
from disputes.models._proposals import DecisionProposal, ProposalKind, ProposalStatus
from disputes.models._records import (
    CaseEvent,
    CaseLetterRequest,
    CaseTransition,
    Evidence,
    LedgerEntry,
    LiabilityAssessment,
)
from disputes.rules import LedgerKind, Outcome
from kartosfera.vocabulary import Channel
from liability.rules import Cause

__all__ = [
    "ACTIVE_CHARGEBACK_STATES",
    "CASE_CHANNELS",
    "DISPUTED_CHARGEBACK_STATES",
    "FINISHED_CHARGEBACK_STATES",
    "FINISHED_STATES",
    "LETTER_BY_OUTCOME",
    "OPEN_STATES",
    "REASON_CODES",
    "REFUND_PENDING_STATES",
    "REPLY_CLOCK_STATES",
    "REPLY_DELIVERY_CHOICES",
    "REPLY_NOT_IN_TIME",
    "RESUMABLE_STATES",
    "ActorKind",
    "Case",
    "CaseEvent",
    "CaseLetterRequest",
    "CaseNumberSequence",
    "CaseState",
    "CaseTransaction",
    "CaseTransition",
    "Cause",
    "Channel",
    "Chargeback",
    "ChargebackDocument",
    "ChargebackState",
    "DecisionProposal",
    "DeliveryChannel",
    "EstimateStatus",
    "Evidence",
    "EvidenceKind",
    "LedgerEntry",
    "LedgerKind",
    "LiabilityAssessment",
    "Outcome",
    "ProposalKind",
    "ProposalStatus",
    "Regime",
    "present",
    "refund_four_eyes_limit",
]
