"""The chargebacks' tests read the chargebacks of a submitted claim (the disputes tests' fixtures)."""

from tests.disputes.conftest import _media, analyst, case, eur_rates, theft  # noqa: F401
