from tests.disputes.conftest import _media, eur_rates  # noqa: F401 (fixtures)
