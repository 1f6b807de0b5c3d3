"""Dispute cases, their disputed transactions, evidence, assessments and history.

A case's chargebacks are the ``chargebacks`` app's models, its money the ``ledger`` app's.
"""

from deadlines.rules import Regime
from disputes.models._base import (
    CASE_CHANNELS,
    CUSTOMER_EVIDENCE_KINDS,
    FINISHED_STATES,
    LETTER_BY_OUTCOME,
    OPEN_STATES,
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    REPLY_DELIVERY_CHOICES,
    RESUMABLE_STATES,
    TEXT_LIMIT,
    ActorKind,
    CaseState,
    DeliveryChannel,
    EstimateStatus,
    EvidenceKind,
    customer_evidence,
    customer_sees_evidence,
    present,
)
from disputes.models._case import Case
from disputes.models._case_guards import REPLY_NOT_IN_TIME
from disputes.models._case_links import CaseNumberSequence, CaseTransaction
from disputes.models._case_workflow import refund_four_eyes_limit
from disputes.models._proposals import DecisionProposal, ProposalKind, ProposalStatus
from disputes.models._records import (
    CaseEvent,
    CaseLetterRequest,
    CaseTransition,
    Evidence,
    LiabilityAssessment,
)
from disputes.rules import Outcome
from kartosfera.vocabulary import Channel
from liability.rules import Cause

__all__ = [
    "CASE_CHANNELS",
    "CUSTOMER_EVIDENCE_KINDS",
    "FINISHED_STATES",
    "LETTER_BY_OUTCOME",
    "OPEN_STATES",
    "REFUND_PENDING_STATES",
    "REPLY_CLOCK_STATES",
    "REPLY_DELIVERY_CHOICES",
    "REPLY_NOT_IN_TIME",
    "RESUMABLE_STATES",
    "TEXT_LIMIT",
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
    "DecisionProposal",
    "DeliveryChannel",
    "EstimateStatus",
    "Evidence",
    "EvidenceKind",
    "LiabilityAssessment",
    "Outcome",
    "ProposalKind",
    "ProposalStatus",
    "Regime",
    "customer_evidence",
    "customer_sees_evidence",
    "present",
    "refund_four_eyes_limit",
]
