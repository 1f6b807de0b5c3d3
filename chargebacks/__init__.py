"""Chargebacks: the bank's claim against the acquirer for one disputed transaction, and its state machine.

This app owns the chargeback's rules: its states and transitions, the scheme windows its guards hold
(CB-VISA-10.4, CB-MC-4837, CB-MC-2P, computed by ``deadlines``), the schemes' fraud reason codes, and
the reads of chargebacks the sweeps use. The steps that run a chargeback's transitions are steps of
its case (``disputes.services``: they lock the case, write its history and audit chain, and ask for
four-eyes approval), so the dispute workflow sits above this app and uses it.
"""
