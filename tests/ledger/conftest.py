"""The ledger's tests write entries of a submitted claim: the disputes tests' claim and its fixtures."""

from tests.disputes.conftest import _media, analyst, case, eur_rates, theft  # noqa: F401
